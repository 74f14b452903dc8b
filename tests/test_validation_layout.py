"""Validation's shared parts: one finding catalogue, one key store, releases in parts.

Every engine (fast, duckdb, frictionless) must report the same findings where the key store
or the Parquet reading decides them; the catalogue is the one place a code is written and the
docs' list of codes is generated from it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from expo_data import build_release, load, query, validate
from expo_data.validation.catalogue import CATALOGUE, LEVELS, PAGE, markdown

from conftest import ROOT, run_cli

ENGINES = ("fast", "duckdb", "frictionless")


def findings(path: Path, engine: str) -> list[tuple]:
    report = validate(path, engine=engine)
    return [(f.code, f.resource, f.row, f.field, f.message) for f in report.findings]


def same_in_every_engine(path: Path) -> list[tuple]:
    """The findings every engine gives (asserted equal)."""
    found = {engine: findings(path, engine) for engine in ENGINES}
    assert found["duckdb"] == found["fast"]
    assert found["frictionless"] == found["fast"]
    return found["fast"]


# -- the catalogue ----------------------------------------------------------------------------


def test_the_docs_list_of_codes_is_generated_from_the_catalogue():
    assert (ROOT / PAGE).read_text(encoding="utf-8") == markdown(), (
        f"{PAGE} is stale: run `python -m expo_data.validation.catalogue {PAGE}`"
    )
    done = subprocess.run(
        [sys.executable, "-m", "expo_data.validation.catalogue", "--check", ROOT / PAGE],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_catalogue_check_reports_a_stale_page(tmp_path: Path):
    stale = tmp_path / "findings.md"
    stale.write_text("# Finding codes\n", encoding="utf-8")
    args = [sys.executable, "-m", "expo_data.validation.catalogue", "--check", stale]
    done = subprocess.run(args, capture_output=True, text=True)
    assert done.returncode == 1 and "stale" in done.stdout
    assert stale.read_text(encoding="utf-8") == "# Finding codes\n"


def test_every_code_is_written_once_in_the_source():
    source = ROOT / "src" / "expo_data"
    written: dict[str, list[str]] = {code: [] for code in CATALOGUE}
    for path in source.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for code in CATALOGUE:
            hits = len(re.findall(rf"[\"']{re.escape(code)}[\"']", text))
            written[code] += [path.name] * hits
    assert {code: where for code, where in written.items() if where != ["catalogue.py"]} == {}


def test_every_entry_is_complete():
    for entry in CATALOGUE.values():
        assert entry.level in LEVELS and entry.origin in ("frictionless", "expo-data")
        assert entry.template and entry.means, entry.code
    assert {"type-error", "unique-key", "foreign-key", "stray-quote"} <= set(CATALOGUE)


# -- the key store: v2 uniqueKeys in every engine -----------------------------------------------


def write_package(folder: Path, rows: str, schema: dict, name: str = "t") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.csv").write_text(rows, encoding="utf-8")
    descriptor = {
        "name": "p",
        "resources": [
            {
                "name": name,
                "path": f"{name}.csv",
                "format": "csv",
                "encoding": "utf-8",
                "schema": schema,
            }
        ],
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return folder / "datapackage.json"


UNIQUE_KEYS = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "team", "type": "string"},
        {"name": "year", "type": "integer"},
    ],
    "primaryKey": ["id"],
    "uniqueKeys": [["team", "year"]],
}


def test_a_repeated_unique_key_is_found_by_every_engine(tmp_path: Path):
    rows = "id,team,year\n1,a,2020\n2,b,2020\n3,a,2020\n4,a,\n5,a,\n6,b,2020\n"
    descriptor = write_package(tmp_path / "p", rows, UNIQUE_KEYS)
    found = same_in_every_engine(descriptor)
    assert [(code, row, field) for code, _, row, field, _ in found] == [
        ("unique-key", 4, "team,year"),
        ("unique-key", 7, "team,year"),
    ]
    assert found[0][4].endswith("the same values as in the row at position 2")


def test_duckdb_finds_a_repeated_unique_key_in_sql(tmp_path: Path):
    """The file is plain, so DuckDB reads it and checks the keys out of core."""
    from expo_data.model.descriptor import open_package
    from expo_data.validation.engines.duckdb import duckdb_findings

    rows = "id,team,year\n" + "".join(f"{k},t{k % 50},{2000 + k % 7}\n" for k in range(1, 400))
    descriptor = write_package(tmp_path / "p", rows, UNIQUE_KEYS)
    found = duckdb_findings(open_package(descriptor), limit_errors=1000)
    assert len(found) == 399 - 50 * 7 and {f.code for f in found} == {"unique-key"}
    assert same_in_every_engine(descriptor) == [
        (f.code, f.resource, f.row, f.field, f.message) for f in found
    ]


# -- releases in parts ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def parted(tmp_path_factory) -> Path:
    """The bundled package released in parts of 10 rows."""
    return build_release(None, out=tmp_path_factory.mktemp("parted") / "1.0", part_rows=10)


def test_the_bundled_package_released_in_parts_is_valid_in_every_engine(parted: Path):
    descriptor = json.loads((parted / "datapackage.json").read_text(encoding="utf-8"))
    assert any(isinstance(r["path"], list) for r in descriptor["resources"])
    assert same_in_every_engine(parted) == []
    assert len(load("winners", parted)) == 34
    assert query("SELECT count(*) FROM winners", parted)[1] == [(34,)]


def test_the_cli_validates_a_release_in_parts(parted: Path):
    done = run_cli("validate", parted, "--engine", "duckdb")
    assert done.returncode == 0, done.stdout + done.stderr


def test_keys_are_checked_across_parts(parted: Path, tmp_path: Path):
    """A row of the last part repeating a key of the first is found at its row in the whole."""
    import pyarrow.parquet as pq

    release = tmp_path / "r"
    shutil.copytree(parted, release)
    (release / "manifest.json").unlink()  # the edited part no longer matches it
    descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    paths = next(r["path"] for r in descriptor["resources"] if r["name"] == "winners")
    first = pq.read_table(release / paths[0])
    last = pq.read_table(release / paths[-1])
    key = descriptor["resources"][[r["name"] for r in descriptor["resources"]].index("winners")][
        "schema"
    ]["primaryKey"]
    key = [key] if isinstance(key, str) else key
    changed = last.to_pylist()
    changed[-1].update({name: first.column(name)[0].as_py() for name in key})
    pq.write_table(last.from_pylist(changed, schema=last.schema), release / paths[-1])
    found = same_in_every_engine(release)
    assert ("primary-key", "winners", 35) in [
        (code, resource, row) for code, resource, row, *_ in found
    ]
    assert {(resource, row) for _, resource, row, *_ in found} == {("winners", 35)}
    assert all("the same as in the row at position 2" in f[4] for f in found)


def test_every_part_is_checked_against_the_manifest(parted: Path, tmp_path: Path):
    release = tmp_path / "r"
    shutil.copytree(parted, release)
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    entry = next(e for e in manifest["files"] if e["name"] == "winners-part-00002.parquet")
    entry["bytes"] += 1
    (release / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    found = same_in_every_engine(release)
    assert [(code, resource) for code, resource, *_ in found] == [("byte-count", "winners")]
    assert "winners-part-00002.parquet" in found[0][4]


# -- the layout --------------------------------------------------------------------------------


TOOL = ROOT.parent / "shared" / "tools" / "import-cycles"


@pytest.mark.skipif(not TOOL.is_file(), reason="the shared import-cycles tool is not here")
def test_no_import_cycle_and_no_private_import():
    done = subprocess.run([TOOL], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 in 0 import cycles" in done.stdout and "0 private imports" in done.stdout
