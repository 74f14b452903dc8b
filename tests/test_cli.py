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
    assert re.search(r": valid \(14 resources, \d+ rows, [\d.]+ s, fast engine\)$", result.stdout)


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
    assert re.search(
        r": invalid: 4 findings \(14 resources, \d+ rows", text.stdout.splitlines()[-1]
    )
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
    assert run_cli("docs", "--check", "true").returncode == 2  # a flag takes no value


def test_show_on_bad_data_is_one_line(package_copy):
    set_cell(package_copy, "winners", 2, "source_paragraph", "eleven")
    result = run_cli("show", "winners", "--package", package_copy)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "Error: data/winners.csv, row 2, field 'source_paragraph': cannot read 'eleven' as integer"
    )


# --- helpers for the newcomer's path ------------------------------------------------------


def write_package(folder: Path, tables: dict[str, tuple[list[dict], list[list[str]]]]) -> Path:
    """A package of CSV resources with inline schemas: {name: (fields, rows)}."""
    folder.mkdir(parents=True, exist_ok=True)
    resources = []
    for name, (fields, rows) in tables.items():
        write_rows(folder / f"{name}.csv", [[f["name"] for f in fields], *rows])
        resources.append({"name": name, "path": f"{name}.csv", "schema": {"fields": fields}})
    descriptor = {"name": folder.name.lower(), "resources": resources}
    (folder / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False))
    return folder


def run_with_tty_stderr(
    *args: str, cwd: Path | None = None, timeout: float = 120, bar_delay: float | None = None
):
    """Run the CLI with stderr on a pseudo-terminal: (exit code, stdout, what the tty got).

    `bar_delay` replaces the seconds a validation runs before its progress bar appears.
    """
    import os
    import pty
    import select
    import subprocess
    import sys
    import time

    inject = (
        "" if bar_delay is None else f"import expo_data.cli.progress as p; p.DELAY = {bar_delay}; "
    )
    code = f"import sys; {inject}from expo_data.cli import main; sys.argv[0] = 'expo-data'; main()"
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "100"}
    process = subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
        cwd=cwd,
        env=env,
    )
    os.close(slave)
    tty, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            tty += data
        elif process.poll() is not None:
            break
    os.close(master)
    stdout = process.stdout.read().decode("utf-8")
    process.wait(timeout=10)
    return process.returncode, stdout, tty.decode("utf-8", "replace")


HELP_COMMANDS = [
    ("list",),
    ("describe",),
    ("show",),
    ("validate",),
    ("init",),
    ("docs",),
    ("download",),
    ("sql",),
    ("release", "build"),
]


# --- 1. suggestions -----------------------------------------------------------------------


def test_unknown_resource_suggests_the_close_name():
    result = run_cli("show", "winner", "-p", ROOT)
    names = ", ".join(r["name"] for r in DESCRIPTOR["resources"])
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"Error: no resource 'winner' in {ROOT / 'datapackage.json'}; did you mean 'winners'? "
        f"(has: {names})\n"
    )


def test_library_lookup_suggests_too():
    import expo_data

    with pytest.raises(expo_data.ResourceNotFound, match=r"did you mean 'winners'\?"):
        expo_data.load("winner")
    with pytest.raises(ValueError, match=r"unknown engine 'fas'; did you mean 'fast'\?"):
        expo_data.validate(engine="fas")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("validate", "--format", "jsn"),
            "Error: unknown format 'jsn'; did you mean 'json'? (choose one of text, json, github, markdown)",
        ),
        (
            ("validate", "--engine", "fric"),
            "Error: unknown engine 'fric'; did you mean 'frictionless'? "
            "(choose one of fast, frictionless, duckdb)",
        ),
        (
            ("show", "winners", "-f", "tabel"),
            "Error: unknown format 'tabel'; did you mean 'table'? (choose one of table, csv, json)",
        ),
        (
            ("show", "winners", "-c", "idd,award_id"),
            "Error: unknown field 'idd'; did you mean 'id'? (choose one of id, award_id, "
            "winner_type, place_id, organisation_id, winner_name_zh_hant, list_position, "
            "list_marked_partial, source_id, source_paragraph, notes)",
        ),
    ],
)
def test_unknown_choices_suggest_in_one_line(args, message):
    result = run_cli(*args)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", message + "\n")


def test_unknown_command_suggests():
    result = run_cli("lst")
    assert result.returncode == 2
    assert "No such command 'lst'. Did you mean 'list'?" in result.stderr
    result = run_cli("release", "biuld")
    assert "No such command 'biuld'. Did you mean 'build'?" in result.stderr


def test_choices_are_case_insensitive():
    result = run_cli("validate", "--format", "JSON", "--engine", "Fast")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["stats"]["engine"] == "fast"
    shown = run_cli("show", "awards", "-n", "1", "--format", "CSV", "-c", "id")
    assert shown.stdout.splitlines()[0] == "id"


def test_offline_suggests_a_cached_version(tmp_path):
    import expo_data

    version = expo_data.__version__  # e.g. 2.0.0, asked for as 2.0
    expo_data.build_release(out=tmp_path / "releases" / version)
    env = {"EXPO_DATA_CACHE": tmp_path / "cache", "EXPO_DATA_RELEASE_URL": tmp_path / "releases"}
    assert run_cli("download", "--version", version, env=env).returncode == 0
    result = run_cli("download", "--version", version.rsplit(".", 1)[0], "--offline", env=env)
    assert result.returncode == 1
    assert f"did you mean '{version}'?" in result.stderr and "Traceback" not in result.stderr


# --- 2. help that teaches -----------------------------------------------------------------


@pytest.mark.parametrize("path", HELP_COMMANDS, ids=" ".join)
def test_every_command_help_has_a_purpose_and_examples(path):
    result = run_cli(*path, "--help")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    purpose = text.split("\n\n")[1].strip()
    assert purpose and purpose.endswith(".") and "\n" not in purpose.split(". ")[0]
    examples = text.split("Examples:\n", 1)[1].splitlines()
    shown = [line for line in examples if line.strip().startswith("expo-data ")]
    assert 1 <= len(shown) <= 3, text
    assert all(line.split()[1 : 1 + len(path)] == list(path) for line in shown), shown
    assert "<bool>" not in text


def test_boolean_options_render_as_flags():
    text = run_cli("docs", "--help").stdout
    assert re.search(r"^\s+--check\s+Write nothing", text, re.M), text
    assert re.search(r"^\s+--allow-remote\s+Trust", text, re.M), text


def test_validate_takes_the_package_both_ways(package_copy):
    positional = run_cli("validate", package_copy, "-f", "json")
    option = run_cli("validate", "-p", package_copy, "-f", "json")
    assert positional.returncode == option.returncode == 0
    assert json.loads(positional.stdout)["package"] == json.loads(option.stdout)["package"]
    both = run_cli("validate", package_copy, "-p", package_copy)
    assert (both.returncode, both.stderr) == (
        2,
        "Error: pass the package as PATH or as -p/--package, not both\n",
    )


def test_cli_reference_is_fresh_and_independent_of_the_terminal():
    from expo_data.cli.reference import render

    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == render(), (
        "docs/cli.md is stale: run `python -m expo_data.cli.reference docs/cli.md`"
    )
    import subprocess
    import sys

    for columns in ("40", "200"):
        check = subprocess.run(
            [sys.executable, "-m", "expo_data.cli.reference", "--check", ROOT / "docs" / "cli.md"],
            capture_output=True,
            text=True,
            env={**__import__("os").environ, "COLUMNS": columns},
        )
        assert check.returncode == 0, check.stdout + check.stderr
    page = render()
    for path in HELP_COMMANDS:
        assert f"\n## expo-data {' '.join(path)}\n" in page


def test_reference_check_reports_a_stale_page(tmp_path):
    from expo_data.cli.reference import main

    stale = tmp_path / "cli.md"
    stale.write_text("old\n", encoding="utf-8")
    assert main(["--check", str(stale)]) == 1
    assert stale.read_text(encoding="utf-8") == "old\n"
    assert main([str(stale)]) == 0 and main(["--check", str(stale)]) == 0


# --- 3. the validate summary and progress -------------------------------------------------


def test_validate_text_ends_with_a_summary_table(broken):
    result = run_cli("validate", broken)
    lines = result.stdout.splitlines()
    start = lines.index("resource              rows  fields  findings")
    table = lines[start:-2]
    assert set(table[1]) == {"-", " "}
    rows = {line.split()[0]: line.split(None, 3)[1:] for line in table[2:]}
    assert list(rows) == [r["name"] for r in DESCRIPTOR["resources"]]
    winners_rows = len(rows_of(broken / "data" / "winners.csv")) - 1
    fields = len(json.loads((ROOT / "schemas" / "winners.json").read_text())["fields"])
    assert rows["winners"] == [
        str(winners_rows),
        str(fields),
        "foreign-key 1, primary-key 1, unique-error 1",
    ]
    assert rows["sessions"][2] == "type-error 1"
    assert rows["awards"][2] == "-"
    assert lines[-2] == ""
    assert re.fullmatch(
        rf"{re.escape(str(broken / 'datapackage.json'))}: invalid: 4 findings "
        r"\(14 resources, \d+ rows, \d+\.\d\d s, fast engine\)",
        lines[-1],
    )


def test_validate_json_carries_rows_and_fields(package_copy):
    report = json.loads(run_cli("validate", package_copy, "-f", "json").stdout)
    tables = report["stats"]["tables"]
    assert tables["winners"]["rows"] == len(rows_of(package_copy / "data" / "winners.csv")) - 1
    assert tables["awards"]["fields"] == len(
        json.loads((ROOT / "schemas" / "awards.json").read_text())["fields"]
    )


def test_no_progress_when_stderr_is_not_a_terminal(package_copy):
    result = run_cli("validate", package_copy)
    assert result.returncode == 0 and result.stderr == ""


@pytest.fixture(scope="module")
def big_package(tmp_path_factory) -> Path:
    """One resource of 50 000 rows (about 1 MB)."""
    folder = tmp_path_factory.mktemp("big") / "big"
    fields = [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}]
    rows = [[str(i), f"名字-{i}"] for i in range(50_000)]
    return write_package(folder, {"measurements": (fields, rows)})


def test_progress_bar_on_a_terminal(big_package):
    code, stdout, tty = run_with_tty_stderr("validate", "-p", big_package, bar_delay=0)
    assert code == 0, stdout + tty
    assert "measurements" in tty and re.search(r"\d+(\.\d)? (MB|kB) of \d+\.\d (MB|kB)", tty), tty
    assert "\x1b" not in stdout and stdout.splitlines()[-1].endswith("fast engine)")
    code, stdout, tty = run_with_tty_stderr(
        "validate", "-p", big_package, "-f", "json", bar_delay=0
    )
    assert code == 0 and tty == "" and json.loads(stdout)["valid"]


def test_progress_bar_counts_rows_with_frictionless(tmp_path):
    fields = [{"name": "id", "type": "integer"}]
    rows = [[str(i)] for i in range(4000)]
    package = write_package(tmp_path / "rows", {"items": (fields, rows)})
    code, stdout, tty = run_with_tty_stderr(
        "validate", "-p", package, "--engine", "frictionless", bar_delay=0
    )
    assert code == 0, stdout + tty
    assert "items" in tty and re.search(r"[\d,]+ rows of 4,000 rows", tty), tty


def test_progress_object_draws_after_its_delay():
    import io

    from rich.console import Console

    from expo_data.cli.progress import ValidationProgress

    out = io.StringIO()
    progress = ValidationProgress(Console(file=out, force_terminal=True, width=100), delay=0)
    progress("winners", 1024, 2048, "bytes")
    progress.close()
    assert "winners" in out.getvalue() and "1.0 kB of 2.0 kB" in out.getvalue()
    quiet = io.StringIO()
    progress = ValidationProgress(Console(file=quiet, force_terminal=True), delay=3600)
    progress("winners", 1024, 2048, "bytes")
    progress.close()
    assert quiet.getvalue() == ""


# --- 4. aligned tables, show formats ------------------------------------------------------


def display_width(text: str) -> int:
    import unicodedata

    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def test_show_aligns_cjk_and_emoji_by_display_width(tmp_path):
    fields = [{"name": "name", "type": "string"}, {"name": "n", "type": "integer"}]
    rows = [
        ["上海市浦東新區", "1"],
        ["Zürich", "22"],
        ["🚀 launch", "333"],
        ["e\u0301te\u0301", "4"],
    ]
    package = write_package(tmp_path / "wide", {"places": (fields, rows)})
    result = run_cli("show", "places", "-p", package)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "(4 of 4 rows)"
    table = lines[:-1]
    assert len({display_width(line) for line in table}) == 1, table  # n is right-aligned
    assert table[2] == "上海市浦東新區    1"


def test_show_of_the_chtf_package_is_aligned():
    result = run_cli("show", "winners", "-c", "winner_name_zh_hant,list_position", "-n", "0")
    lines = result.stdout.splitlines()[:-1]
    assert len({display_width(line) for line in lines}) == 1


def test_show_formats_csv_and_json(package_copy):
    csv_out = run_cli("show", "awards", "-p", package_copy, "-n", "0", "-f", "csv")
    assert csv_out.returncode == 0, csv_out.stderr
    assert list(csv.reader(csv_out.stdout.splitlines())) == rows_of(
        package_copy / "data" / "awards.csv"
    )
    json_out = run_cli("show", "winners", "-p", package_copy, "-n", "2", "-f", "json")
    records = json.loads(json_out.stdout)
    assert len(records) == 2 and records[0]["winner_name_zh_hant"] == "上海"
    assert isinstance(records[0]["list_position"], int)


def test_sql_uses_the_same_aligned_table():
    from expo_data.display import render_table
    from expo_data.sql import render_table as sql_table

    assert sql_table is render_table
    assert render_table(["a", "b"], [("深圳", 1), ("x", 22)]).splitlines() == [
        "a      b",
        "----  --",
        "深圳   1",
        "x     22",
    ]


# --- 5. messages in the caller's words ----------------------------------------------------


def test_force_is_an_argument_in_the_library_and_a_flag_in_the_cli(tmp_path):
    import expo_data

    out = tmp_path / "release"
    assert run_cli("release", "build", "--out", out).returncode == 0
    again = run_cli("release", "build", "--out", out)
    assert again.returncode == 1
    assert again.stderr == f"Error: {out} is not empty; pass --force to replace the release there\n"
    with pytest.raises(
        expo_data.ReleaseError, match=r"pass force=True to replace the release there$"
    ):
        expo_data.build_release(out=out)


def test_unsafe_paths_name_the_argument_or_the_flag(package_copy):
    import expo_data

    descriptor = json.loads((package_copy / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][0]["path"] = "../outside.csv"
    (package_copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    with pytest.raises(expo_data.UnsafePathError, match=r"pass trusted=True to allow it"):
        expo_data.load("sources", package_copy)
    shown = run_cli("show", "sources", "-p", package_copy)
    assert shown.returncode == 2
    assert shown.stderr.startswith("Error: ") and "pass --allow-remote to allow it" in shown.stderr
    report = json.loads(run_cli("validate", package_copy, "-f", "json").stdout)
    assert "pass --allow-remote to allow it" in report["findings"][0]["message"]
    assert "trusted=True" in expo_data.validate(package_copy).findings[0].message


def test_a_csv_where_a_descriptor_is_expected():
    result = run_cli("validate", "data/winners.csv", cwd=ROOT)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: data/winners.csv is a data file, not a package descriptor (datapackage.json); "
        "pass -p .\n"
    )


def test_a_csv_outside_any_package_suggests_init(tmp_path):
    import expo_data

    (tmp_path / "loose").mkdir()
    write_rows(tmp_path / "loose" / "t.csv", [["a"], ["1"]])
    result = run_cli("list", "-p", "loose/t.csv", cwd=tmp_path)
    assert result.stderr == (
        "Error: loose/t.csv is a data file, not a package descriptor (datapackage.json); "
        "to make loose a package, run `expo-data init loose`\n"
    )
    with pytest.raises(expo_data.PackageError, match="use init_package"):
        expo_data.resource_names(tmp_path / "loose" / "t.csv")


def test_every_public_function_taking_trusted_explains_it():
    import inspect

    import expo_data

    for name in expo_data.__all__:
        obj = getattr(expo_data, name)
        if inspect.isfunction(obj) and "trusted" in inspect.signature(obj).parameters:
            assert "`trusted=True`" in (obj.__doc__ or ""), name


# --- 6. which package ---------------------------------------------------------------------


def test_without_p_a_command_uses_the_package_here(tmp_path):
    fields = [{"name": "sku", "type": "string"}]
    write_package(tmp_path / "shop", {"products": (fields, [["a-1"]])})
    here = run_cli("list", cwd=tmp_path / "shop")
    assert (here.returncode, here.stdout.split()) == (0, ["products"])
    assert run_cli("validate", "-f", "json", cwd=tmp_path / "shop").returncode == 0
    elsewhere = run_cli("list", cwd=tmp_path)
    assert [line.split()[0] for line in elsewhere.stdout.splitlines()] == [
        r["name"] for r in DESCRIPTOR["resources"]
    ]


def test_on_a_terminal_it_says_which_package(tmp_path):
    fields = [{"name": "sku", "type": "string"}]
    write_package(tmp_path / "shop", {"products": (fields, [["a-1"]])})
    code, stdout, tty = run_with_tty_stderr("list", cwd=tmp_path / "shop")
    assert (code, stdout, tty.strip()) == (0, "products\n", "Using ./datapackage.json")
    code, stdout, tty = run_with_tty_stderr("list", cwd=tmp_path)
    assert code == 0 and tty.strip() == (
        f"Using the bundled package ({DESCRIPTOR['title']}, version {DESCRIPTOR['version']})"
    )
    code, stdout, tty = run_with_tty_stderr("list", "-p", ROOT, cwd=tmp_path)
    assert code == 0 and tty == ""
    code, stdout, tty = run_with_tty_stderr("show", "products", "-f", "json", cwd=tmp_path / "shop")
    assert code == 0 and tty == "" and json.loads(stdout) == [{"sku": "a-1"}]


def test_describe_aligns_cjk_field_names(tmp_path):
    fields = [{"name": "名稱", "type": "string"}, {"name": "id", "type": "integer"}]
    package = write_package(tmp_path / "cjk", {"things": (fields, [["茶", "1"]])})
    result = run_cli("describe", "things", "-p", package)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == ["名稱  string", "id    integer"]
