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
    assert found[0][4].endswith(
        'the same values as in the row at position 2; key "a, 2020" first held by row 2: '
        "keep one row per key"
    )


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


# -- a wide header is checked in linear time -----------------------------------------------------


class Counted(str):
    """A label that counts the comparisons made with it."""

    calls = 0

    def __eq__(self, other: object) -> bool:
        Counted.calls += 1
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        Counted.calls += 1
        return str.__ne__(self, other)

    __hash__ = str.__hash__


@pytest.mark.parametrize("fields", [50_000])
def test_the_header_check_compares_each_label_a_bounded_number_of_times(tmp_path, fields):
    """Linear: 50k fields once took ~1.25 billion label comparisons (each against every
    earlier label); now each label is compared a few times, duplicates and blanks included."""
    from expo_data.model.descriptor import open_package
    from expo_data.validation.keys import ArrowKeys
    from expo_data.validation.ordering import table_findings
    from expo_data.validation.scan import Scan

    names = [f"f{j}" for j in range(fields)]
    schema = {"fields": [{"name": name, "type": "string"} for name in names]}
    package = open_package(write_package(tmp_path / "p", ",".join(names) + "\n", schema))
    labels = [*names[:-3], "f0", "", "other"]  # a duplicate, a blank and a wrong label
    scan = Scan(package.resources[0], labels=[Counted(label) for label in labels])
    Counted.calls = 0
    found = table_findings(scan, {"t": scan}, 1000, ArrowKeys({"t": scan}))
    assert Counted.calls <= 4 * fields
    assert [(f.code, f.row, f.field) for f in found] == [
        ("duplicate-label", 1, f"f{fields - 3}"),
        ("blank-label", 1, f"f{fields - 2}"),
        ("incorrect-label", 1, f"f{fields - 1}"),
    ]
    assert found[0].message.endswith('is duplicated to a label: at position "1"')


# -- messages that say how to fix ------------------------------------------------------------------


def two_tables(folder: Path, people: str, orgs: str, people_schema: dict | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "people.csv").write_text(people, encoding="utf-8")
    (folder / "orgs.csv").write_text(orgs, encoding="utf-8")
    org_schema = {"fields": [{"name": "id", "type": "string"}], "primaryKey": ["id"]}
    people_schema = people_schema or {
        "fields": [
            {"name": "id", "type": "integer"},
            {"name": "org", "type": "string"},
            {"name": "born", "type": "date"},
            {"name": "seen", "type": "date", "format": "%d/%m/%Y"},
        ],
        "primaryKey": ["id"],
        "foreignKeys": [{"fields": ["org"], "reference": {"resource": "orgs", "fields": ["id"]}}],
    }
    resources = [
        {"name": "people", "path": "people.csv", "schema": people_schema},
        {"name": "orgs", "path": "orgs.csv", "schema": org_schema},
    ]
    for r in resources:
        r.update(format="csv", encoding="utf-8")
    descriptor = {"name": "p", "resources": resources}
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return folder / "datapackage.json"


ORGS = "id\nshenzhen-data-bureau\nstate-information-center\n"


def test_messages_say_how_to_fix_in_every_engine(tmp_path: Path):
    people = (
        "id,org,born,seen\n"
        "1,shenzhen-data-bureau,2020-01-02,02/01/2020\n"
        "2,shenzhen-data-burea,2020-13-02,2020-01-02\n"
        "1,state-information-center,2020-01-02,02/01/2020\n"
        "3,nowhere,2020-01-02,02/01/2020\n"
        "1,state-information-center,2020-01-02,02/01/2020\n"
    )
    found = same_in_every_engine(two_tables(tmp_path / "p", people, ORGS))
    by_place = {(code, row, field): message for code, _, row, field, message in found}
    assert sorted(by_place) == [
        ("foreign-key", 3, "org"),
        ("foreign-key", 5, "org"),
        ("primary-key", 4, ""),
        ("primary-key", 6, ""),
        ("type-error", 3, "born"),
        ("type-error", 3, "seen"),
    ]
    assert by_place["type-error", 3, "born"].endswith(
        'type is "date/default"; expected YYYY-MM-DD (e.g. 2023-10-25)'
    )
    assert by_place["type-error", 3, "seen"].endswith("; expected the format %d/%m/%Y")
    assert by_place["primary-key", 4, ""].endswith(
        'the same as in the row at position 2; key "1" first held by row 2: keep one row per key'
    )
    assert by_place["primary-key", 6, ""].endswith(
        'the same as in the row at position 4; key "1" first held by row 2 (and row 4 since)'
        ": keep one row per key"
    )
    assert by_place["foreign-key", 3, "org"].endswith(
        'not found in the lookup table "orgs" as "id"; did you mean "shenzhen-data-bureau"?'
    )
    assert by_place["foreign-key", 5, "org"].endswith(
        'not found in the lookup table "orgs" as "id"'
    )


def test_messages_still_start_with_frictionless_words(tmp_path: Path):
    """frictionless' own message is the start of each: the hint only follows it."""
    import frictionless

    people = "id,org,born,seen\n1,shenzhen-data-burea,2020-13-02,02/01/2020\n1,x,2020-01-02,1\n"
    descriptor = two_tables(tmp_path / "p", people, ORGS)
    theirs = frictionless.Package(str(descriptor)).validate().flatten(["rowNumber", "message"])
    ours = [(f.row, f.message) for f in validate(descriptor).findings]
    assert len(ours) == len(theirs) == 5
    hinted = 0
    for (row, message), (their_row, their_message) in zip(ours, theirs, strict=True):
        assert row == their_row and message.startswith(their_message)
        hinted += message.startswith(their_message + "; ")
    assert hinted == 4  # all but the foreign key "x", which no key is near


def test_a_shifted_header_is_one_finding_not_one_per_row(tmp_path: Path):
    """A deliberate difference: frictionless reports the extra cell of every row."""
    import frictionless

    rows = "id,team\n" + "".join(f"{k},t{k},{2000 + k}\n" for k in range(1, 30))
    descriptor = write_package(tmp_path / "p", rows, UNIQUE_KEYS)
    found = same_in_every_engine(descriptor)
    assert [(code, row, field) for code, _, row, field, _ in found] == [
        ("missing-label", 1, "year"),
        ("extra-cell", 2, ""),
    ]
    assert found[1][4].endswith(
        "; every row has it: the header seems shifted; give it one label per column"
    )
    theirs = frictionless.Package(str(descriptor)).validate().flatten(["rowNumber", "type"])
    assert theirs == [[None, "missing-label"]] + [[k, "extra-cell"] for k in range(2, 31)]


def test_a_missing_header_is_one_finding_not_one_per_label(tmp_path: Path):
    """A deliberate difference: frictionless reports every label."""
    rows = "".join(f"{k},t{k},{2000 + k}\n" for k in range(1, 5))
    found = same_in_every_engine(write_package(tmp_path / "p", rows, UNIQUE_KEYS))
    assert [(code, row, field) for code, _, row, field, _ in found] == [
        ("incorrect-label", 1, "id")
    ]
    assert found[0][4].endswith("; no label is a field name: is the header row missing?")


def test_a_few_ragged_rows_are_each_reported(tmp_path: Path):
    rows = "id,team,year\n1,a,2000\n2,b,2001,x\n3,c\n4,d,2003,y\n"
    found = same_in_every_engine(write_package(tmp_path / "p", rows, UNIQUE_KEYS))
    assert [(code, row) for code, _, row, *_ in found] == [
        ("extra-cell", 3),
        ("missing-cell", 4),
        ("extra-cell", 5),
    ]
