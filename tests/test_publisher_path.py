"""The publisher's path for someone else's package, end to end, on real public CSVs.

A repository holds two CSVs at its root (trimmed datahub.io `country-codes` and `gdp`, see
tests/data/publisher/SOURCE.md): `init` → `validate` with three planted mistakes →
`release build` → served on 127.0.0.1 → `download` from the descriptor's release location
→ `load` → a second version → `diff --check-version` → `changelog`, `docs`, `site` → the
action's steps and the pre-commit hook → `init --force` again. Nothing under the installed
package (nor the bundled package) may change along the way.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from test_ci import git, pre_commit

import expo_data
from expo_data.model.bundle import bundled_descriptor

from conftest import ROOT, run_cli

FIXTURES = ROOT / "tests" / "data" / "publisher"


def tree_digest(*roots: Path) -> dict[str, str]:
    """sha256 of every file under `roots` (bytecode caches aside)."""
    out = {}
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" not in path.parts:
                out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def installed_trees() -> list[Path]:
    """The installed expo_data package, and the bundled package's files where it is outside."""
    trees = [Path(expo_data.__file__).resolve().parent]
    bundle = bundled_descriptor().parent
    if not bundle.is_relative_to(trees[0]):  # a source checkout: the package at its root
        trees += [bundle / "datapackage.json", bundle / "CHANGELOG.md", bundle / "docs"]
        trees += [bundle / "data", bundle / "schemas"]
    return trees


class _Logged(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        self.server.requests.append(self.path)  # type: ignore[attr-defined]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path, list[str]]]:
    """A static file server on 127.0.0.1: (base URL, its folder, the paths requested)."""
    root = tmp_path / "served"
    root.mkdir()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Logged, directory=str(root)))
    httpd.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root, httpd.requests  # type: ignore[attr-defined]
    finally:
        httpd.shutdown()
        httpd.server_close()


def edit_json(path: Path, **changes: object) -> None:
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor.update(changes)
    path.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_publisher_path(tmp_path, server, monkeypatch):
    before = tree_digest(*installed_trees())
    base, served, requests = server
    env = {"EXPO_DATA_CACHE": str(tmp_path / "cache"), "EXPO_DATA_RELEASE_URL": ""}
    monkeypatch.setenv("EXPO_DATA_CACHE", env["EXPO_DATA_CACHE"])
    repo = tmp_path / "w2"
    repo.mkdir()
    for name in ("country-codes.csv", "gdp.csv"):
        shutil.copy(FIXTURES / name, repo / name)

    # init: the keys a person would choose, and the metadata given on the command line
    made = run_cli(
        "init", "--title", "GDP by country", "--version", "1.0.0", "--licence", "ODC-PDDL-1.0",
        cwd=repo,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "primary key: ISO3166-1-Alpha-3" in made.stdout
    assert "foreign key: Country Code -> country-codes(ISO3166-1-Alpha-3)" in made.stdout
    descriptor = json.loads((repo / "datapackage.json").read_text(encoding="utf-8"))
    assert (descriptor["title"], descriptor["version"]) == ("GDP by country", "1.0.0")
    assert descriptor["licenses"] == [{"name": "ODC-PDDL-1.0"}]
    gdp_schema = descriptor["resources"][1]["schema"]
    assert gdp_schema["primaryKey"] == ["Country Code", "Year"]
    continent = descriptor["resources"][0]["schema"]["fields"][7]
    assert continent["name"] == "Continent" and "NA" in continent["categories"]  # North America
    edit_json(
        repo / "datapackage.json",
        contributors=[{"title": "Ada Lovelace", "roles": ["author"]}],
        created="2024-03-01T00:00:00Z",
        description="GDP in current US dollars, by country and year (World Bank).",
        **{"expo:releases": f"{base}/releases/{{version}}"},
    )
    valid = run_cli("validate", "-f", "json", cwd=repo)
    assert valid.returncode == 0 and valid.stderr == "Using ./datapackage.json\n"

    # three planted mistakes, in a copy: each named by code, row and field
    bad = tmp_path / "bad"
    shutil.copytree(repo, bad)
    replace_in(bad / "gdp.csv", "Albania,ALB,2020", "Albania,ALX,2020")  # no such country
    replace_in(bad / "gdp.csv", "Algeria,DZA,2021,", "Algeria,DZA,2O21,")  # letter O
    replace_in(bad / "country-codes.csv", "ALD,358,ALA", "ALD,358,AFG")  # a duplicate key
    report = run_cli("validate", "-f", "json", cwd=bad)
    assert report.returncode == 1
    found = json.loads(report.stdout)["findings"]
    assert len(found) == 3, found
    findings = {(f["code"], f["resource"], f["field"]): f for f in found}
    fk = findings[("foreign-key", "gdp", "Country Code")]
    assert "ALX" in fk["message"] and fk["path"] == "gdp.csv"
    year = findings[("type-error", "gdp", "Year")]
    assert "2O21" in year["message"] and year["row"] is not None
    key = findings[("primary-key", "country-codes", "")]
    assert key["row"] == 3 and key["path"] == "country-codes.csv"  # the key's own words: val19
    text = run_cli("validate", cwd=bad)
    assert "gdp.csv, row" in text.stdout and "[foreign-key]" in text.stdout

    # release build: a summary, not the sums; the metadata is complete, so no warning
    built = run_cli("release", "build", "--out", served / "releases" / "1.0.0", cwd=repo)
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("Built release in") and len(built.stdout.splitlines()) == 1
    assert "Warning" not in built.stderr

    # download: the package's own version from the location its descriptor names
    fetched = run_cli("download", cwd=repo, env=env)
    assert fetched.returncode == 0, fetched.stderr
    assert "/releases/1.0.0/manifest.json" in requests
    assert any(p.endswith("/gdp.parquet") for p in requests)

    # load: the release, typed as the CSV package loads
    from_release = expo_data.load("gdp", repo, release="1.0.0")
    from_csv = expo_data.load("gdp", repo)
    assert from_release.equals(from_csv) and len(from_csv) == 132
    assert expo_data.query('SELECT count(*) FROM "country-codes"', repo, release="1.0.0") == (
        ["count_star()"],
        [(40,)],
    )
    hint = run_cli("sql", "SELECT count(*) FROM country-codes", cwd=repo)
    assert hint.returncode == 1 and 'write "country-codes"' in hint.stderr
    counted = run_cli(
        "sql", 'SELECT count(*) AS n FROM "country-codes"', "--release", "1.0.0",
        "--format", "csv", cwd=repo, env=env,
    )  # fmt: skip
    assert counted.stdout.split() == ["n", "40"]

    # a second version: a corrected value and a new row; 1.1.0 fits, a removed field does not
    replace_in(
        repo / "gdp.csv",
        "Afghanistan,AFG,2022,14502158192.090395",
        "Afghanistan,AFG,2022,14502158192.09",
    )
    with open(repo / "gdp.csv", "a", encoding="utf-8") as stream:
        stream.write("Afghanistan,AFG,2023,17233051620.0\n")
    edit_json(repo / "datapackage.json", version="1.1.0")
    checked = run_cli("diff", "release:1.0.0", ".", "--check-version", cwd=repo, env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "version 1.1.0 fits the changes" in checked.stderr
    assert "AFG" in checked.stdout
    breaking = tmp_path / "breaking"
    shutil.copytree(repo, breaking)
    data = json.loads((breaking / "datapackage.json").read_text(encoding="utf-8"))
    fields = data["resources"][0]["schema"]["fields"]
    data["resources"][0]["schema"]["fields"] = [f for f in fields if f["name"] != "FIFA"]
    (breaking / "datapackage.json").write_text(json.dumps(data), encoding="utf-8")
    rows = (breaking / "country-codes.csv").read_text(encoding="utf-8").splitlines()
    (breaking / "country-codes.csv").write_text(
        "".join(line.split(",", 1)[1] + "\n" for line in rows), encoding="utf-8"
    )
    refused = run_cli("diff", "release:1.0.0", ".", "--check-version", cwd=breaking, env=env)
    assert refused.returncode == 1 and "release 2.0.0" in refused.stderr

    # changelog, docs and site: this package's, credited from its descriptor
    logged = run_cli("changelog", "--previous", "release:1.0.0", cwd=repo, env=env)
    assert logged.returncode == 0, logged.stderr
    assert "## 1.1.0" in (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    assert run_cli("docs", "--out", "docs", cwd=repo).returncode == 0
    card = (repo / "docs" / "dataset-card.md").read_text(encoding="utf-8")
    assert "> Ada Lovelace (2024). *GDP by country* (version 1.1.0)" in card
    for foreign in ("CHTF", "MIT", "article", "expo-data contributors", "CITATION.cff"):
        assert foreign not in card, foreign
    dictionary = (repo / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert re.search(r'Country_Code_[0-9a-f]{8} PK, FK "Country Code"', dictionary)
    site = run_cli("site", "--out", "site", cwd=repo)
    assert site.returncode == 0, site.stderr
    home = (repo / "site" / "index.html").read_text(encoding="utf-8")
    assert "GDP by country" in home and "Ada Lovelace" in home
    assert "CHTF" not in home and "w2 contributors" not in home
    built = run_cli("release", "build", cwd=repo)  # into release/1.1.0 here
    assert built.returncode == 0, built.stderr

    # the action's steps, as GitHub runs them, in the repository
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    (script,) = [s["run"] for s in action["runs"]["steps"] if s.get("id") == "validate"]
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    step_env = {
        **os.environ,
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"],
        "PACKAGE": "datapackage.json",
        "ENGINE": "fast",
        "ARGS": "--limit-errors 50",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(output),
    }
    step = subprocess.run(
        ["bash", "-e", "-c", script], cwd=repo, env=step_env, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert step.returncode == 0, step.stdout + step.stderr
    assert "is valid" in summary.read_text() and output.read_text() == "valid=true\n"
    step = subprocess.run(
        ["bash", "-e", "-c", script], cwd=tmp_path, env={**step_env, "PACKAGE": "bad"},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert step.returncode == 1 and "::error file=bad/gdp.csv,line=" in step.stdout

    # the pre-commit hook, on the repository with its CSVs at the root
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    config = {"repos": [{"repo": "local", "hooks": [{**hook, "language": "system"}]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    assert pre_commit(repo, "run").returncode == 0
    replace_in(repo / "gdp.csv", "Albania,ALB,2020", "Albania,ALX,2020")
    git(repo, "add", "gdp.csv")
    assert pre_commit(repo, "run").returncode == 1

    # init again: the generated site/, docs/ and release/ are not read as data
    again = run_cli("init", "--force", cwd=repo)
    assert again.returncode == 0, again.stderr
    names = [r["name"] for r in json.loads((repo / "datapackage.json").read_text())["resources"]]
    assert names == ["country-codes", "gdp"]

    assert tree_digest(*installed_trees()) == before
