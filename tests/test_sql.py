"""SQL over the package: `expo_data.connect` / `query` and `expo-data sql`, on CSV and Parquet."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import expo_data

from conftest import ROOT, run_cli

duckdb = pytest.importorskip("duckdb")
VERSION = expo_data.__version__  # the release the fixtures build

WINNERS_PER_AWARD = "SELECT award_id, count(*) AS winners FROM winners GROUP BY award_id"
#: Table Schema type → the DuckDB type a column of that type must have
DUCKDB_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "year": "SMALLINT",
}


def schema(resource: str) -> dict:
    """The resource's Table Schema, read straight from schemas/."""
    return json.loads((ROOT / "schemas" / f"{resource}.json").read_text(encoding="utf-8"))


def csv_rows(package: Path, resource: str) -> list[dict[str, str]]:
    with open(package / "data" / f"{resource}.csv", encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def winners_per_award(package: Path = ROOT) -> dict[str, int]:
    """The answer, counted from the CSV with the csv module."""
    return dict(Counter(row["award_id"] for row in csv_rows(package, "winners")))


def parse_csv_counts(text: str) -> dict[str, int]:
    rows = list(csv.DictReader(text.splitlines()))
    return {row["award_id"]: int(row["winners"]) for row in rows}


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of published releases holding the package's current version."""
    folder = tmp_path_factory.mktemp("releases")
    expo_data.build_release(out=folder / VERSION)
    return folder


@pytest.fixture
def release_env(releases: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    """Environment pointing downloads at the local releases and a fresh cache (no network)."""
    env = {
        "EXPO_DATA_RELEASE_URL": str(releases),
        "EXPO_DATA_CACHE": str(tmp_path / "cache"),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


# --- the question, on every kind of package -----------------------------------------------


def test_winners_per_award_on_the_csv_package():
    result = run_cli("sql", WINNERS_PER_AWARD, "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert parse_csv_counts(result.stdout) == winners_per_award()


def test_winners_per_award_on_a_package_path(package_copy):
    result = run_cli("sql", WINNERS_PER_AWARD, "--package", package_copy, "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert parse_csv_counts(result.stdout) == winners_per_award(package_copy)


def test_winners_per_award_on_a_parquet_release(release_env):
    result = run_cli("sql", WINNERS_PER_AWARD, "--release", VERSION, "-f", "csv", env=release_env)
    assert result.returncode == 0, result.stderr
    assert parse_csv_counts(result.stdout) == winners_per_award()


def test_winners_per_award_on_a_release_folder(releases):
    result = run_cli("sql", WINNERS_PER_AWARD, "--package", releases / VERSION, "-f", "json")
    assert result.returncode == 0, result.stderr
    counts = {r["award_id"]: r["winners"] for r in json.loads(result.stdout)}
    assert counts == winners_per_award()


def test_library_query_on_csv_and_release_agree(release_env):
    columns, rows = expo_data.query(WINNERS_PER_AWARD + " ORDER BY award_id")
    assert columns == ["award_id", "winners"]
    assert dict(rows) == winners_per_award()
    assert expo_data.query(WINNERS_PER_AWARD + " ORDER BY award_id", release=VERSION) == (
        columns,
        rows,
    )


# --- typed tables -------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["csv", "release"])
def test_every_resource_is_a_table_typed_by_its_schema(source, request):
    if source == "release":
        request.getfixturevalue("release_env")
    con = expo_data.connect(release=VERSION if source == "release" else None)
    for name in expo_data.resource_names():
        fields = schema(name)["fields"]
        # DESCRIBE rows: (name, type, null, key, default, extra)
        columns = {row[0]: row[1:3] for row in con.execute(f'DESCRIBE "{name}"').fetchall()}
        assert list(columns) == [f["name"] for f in fields]
        for field in fields:
            sql_type, nullable = columns[field["name"]]
            constraints = field.get("constraints", {})
            if "enum" in constraints:
                assert sql_type == "ENUM(" + ", ".join(f"'{v}'" for v in constraints["enum"]) + ")"
            else:
                assert sql_type == DUCKDB_TYPES[field.get("type", "string")], (name, field)
            assert nullable == ("NO" if constraints.get("required") else "YES")
        (count,) = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()
        assert count == len(csv_rows(ROOT, name))


def test_enums_sort_in_schema_order_and_titles_are_comments():
    con = expo_data.connect()
    kinds = [k for (k,) in con.execute("SELECT DISTINCT kind FROM awards ORDER BY kind").fetchall()]
    kind = next(f for f in schema("awards")["fields"] if f["name"] == "kind")
    assert kinds == [k for k in kind["constraints"]["enum"] if k in kinds]
    comment = con.execute(
        "SELECT comment FROM duckdb_columns() WHERE table_name = 'awards' AND column_name = 'kind'"
    ).fetchone()[0]
    assert comment == kind["title"]


def test_values_survive_typed():
    con = expo_data.connect()
    row = con.execute(
        "SELECT winners_reported, winners_named, named_list_partial FROM awards "
        "WHERE id = 'leading-smart-city-2023'"
    ).fetchone()
    expected = next(r for r in csv_rows(ROOT, "awards") if r["id"] == "leading-smart-city-2023")
    assert row == (
        int(expected["winners_reported"]),
        int(expected["winners_named"]),
        expected["named_list_partial"] == "true",
    )
    (end,) = con.execute("SELECT end_date FROM sessions WHERE end_date IS NOT NULL").fetchone()
    assert end.isoformat() in {r["end_date"] for r in csv_rows(ROOT, "sessions")}


def test_path_and_release_together_is_an_error():
    with pytest.raises(ValueError, match="not both"):
        expo_data.connect(ROOT, release="1.0.0")


# --- output formats -----------------------------------------------------------------------


def test_table_format_aligns_wide_characters_and_right_aligns_numbers():
    query = "SELECT * FROM (VALUES ('a', 1), ('上海', 22), (NULL, NULL)) t(x, n) ORDER BY n"
    result = run_cli("sql", query)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "x      n\n----  --\na      1\n上海  22\n\n"


def test_json_keeps_chinese_and_types():
    result = run_cli(
        "sql",
        "SELECT id, name_zh_hant, winners_named, named_list_partial FROM awards "
        "WHERE id = 'leading-smart-city-2023'",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    assert "\\u" not in result.stdout
    (record,) = json.loads(result.stdout)
    expected = next(r for r in csv_rows(ROOT, "awards") if r["id"] == "leading-smart-city-2023")
    assert record == {
        "id": "leading-smart-city-2023",
        "name_zh_hant": expected["name_zh_hant"],
        "winners_named": int(expected["winners_named"]),
        "named_list_partial": True,
    }


def test_csv_format_round_trips_a_resource():
    result = run_cli("sql", "SELECT * FROM places", "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert list(csv.DictReader(result.stdout.splitlines())) == csv_rows(ROOT, "places")


def test_dates_render_as_iso_in_json():
    result = run_cli(
        "sql", "SELECT end_date FROM sessions WHERE end_date IS NOT NULL", "-f", "json"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["end_date"] in {
        r["end_date"] for r in csv_rows(ROOT, "sessions")
    }


def test_an_empty_result_prints_the_header():
    result = run_cli("sql", "SELECT id FROM awards WHERE false")
    assert (result.returncode, result.stdout, result.stderr) == (0, "id\n--\n", "")


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELEC 1", "Error: Parser Error: syntax error"),
        ("SELECT * FROM no_such_table", "Error: Catalog Error: Table with name no_such_table"),
        ("SELECT no_such_column FROM awards", "Error: Binder Error:"),
    ],
)
def test_sql_errors_are_one_line_exit_1(query, message):
    result = run_cli("sql", query)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(message)


def test_sql_error_is_an_expo_data_error():
    with pytest.raises(expo_data.SQLError) as info:
        expo_data.query("SELECT * FROM no_such_table")
    assert isinstance(info.value, expo_data.ExpoDataError)
    assert "LINE 1" not in str(info.value)


@pytest.mark.parametrize(
    "args",
    [
        ("sql", "SELECT 1", "--format", "xml"),
        ("sql", "SELECT 1", "--package", str(ROOT), "--release", "1.0.0"),
    ],
)
def test_bad_usage_exits_2(args):
    result = run_cli(*args)
    assert result.returncode == 2
    assert result.stderr.startswith("Error: ")


def test_missing_duckdb_names_the_extra():
    code = (
        "import sys; sys.modules['duckdb'] = None; "
        "sys.argv = ['expo-data', 'sql', 'SELECT 1']; "
        "from expo_data.cli import main; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8"
    )
    assert result.returncode == 1
    assert result.stderr == (
        "Error: SQL needs duckdb, which is not installed: pip install 'expo-data[sql]'\n"
    )


def test_import_expo_data_does_not_import_duckdb():
    code = "import sys, expo_data; expo_data.connect; print('duckdb' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


# --- the sandbox ----------------------------------------------------------------------------


def attacks(folder: Path) -> dict[str, str]:
    """Statements that reach outside the package's tables, each with its victim under `folder`."""
    secret = folder / "secret.csv"
    secret.write_text("password\nhunter2\n")
    return {
        "read_csv": f"SELECT * FROM read_csv('{secret}')",
        "read_passwd": "SELECT * FROM read_csv('/etc/passwd')",
        "read_text": f"SELECT content FROM read_text('{secret}')",
        "glob": f"SELECT * FROM glob('{folder}/*')",
        "copy_to": f"COPY winners TO '{folder / 'stolen.csv'}'",
        "export": f"EXPORT DATABASE '{folder / 'dump'}'",
        "attach": f"ATTACH '{folder / 'other.duckdb'}' AS other",
        "install": "INSTALL httpfs",
        "load": "LOAD httpfs",
        "unlock": "SET enable_external_access = true",
        "reset": "RESET enable_external_access",
    }


ATTACKS = (
    "read_csv", "read_passwd", "read_text", "glob", "copy_to", "export", "attach", "install",
    "load", "unlock", "reset",
)  # fmt: skip


@pytest.mark.parametrize("attack", ATTACKS)
def test_the_sandbox_refuses(attack: str, tmp_path: Path) -> None:
    statement = attacks(tmp_path)[attack]
    with pytest.raises(expo_data.SQLError) as caught:
        expo_data.query(statement)
    assert "hunter2" not in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.csv"]  # nothing written


def test_the_sandbox_holds_on_a_connection_and_the_cli(tmp_path: Path) -> None:
    statements = attacks(tmp_path)
    con = expo_data.connect()
    with pytest.raises(duckdb.Error, match="disabled by configuration"):
        con.execute(statements["read_csv"])
    assert con.execute("SELECT count(*) FROM winners").fetchone()[0] == 34  # tables still work
    for name in ("read_csv", "copy_to", "attach", "install"):
        result = run_cli("sql", statements[name])
        assert result.returncode == 1, (name, result.stdout)
        assert result.stderr.startswith("Error: ") and "Traceback" not in result.stderr
        assert "hunter2" not in result.stdout + result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.csv"]


def test_allow_files_lifts_the_sandbox(tmp_path: Path) -> None:
    statements = attacks(tmp_path)
    columns, rows = expo_data.query(statements["read_csv"], sandbox=False)
    assert (columns, rows) == (["password"], [("hunter2",)])
    result = run_cli("sql", statements["copy_to"], "--allow-files")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "stolen.csv").read_text(encoding="utf-8").startswith("id,award_id,")
    result = run_cli("sql", statements["read_csv"], "--allow-files", "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["password", "hunter2"]


def test_v2_categories_are_enums_too(tmp_path: Path) -> None:
    """String categories (v2) become a DuckDB ENUM in their order, like an enum constraint."""
    (tmp_path / "stands.csv").write_text("id,hall\n1,east\n2,west\n3,east\n", encoding="utf-8")
    fields = [
        {"name": "id", "type": "integer"},
        {"name": "hall", "type": "string", "categories": [{"value": "west"}, "east"]},
    ]
    descriptor = {
        "name": "stands",
        "resources": [{"name": "stands", "path": "stands.csv", "schema": {"fields": fields}}],
    }
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    _, rows = expo_data.query(
        "SELECT data_type FROM duckdb_columns() WHERE column_name = 'hall'", tmp_path
    )
    assert rows == [("ENUM('west', 'east')",)]
    _, ordered = expo_data.query("SELECT hall FROM stands ORDER BY hall, id", tmp_path)
    assert ordered == [("west",), ("east",), ("east",)]
