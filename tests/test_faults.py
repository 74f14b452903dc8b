"""A fault corpus: one kind of damage per case, applied to a copy of the real package.

Each case damages its own copy, then runs `expo-data validate --format json` (per engine) and
`expo-data show` on it as subprocesses. The tests check the exit code, the finding's code and
location (resource, row = CSV record with header 1, field), that nothing printed a traceback,
that `show` either loads or fails with one `Error: …` line naming the place, and that the copy
is byte-for-byte unchanged afterwards. The subprocesses of all selected cases run up front in
a thread pool, one per core, which keeps the corpus under two minutes on two cores.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, copy_package, run_cli

DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
ENGINES = ("frictionless", "fast", "duckdb")
FAST_MISSING = importlib.util.find_spec("expo_data.validation.fast") is None
ANY = object()  # an expected row or field that is not checked (it does not apply)
TEN_MB = 10 * 1024 * 1024


# -- damaging a copy ------------------------------------------------------------------------


def csv_path(package: Path, resource: str) -> Path:
    return package / "data" / f"{resource}.csv"


def rows_of(package: Path, resource: str) -> list[list[str]]:
    with open(csv_path(package, resource), encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def write_rows(package: Path, resource: str, rows: list[list[str]]) -> None:
    with open(csv_path(package, resource), "w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerows(rows)


def set_cell(package: Path, resource: str, row: int, field: str, value: str) -> None:
    """Set the cell of `field` at CSV record `row` (header = 1)."""
    rows = rows_of(package, resource)
    rows[row - 1][rows[0].index(field)] = value
    write_rows(package, resource, rows)


def edit_rows(package: Path, resource: str, edit: Callable[[list[list[str]]], object]) -> None:
    rows = rows_of(package, resource)
    edit(rows)
    write_rows(package, resource, rows)


def edit_bytes(package: Path, resource: str, edit: Callable[[bytes], bytes]) -> None:
    path = csv_path(package, resource)
    path.write_bytes(edit(path.read_bytes()))


def edit_json(path: Path, edit: Callable[[dict], object]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def set_resource_key(package: Path, resource: str, key: str, value: object) -> None:
    def edit(descriptor: dict) -> None:
        next(r for r in descriptor["resources"] if r["name"] == resource)[key] = value

    edit_json(package / "datapackage.json", edit)


def set_resource_path(package: Path, resource: str, path: str) -> None:
    set_resource_key(package, resource, "path", path)


def tree_hash(root: Path) -> str:
    """sha256 over every path under `root` with its bytes (a symlink: its target, unfollowed)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        if path.is_symlink():
            digest.update(b"-> " + os.readlink(path).encode())
        elif path.is_file():
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


# -- the corpus -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """One kind of damage and what `validate` and `show` must say about it."""

    id: str
    resource: str  # the resource damaged, and the one `show` loads
    damage: Callable[[Path], object]
    code: str = ""  # a finding code `validate` must report (exit 1)
    row: object = ANY
    field: object = ANY
    exit_code: int = 1
    error: str = ""  # with exit 2: a regex `validate`'s one-line `Error: …` must match
    show: str | None = None  # a regex `show`'s one-line `Error: …` must match; None: it loads


def where(resource: str, row: int | None = None, field: str | None = None) -> str:
    """A regex for the place a one-line loader error must name: file, row, field."""
    parts = [re.escape(f"data/{resource}.csv")]
    if row is not None:
        parts.append(f"row {row}")
    if field is not None:
        parts.append(re.escape(f"field {field!r}"))
    return ", ".join(parts) + ": "


def cell_fault(
    id: str, resource: str, row: int, field: str, value: str, code: str, *, fails: str = ""
) -> Fault:
    """Set one cell; `show` must fail there (with `fails` after the place) if `fails`."""
    return Fault(
        id,
        resource,
        lambda p: set_cell(p, resource, row, field, value),
        code,
        row,
        field,
        show=where(resource, row, field) + fails if fails else None,
    )


def dangling_foreign_keys() -> list[tuple[str, str, int]]:
    """(resource, field, row) for every foreign key in the schemas: where the corpus breaks it.

    The keys of one resource break on different rows where the resource has enough of them.
    """
    keys = []
    for resource in DESCRIPTOR["resources"]:
        schema = json.loads((ROOT / resource["schema"]).read_text(encoding="utf-8"))
        rows, used = rows_of(ROOT, resource["name"]), set()
        for fk in schema.get("foreignKeys", []):
            fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
            assert len(fields) == 1, "a composite foreign key needs its own case"
            column = rows[0].index(fields[0])
            filled = [n for n, r in enumerate(rows[1:], 2) if r[column]] or [2]
            row = next((n for n in filled if n not in used), filled[0])
            used.add(row)
            keys.append((resource["name"], fields[0], row))
    return keys


DANGLING = dangling_foreign_keys()


def break_foreign_keys(package: Path) -> None:
    for resource, field, row in DANGLING:
        set_cell(package, resource, row, field, "no-such-id")


def swap_columns(rows: list[list[str]], a: int, b: int) -> None:
    for r in rows:
        r[a], r[b] = r[b], r[a]


def insert_blank_line(data: bytes) -> bytes:
    lines = data.split(b"\n")
    return b"\n".join([*lines[:3], b"", *lines[3:]])  # a blank record 4


def open_quote(data: bytes) -> bytes:
    lines = data.split(b"\n")
    lines[2] = b'"' + lines[2]  # record 3 opens a quote that never closes
    return b"\n".join(lines)


def reencode(package: Path, resource: str, encoding: str) -> None:
    path = csv_path(package, resource)
    path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))


def symlink_out(package: Path) -> None:
    outside = package.parent / "outside"
    outside.mkdir()
    link = csv_path(package, "figures")
    shutil.move(link, outside / "figures.csv")
    link.symlink_to(outside / "figures.csv")


def truncate_descriptor(package: Path) -> None:
    path = package / "datapackage.json"
    path.write_bytes(path.read_bytes()[:-20])


def set_field_type(schema: dict) -> None:
    next(f for f in schema["fields"] if f["name"] == "notes")["type"] = "text"


def set_constraints_to_string(schema: dict) -> None:
    next(f for f in schema["fields"] if f["name"] == "notes")["constraints"] = "required"


def set_pattern_to_bad_regex(schema: dict) -> None:
    next(f for f in schema["fields"] if f["name"] == "mentioned_in")["constraints"]["pattern"] = "["


def reference_missing_resource(schema: dict) -> None:
    next(fk for fk in schema["foreignKeys"] if fk["reference"]["resource"])["reference"][
        "resource"
    ] = "no-such-resource"


def set_pattern(pattern: str):
    def edit(schema: dict) -> None:
        field = next(f for f in schema["fields"] if f["name"] == "mentioned_in")
        field["constraints"]["pattern"] = pattern

    return edit


def duplicate_key(package: Path) -> None:
    path = package / "datapackage.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"name": ', '"name": "twice", "name": ', 1), encoding="utf-8")


def duplicate_resource(package: Path) -> None:
    def edit(descriptor: dict) -> None:
        descriptor["resources"].append(dict(descriptor["resources"][-1]))

    edit_json(package / "datapackage.json", edit)


def stray_quote(data: bytes) -> bytes:
    lines = data.split(b"\n")
    lines[2] = lines[2] + b',"Smart "City" Expo"'  # record 3: a quote inside a quoted cell
    cells = lines[2].split(b",")
    lines[2] = b",".join([*cells[:-2], cells[-1]])
    return b"\n".join(lines)


def header_space(data: bytes) -> bytes:
    header, rest = data.split(b"\n", 1)
    return header.replace(b",notes", b",notes ", 1) + b"\n" + rest


FAULTS = [
    # cells against the Table Schema
    cell_fault(
        "wrong-type",
        "awards",
        3,
        "winners_named",
        "many",
        "type-error",
        fails="cannot read 'many' as integer",
    ),
    cell_fault(
        "bad-date",
        "sessions",
        2,
        "end_date",
        "2023-02-30",
        "type-error",
        fails="cannot read '2023-02-30' as date",
    ),
    cell_fault("out-of-enum", "awards", 4, "kind", "prize", "constraint-error", fails="'prize'"),
    cell_fault("pattern-mismatch", "organisations", 5, "mentioned_in", "4, 7", "constraint-error"),
    cell_fault(
        "missing-required",
        "people",
        3,
        "name_zh_hant",
        "",
        "constraint-error",
        fails="a required value is missing",
    ),
    cell_fault(
        "ten-megabyte-field",
        "winners",
        2,
        "list_position",
        "9" * TEN_MB,
        "cell-too-large",  # over the 1 MiB cell limit: the resource is not parsed further
        fails="cannot read '9999",
    ),
    # cells frictionless reads, and loaders must read the same (issue 11, issue 16)
    cell_fault(
        "hex-integer",
        "awards",
        3,
        "winners_named",
        "0x10",
        "type-error",
        fails="cannot read '0x10' as integer",
    ),
    cell_fault(
        "integer-beyond-int64",
        "awards",
        3,
        "winners_named",
        "99999999999999999999",
        "out-of-range",
        fails="cannot read '99999999999999999999' as integer",
    ),
    cell_fault(
        "year-zero",
        "sessions",
        2,
        "end_date",
        "0000-01-01",
        "type-error",
        fails="cannot read '0000-01-01' as date",
    ),
    cell_fault("nul-byte", "winners", 2, "notes", "a\x00b", "nul-byte"),
    cell_fault("cell-over-the-limit", "winners", 2, "notes", "x" * (2 << 20), "cell-too-large"),
    # keys
    Fault(
        "duplicate-primary-key",
        "winners",
        lambda p: set_cell(p, "winners", 4, "id", rows_of(p, "winners")[1][0]),
        "primary-key",
        4,
    ),
    Fault(
        "dangling-foreign-keys",  # every key; test_each_dangling_foreign_key checks them all
        DANGLING[0][0],
        break_foreign_keys,
        "foreign-key",
        DANGLING[0][2],
        DANGLING[0][1],
    ),
    # the header
    Fault(
        "missing-column",
        "figures",
        lambda p: edit_rows(p, "figures", lambda rows: [r.pop() for r in rows]),
        "missing-label",
        1,
        "notes",
        show=where("figures", 1) + r".*missing column\(s\) \['notes'\]",
    ),
    Fault(
        "extra-column",
        "figures",
        lambda p: edit_rows(p, "figures", lambda rows: [r.append("x") for r in rows]),
        "extra-label",
        1,
        show=where("figures", 1) + r".*extra column\(s\) \['x'\]",
    ),
    Fault(
        "renamed-column",
        "figures",
        lambda p: edit_rows(p, "figures", lambda rows: rows[0].__setitem__(1, "phrase")),
        "incorrect-label",
        1,
        "phrase_as_printed",
        show=where("figures", 1) + r".*missing column\(s\) \['phrase_as_printed'\]",
    ),
    Fault(
        "reordered-columns",
        "figures",
        lambda p: edit_rows(p, "figures", lambda rows: swap_columns(rows, 1, 2)),
        "incorrect-label",
        1,
        "phrase_as_printed",
        show=where("figures", 1) + "columns are out of order",
    ),
    Fault(
        "duplicate-header",
        "figures",
        lambda p: edit_rows(p, "figures", lambda rows: rows[0].__setitem__(2, rows[0][1])),
        "duplicate-label",
        1,
        "value_as_printed",
        show=where("figures", 1),
    ),
    # rows and CSV structure
    Fault(
        "blank-row",
        "winners",
        lambda p: edit_bytes(p, "winners", insert_blank_line),
        "blank-row",
        4,
    ),
    Fault(
        "short-row",
        "winners",
        lambda p: edit_rows(p, "winners", lambda rows: rows[2].pop()),
        "missing-cell",
        3,
        "notes",
        show=where("winners", 3) + "expected 11 cells, got 10",
    ),
    Fault(
        "long-row",
        "winners",
        lambda p: edit_rows(p, "winners", lambda rows: rows[2].append("extra")),
        "extra-cell",
        3,
        show=where("winners", 3) + "expected 11 cells, got 12",
    ),
    Fault(
        "unclosed-quote",
        "winners",
        lambda p: edit_bytes(p, "winners", open_quote),
        "missing-cell",
        3,
        show=where("winners", 3),
    ),
    Fault(
        "stray-quote",
        "winners",
        lambda p: edit_bytes(p, "winners", stray_quote),
        "stray-quote",
        3,
        "notes",
    ),
    Fault(
        "bare-carriage-return",
        "winners",
        lambda p: edit_bytes(
            p, "winners", lambda d: d.replace(b"\n", b"\r", 2).replace(b"\r", b"\n", 1)
        ),
        "bare-carriage-return",
        2,
    ),
    Fault(
        "header-trailing-space",
        "winners",
        lambda p: edit_bytes(p, "winners", header_space),
        "incorrect-label",
        1,
        "notes",
        show=where("winners", 1) + r".*extra column\(s\) \['notes '\]",
    ),
    # bytes and encodings
    Fault(
        "byte-order-mark",
        "figures",
        lambda p: edit_bytes(p, "figures", lambda data: b"\xef\xbb\xbf" + data),
        "byte-order-mark",
        1,
    ),
    Fault(
        "crlf-line-endings",
        "figures",
        lambda p: edit_bytes(p, "figures", lambda data: data.replace(b"\n", b"\r\n")),
        "line-ending",
    ),
    Fault(
        "utf-16",
        "figures",
        lambda p: reencode(p, "figures", "utf-16"),
        "encoding-error",
        show=where("figures", 1) + "the file is not valid UTF-8",
    ),
    Fault(
        "big5",
        "winners",
        lambda p: reencode(p, "winners", "big5"),
        "encoding-error",
        show=where("winners", 2) + "the file is not valid UTF-8",
    ),
    Fault(
        "invalid-utf8-bytes",
        "winners",
        lambda p: edit_bytes(p, "winners", lambda d: d.replace("深圳".encode(), b"\xff\xfe", 1)),
        "encoding-error",
        show=where("winners", 3) + "the file is not valid UTF-8",
    ),
    # text hygiene: the project's own checks
    cell_fault("non-nfc", "places", 3, "notes", "\uf900 and Cafe\u0301", "non-nfc"),
    cell_fault("untrimmed", "places", 2, "name_en", " Shanghai ", "untrimmed"),
    cell_fault("zero-width-space", "places", 2, "name_zh_hant", "上\u200b海", "zero-width"),
    cell_fault(
        "formula-injection",
        "winners",
        2,
        "notes",
        '=HYPERLINK("http://example.com/x","click")',
        "formula-injection",
    ),
    # files
    Fault(
        "empty-file",
        "figures",
        lambda p: csv_path(p, "figures").write_bytes(b""),
        "source-error",
        show=where("figures"),
    ),
    Fault(
        "missing-file",
        "figures",
        lambda p: csv_path(p, "figures").unlink(),
        "scheme-error",
        show=where("figures") + "file not found",
    ),
    # resource paths
    Fault(
        "absolute-path",
        "figures",
        lambda p: set_resource_path(p, "figures", str(csv_path(p, "figures"))),
        "unsafe-path",
        show="resource 'figures': path .* is absolute",
    ),
    Fault(
        "dotdot-path",
        "figures",
        lambda p: set_resource_path(p, "figures", "../package/data/figures.csv"),
        "unsafe-path",
        show="resource 'figures': path .* contains '..'",
    ),
    Fault(
        "url-path",
        "figures",
        lambda p: set_resource_path(p, "figures", "https://example.com/figures.csv"),
        "unsafe-path",
        show="resource 'figures': path .* is remote",
    ),
    Fault(
        "symlink-out-of-package",
        "figures",
        symlink_out,
        "unsafe-path",
        show="resource 'figures': path .* leads outside the package",
    ),
    # descriptors
    Fault(
        "malformed-descriptor",
        "figures",
        truncate_descriptor,
        exit_code=2,
        error=r"datapackage\.json: package descriptor is not valid JSON",
        show=r"datapackage\.json: package descriptor is not valid JSON",
    ),
    Fault(
        "unknown-field-type",
        "figures",
        lambda p: edit_json(p / "schemas" / "figures.json", set_field_type),
        "field-error",
        field="notes",
        show=r"schemas/figures\.json: field 'notes' has unsupported type 'text'",
    ),
    Fault(
        "malformed-schema",
        "figures",
        lambda p: edit_json(p / "schemas" / "figures.json", set_constraints_to_string),
        "package-error",
        show="resource 'figures': constraints must be a JSON object",
    ),
    Fault(
        "invalid-pattern",
        "figures",
        lambda p: edit_json(p / "schemas" / "figures.json", set_pattern_to_bad_regex),
        "package-error",
        show="field 'mentioned_in': pattern '\\[' is not a regular expression",
    ),
    Fault(
        "unknown-encoding",
        "figures",
        lambda p: set_resource_key(p, "figures", "encoding", "klingon"),
        "package-error",
        show="resource 'figures': unknown encoding 'klingon'",
    ),
    Fault(
        "exponential-pattern",
        "organisations",
        lambda p: (
            edit_json(p / "schemas" / "organisations.json", set_pattern("(a+)+$")),
            set_cell(p, "organisations", 2, "mentioned_in", "a" * 30_000 + "b"),
        ),
        "constraint-error",
        2,
        "mentioned_in",
    ),
    Fault(
        "pattern-re2-cannot-compile",
        "organisations",
        lambda p: edit_json(p / "schemas" / "organisations.json", set_pattern("(?=a)(a+)+$")),
        "package-error",
        show="pattern .* cannot be matched in linear time",
    ),
    Fault(
        "duplicate-json-key",
        "figures",
        duplicate_key,
        exit_code=2,
        error=r"datapackage\.json: package descriptor has the key 'name' twice",
        show=r"datapackage\.json: package descriptor has the key 'name' twice",
    ),
    Fault(
        "duplicate-resource-name",
        "figures",
        duplicate_resource,
        "package-error",
        show="two resources are named",
    ),
    Fault(
        "deeply-nested-descriptor",
        "figures",
        lambda p: (p / "datapackage.json").write_text("[" * 100_000, encoding="utf-8"),
        exit_code=2,
        error=r"datapackage\.json: package descriptor is nested too deeply",
        show=r"datapackage\.json: package descriptor is nested too deeply",
    ),
    Fault(
        "foreign-key-to-missing-resource",
        "winners",
        lambda p: edit_json(p / "schemas" / "winners.json", reference_missing_resource),
        "resource-error",
    ),
]
BY_ID = {f.id: f for f in FAULTS}


# -- running the corpus ---------------------------------------------------------------------


@dataclass
class Outcome:
    """What the commands returned for one damaged copy, and its tree before and after."""

    validate: dict[str, subprocess.CompletedProcess]
    show: subprocess.CompletedProcess
    before: str
    after: str


def engines_to_run() -> list[str]:
    return [e for e in ENGINES if not (e == "fast" and FAST_MISSING)]


def run_corpus(faults: list[Fault], pristine: Path, root: Path) -> dict[str, Outcome]:
    """Damage a copy per fault, then run every command of every fault in parallel."""
    folders, jobs = {}, []
    for fault in faults:
        folders[fault.id] = root / fault.id  # holds the package, and whatever it points out to
        package = folders[fault.id] / "package"
        shutil.copytree(pristine, package, symlinks=True)
        fault.damage(package)
        for engine in engines_to_run():
            jobs.append(
                (fault.id, engine, ("validate", package, "--format", "json", "--engine", engine))
            )
        jobs.append((fault.id, "show", ("show", fault.resource, "--package", package, "-n", "1")))
    before = {id: tree_hash(folder) for id, folder in folders.items()}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda job: run_cli(*job[2]), jobs))
    outcomes = {
        id: Outcome({}, None, before[id], tree_hash(folder)) for id, folder in folders.items()
    }
    for (id, command, _), result in zip(jobs, results, strict=True):
        if command == "show":
            outcomes[id].show = result
        else:
            outcomes[id].validate[command] = result
    return outcomes


@pytest.fixture(scope="session")
def outcomes(request: pytest.FixtureRequest, tmp_path_factory) -> dict[str, Outcome]:
    """The outcome of every fault the session's selected tests need, run once."""
    needed = set()
    for item in request.session.items:
        params = getattr(item, "callspec", None)
        if params is not None and "fault" in params.params:
            needed.add(params.params["fault"].id)
        if params is not None and "key" in params.params:
            needed.add("dangling-foreign-keys")
    pristine = copy_package(tmp_path_factory.mktemp("pristine") / "package")
    faults = [f for f in FAULTS if f.id in needed]
    return run_corpus(faults, pristine, tmp_path_factory.mktemp("faults"))


def assert_no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stderr[-3000:]


def assert_one_line_error(result: subprocess.CompletedProcess, pattern: str) -> None:
    assert result.stdout == "", result.stdout[:1000]
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr[-3000:]
    assert len(lines[0]) < 1000, "the error repeats a huge cell"
    assert re.search(pattern, lines[0]), lines[0]


def findings_of(result: subprocess.CompletedProcess) -> list[dict]:
    assert len(result.stdout) < 100_000, "the report repeats a huge cell"
    return json.loads(result.stdout)["findings"]


def located(finding: dict) -> tuple:
    return finding["code"], finding["resource"], finding["row"], finding["field"]


ENGINE_PARAMS = [
    pytest.param(
        engine,
        marks=pytest.mark.skipif(
            engine == "fast" and FAST_MISSING,
            reason="the fast engine (expo_data.validation.fast) is not implemented yet",
        ),
    )
    for engine in ENGINES
]
FAULT_PARAMS = [pytest.param(f, id=f.id) for f in FAULTS]


def test_the_corpus_has_thirty_kinds_of_fault():
    assert len(BY_ID) == len(FAULTS) >= 30


@pytest.mark.parametrize("engine", ENGINE_PARAMS)
@pytest.mark.parametrize("fault", FAULT_PARAMS)
def test_validate_reports_the_fault(fault: Fault, engine: str, outcomes: dict[str, Outcome]):
    result = outcomes[fault.id].validate[engine]
    assert_no_traceback(result)
    assert result.returncode == fault.exit_code, result.stdout[:3000] + result.stderr[-3000:]
    if fault.exit_code == 2:
        assert_one_line_error(result, fault.error)
        return
    findings = findings_of(result)
    assert any(
        f["code"] == fault.code
        and f["resource"] == fault.resource
        and fault.row in (ANY, f["row"])
        and fault.field in (ANY, f["field"])
        for f in findings
    ), [located(f) for f in findings]


@pytest.mark.parametrize("engine", ENGINE_PARAMS)
@pytest.mark.parametrize("key", [pytest.param(key, id=f"{key[0]}.{key[1]}") for key in DANGLING])
def test_each_dangling_foreign_key_is_reported(key, engine: str, outcomes: dict[str, Outcome]):
    resource, field, row = key
    result = outcomes["dangling-foreign-keys"].validate[engine]
    assert result.returncode == 1, result.stderr[-3000:]
    found = [located(f) for f in findings_of(result)]
    assert ("foreign-key", resource, row, field) in found, found


@pytest.mark.parametrize("fault", FAULT_PARAMS)
def test_show_loads_or_fails_in_one_line(fault: Fault, outcomes: dict[str, Outcome]):
    result = outcomes[fault.id].show
    assert_no_traceback(result)
    if fault.show is None:
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode in (1, 2)
        assert_one_line_error(result, fault.show)


@pytest.mark.parametrize("fault", FAULT_PARAMS)
def test_the_damaged_copy_is_left_unchanged(fault: Fault, outcomes: dict[str, Outcome]):
    assert outcomes[fault.id].after == outcomes[fault.id].before
