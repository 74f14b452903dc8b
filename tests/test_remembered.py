"""frictionless' descriptor findings, remembered: the same findings, without importing it again.

Each test validates in a fresh process (the installed package, a cache folder of its own) and
compares the findings of a first run (frictionless checks) with those of a later one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import copy_package

CODE = """
import json, sys, expo_data
report = expo_data.validate(sys.argv[1])
print(json.dumps({"findings": report.to_dict()["findings"],
                  "imported": "frictionless" in sys.modules}))
"""


def run(package: Path, cache: Path, **env: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CODE, str(package)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "EXPO_DATA_CACHE": str(cache), **env},
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return json.loads(done.stdout)


def remembered(cache: Path) -> list[Path]:
    return sorted((cache / "descriptor-checks").glob("*.json"))


def break_a_field(package: Path) -> None:
    """Give the awards schema's first field a `maxLength` frictionless refuses."""
    path = package / "schemas" / "awards.json"
    schema = json.loads(path.read_text("utf-8"))
    schema["fields"][0]["constraints"] = {"maxLength": "ten"}
    path.write_text(json.dumps(schema), "utf-8")


def break_the_package(package: Path) -> None:
    """Give the package descriptor a property of a type frictionless refuses."""
    path = package / "datapackage.json"
    descriptor = json.loads(path.read_text("utf-8"))
    path.write_text(json.dumps({**descriptor, "contributors": "nobody"}), "utf-8")


def test_a_second_run_reads_the_findings_back_without_frictionless(tmp_path: Path) -> None:
    package = copy_package(tmp_path / "chtf")
    break_the_package(package)
    cache = tmp_path / "cache"
    first = run(package, cache)
    assert first["imported"]
    assert [f["code"] for f in first["findings"]] == ["package-error"]
    assert len(remembered(cache)) == 1
    second = run(package, cache)
    assert second == {**first, "imported": False}


def test_a_changed_schema_is_checked_again(tmp_path: Path) -> None:
    package = copy_package(tmp_path / "chtf")
    cache = tmp_path / "cache"
    assert run(package, cache)["findings"] == []
    break_a_field(package)
    again = run(package, cache)
    assert again["imported"]
    assert any(f["code"] == "field-error" for f in again["findings"])
    assert len(remembered(cache)) == 2


def test_a_damaged_cache_file_is_checked_again_and_rewritten(tmp_path: Path) -> None:
    package = copy_package(tmp_path / "chtf")
    break_a_field(package)
    cache = tmp_path / "cache"
    first = run(package, cache)
    (kept,) = remembered(cache)
    for damage in ("not json", '[{"code": 5}]', '[{"code": "x", "row": "1"}]', "{}"):
        kept.write_text(damage, "utf-8")
        again = run(package, cache)
        assert again == first
        assert json.loads(kept.read_text("utf-8")) != damage


def test_a_cache_that_cannot_be_written_is_ignored(tmp_path: Path) -> None:
    package = copy_package(tmp_path / "chtf")
    break_a_field(package)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", "utf-8")
    first, second = run(package, blocker), run(package, blocker)
    assert first == second and second["imported"]
    assert blocker.read_text("utf-8") == "not a folder"


def test_a_profile_read_from_the_package_is_never_remembered(tmp_path: Path) -> None:
    package = copy_package(tmp_path / "chtf")
    profile = {"type": "object", "required": ["no-such-property"]}
    (package / "profile.json").write_text(json.dumps(profile), "utf-8")
    path = package / "datapackage.json"
    descriptor = json.loads(path.read_text("utf-8"))
    path.write_text(json.dumps({**descriptor, "profile": "profile.json"}), "utf-8")
    cache = tmp_path / "cache"
    first = run(package, cache)
    assert first["findings"]  # the profile's requirement fails
    assert remembered(cache) == []
    (package / "profile.json").write_text(json.dumps({"type": "object"}), "utf-8")
    assert run(package, cache)["findings"] == []


def test_nothing_is_remembered_where_a_frictionless_plugin_is_installed(tmp_path: Path) -> None:
    """A `frictionless_*` module may change what frictionless reports: no cache then."""
    package = copy_package(tmp_path / "chtf")
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "frictionless_nothing.py").write_text("", "utf-8")
    cache = tmp_path / "cache"
    for _ in range(2):
        assert run(package, cache, PYTHONPATH=str(plugins))["imported"]
    assert remembered(cache) == []


def test_the_least_recently_used_files_go_past_the_limit(tmp_path: Path) -> None:
    from expo_data.validation.remembered import prune

    for i in range(5):
        (tmp_path / f"{i}.json").write_text("[]", "utf-8")
        os.utime(tmp_path / f"{i}.json", ns=(i * 10**9, i * 10**9))
    os.utime(tmp_path / "0.json")  # just used
    prune(tmp_path, limit=3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0.json", "3.json", "4.json"]
