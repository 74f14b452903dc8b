"""The `expo-data` command line, run as a subprocess."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))


def rows_of(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerows(rows)


def set_cell(package: Path, resource: str, row: int, field: str, value: str) -> None:
    """Set the cell at CSV record `row` (header = 1) of `field` in `resource`."""
    path = package / "data" / f"{resource}.csv"
    rows = rows_of(path)
    rows[row - 1][rows[0].index(field)] = value
    write_rows(path, rows)


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0
    assert re.fullmatch(r"expo-data \d+\.\d+\.\d+\n", result.stdout)


def test_list_names_every_resource():
    result = run_cli("list")
    assert result.returncode == 0
    assert [line.split()[0] for line in result.stdout.splitlines()] == [
        r["name"] for r in DESCRIPTOR["resources"]
    ]


def test_describe_shows_fields_types_constraints_and_rows():
    result = run_cli("describe", "winners")
    assert result.returncode == 0, result.stderr
    rows = len(rows_of(ROOT / "data" / "winners.csv")) - 1
    assert f"rows: {rows}" in result.stdout
    assert "primary key: id" in result.stdout
    assert "foreign key: award_id -> awards(id)" in result.stdout
    assert re.search(r"^award_id\s+string", result.stdout, re.M)
    assert "constraints: required=true" in result.stdout


def test_show_prints_the_first_rows():
    result = run_cli("show", "winners", "--limit", "3")
    assert result.returncode == 0, result.stderr
    assert "上海" in result.stdout
    assert re.search(r"\(3 of \d+ rows\)", result.stdout)


def test_validate_bundled_package_exits_0():
    result = run_cli("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("valid")


def test_validate_a_copy_exits_0(package_copy):
    result = run_cli("validate", package_copy, "--format", "json")
    assert result.returncode == 0, result.stdout
    assert json.loads(result.stdout)["valid"] is True


@pytest.fixture
def broken(package_copy: Path) -> Path:
    """A copy with a duplicated primary key, a dangling foreign key and a bad date."""
    rows = rows_of(package_copy / "data" / "winners.csv")
    write_rows(package_copy / "data" / "winners.csv", [*rows, rows[1]])  # record len(rows) + 1
    set_cell(package_copy, "winners", 3, "award_id", "no-such-award")
    set_cell(package_copy, "sessions", 2, "end_date", "2023-02-30")
    return package_copy


def test_validate_reports_key_and_type_errors(broken):
    result = run_cli("validate", broken, "--format", "json")
    assert result.returncode == 1, result.stdout + result.stderr
    findings = {
        (f["code"], f["resource"], f["row"], f["field"])
        for f in json.loads(result.stdout)["findings"]
    }
    duplicate_row = len(rows_of(broken / "data" / "winners.csv"))
    assert ("primary-key", "winners", duplicate_row, "") in findings
    assert ("foreign-key", "winners", 3, "") in findings or any(
        f[0] == "foreign-key" and f[1:3] == ("winners", 3) for f in findings
    )
    assert ("type-error", "sessions", 2, "end_date") in findings


def test_validate_text_and_github_formats(broken):
    text = run_cli("validate", broken)
    assert text.returncode == 1
    assert re.search(r"data/winners\.csv, row 3.*\[foreign-key\]", text.stdout)
    assert text.stdout.strip().splitlines()[-1].endswith("findings")
    github = run_cli("validate", broken, "--format", "github")
    assert github.returncode == 1
    assert re.search(
        r"^::error file=data/sessions\.csv,line=2,title=type-error::", github.stdout, re.M
    )


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "/nonexistent/package"),
        ("show", "no-such-resource"),
        ("describe", "no-such-resource"),
    ],
)
def test_unreadable_input_exits_2_with_one_line(args):
    result = run_cli(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("Error: ")


def test_malformed_descriptor_exits_2(package_copy):
    (package_copy / "datapackage.json").write_text("{not json", encoding="utf-8")
    result = run_cli("validate", package_copy)
    assert result.returncode == 2
    assert result.stderr.startswith("Error: ") and "not valid JSON" in result.stderr


def test_bad_usage_exits_2():
    assert run_cli("validate", "--format", "xml").returncode == 2
    assert run_cli("no-such-command").returncode == 2


def test_show_on_bad_data_is_one_line(package_copy):
    set_cell(package_copy, "winners", 2, "source_paragraph", "eleven")
    result = run_cli("show", "winners", "--package", package_copy)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "Error: data/winners.csv, row 2, field 'source_paragraph': cannot read 'eleven' as integer"
    )
