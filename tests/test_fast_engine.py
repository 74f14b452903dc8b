"""The fast engine against frictionless, case by case: same codes, rows, fields and messages.

Every case builds a small package in a temporary folder, runs both engines on it and compares
their findings in `validate`'s order. Where the fast engine deliberately differs, the case
says exactly how (see DIFFERENCES).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from expo_data import validate
from expo_data.errors import DataError
from expo_data.model.descriptor import Field, open_package
from expo_data.read import cells
from expo_data.read.tables import read_table
from expo_data.validation.batch import CONSTRAINTS
from expo_data.validation.combined import FRICTIONLESS_CODES, table_findings
from expo_data.validation.engines import fast as _fast
from expo_data.validation.strict import CODES as STRICT_CODES

from conftest import ROOT, run_cli

DIFFERENCES = """
Deliberate differences from frictionless (each pinned by a test below):
- encoding: a file that is not valid in its declared encoding gets one `encoding-error` and
  no row findings; frictionless also reports the rows it decoded before the failing chunk
  when the bad byte lies past its first buffer and nothing reads the resource as a lookup.
  The messages name the problem differently (frictionless quotes a chunk-relative offset).
- no `encoding` in the descriptor: frictionless guesses one from the first bytes, the fast
  engine reads UTF-8 (the package's convention).
- no `dialect` in the descriptor: frictionless sniffs delimiter and quoting from the first
  100 lines; the fast engine reads the default dialect (comma, double quote), which is what
  the sniffer finds in a regular CSV. Dialect options it does not read itself (escape or
  comment characters, no header, `fieldsMatch` other than exact) hand the whole package's
  Table Schema checks to frictionless.
- integers beyond 64 bits are valid integers to both, but the fast engine holds values in
  int64, so it does not compare them with bounds, enums or keys.
- numbers compare as float64, not Decimal: they differ only past 15-17 significant digits.

Deliberate differences of both engines (validate), pinned in tests/test_v2.py:
- `out-of-range`: integers beyond int64 and numbers beyond float64 ("1e400"), valid to
  frictionless, are findings (the loaders cannot hold them).
- strict reading: `stray-quote`, `unclosed-quote`, `nul-byte`, `bare-carriage-return`,
  `cell-too-large` and header labels with surrounding whitespace (`incorrect-label`)
  are findings; frictionless reads such files its way.
- a file not in its declared encoding is one `encoding-error` (frictionless repeats it
  under every resource whose foreign keys read the file).
- `pattern` is matched by RE2, anchored as `^(?:pattern)$` (frictionless: Python `re`,
  `^pattern$`): ASCII classes, `$` only at the end, alternation anchored as a whole; a
  pattern RE2 cannot compile is a `package-error`.
- v2 `categories` and `uniqueKeys` are checked; v2 properties are read whatever the
  `$schema` (frictionless refuses `exclusiveMinimum` and labelled missingValues without a
  v2 `$schema`).
- descriptor JSON with a duplicate key, NaN/Infinity or nesting beyond 64 levels is refused.

Deliberate differences of every engine (validate), pinned in tests/test_validation_layout.py:
- messages say how to fix the finding after frictionless' own words and "; ": a type error
  the expected format, a repeated key the key and the row that first held it, a foreign key
  missing from the lookup the nearest existing key (when one is close).
- a shifted header (every row with the same extra or missing cells) is one finding, on the
  first row, not one per row; a missing header (no label is a field name) is one
  `incorrect-label`, not one per label.
"""

spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "validate.py")
bench = importlib.util.module_from_spec(spec)
sys.modules["bench"] = bench
spec.loader.exec_module(bench)

HEADER = "id,n,kind,day,parent\n"
ROWS = "A1,5,x,2023-01-05,\nA2,7,y,2023-1-6,A1\nA3,9,x,2023-02-01,A2\n"
SCHEMA_A = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True, "pattern": "A[0-9]+"}},
        {"name": "n", "type": "integer", "constraints": {"minimum": 0, "maximum": 100}},
        {"name": "kind", "type": "string", "constraints": {"enum": ["x", "y"]}},
        {"name": "day", "type": "date"},
        {"name": "parent", "type": "string"},
    ],
    "primaryKey": ["id"],
    "foreignKeys": [{"fields": ["parent"], "reference": {"resource": "", "fields": ["id"]}}],
}
SCHEMA_B = {
    "fields": [{"name": "id", "type": "string"}, {"name": "a_id", "type": "string"}],
    "primaryKey": ["id"],
    "foreignKeys": [{"fields": ["a_id"], "reference": {"resource": "a", "fields": ["id"]}}],
}


def make(root: Path, a: bytes | str, b: str = "id,a_id\nb1,A1\nb2,A3\n", **changes) -> Path:
    """A two-resource package: `a` (self-reference, primary key) and `b` (references a)."""
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "data" / "a.csv").write_bytes(a if isinstance(a, bytes) else a.encode())
    (root / "data" / "b.csv").write_bytes(b.encode())
    schema_a = json.loads(json.dumps(changes.pop("schema_a", SCHEMA_A)))
    resources = [
        {
            "name": "a",
            "path": "data/a.csv",
            "format": "csv",
            "encoding": "utf-8",
            "schema": schema_a,
        },
        {
            "name": "b",
            "path": "data/b.csv",
            "format": "csv",
            "encoding": "utf-8",
            "schema": SCHEMA_B,
        },
    ]
    for key, value in changes.items():  # resource a's descriptor properties
        resources[0][key] = value
    (root / "datapackage.json").write_text(json.dumps({"name": "t", "resources": resources}))
    return root / "datapackage.json"


def ordered(findings, names, *, messages=True) -> list[tuple]:
    order = {name: i for i, name in enumerate(names)}
    keys = sorted(findings, key=lambda f: (order.get(f.resource, -1), f.row or 0))
    return [(f.code, f.resource, f.row, f.field) + ((f.message,) if messages else ()) for f in keys]


def both(descriptor: Path, limit: int = 1000, *, messages: bool = True) -> tuple[list, list]:
    """The findings of `validate` with the frictionless engine and with the fast one."""
    package = open_package(descriptor)
    names = package.resource_names
    reference = table_findings(package, engine="frictionless", limit_errors=limit)
    fast = table_findings(package, engine="fast", limit_errors=limit)
    reference, fast = ([f for f in found if f.code in TABLE] for found in (reference, fast))
    return ordered(reference, names, messages=messages), ordered(fast, names, messages=messages)


#: the Table Schema and strict-reading codes (the project's own checks are compared elsewhere)
TABLE = FRICTIONLESS_CODES | set(STRICT_CODES) | {"out-of-range", "unique-key"}


def swap(text: str, a: int, b: int) -> str:
    rows = [line.split(",") for line in text.splitlines()]
    for row in rows:
        row[a], row[b] = row[b], row[a]
    return "\n".join(",".join(row) for row in rows) + "\n"


SCHEMA_TYPES = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"required": True}},
        {"name": "share", "type": "number", "constraints": {"minimum": 0, "maximum": 1}},
        {"name": "flag", "type": "boolean", "trueValues": ["yes"], "falseValues": ["no"]},
        {"name": "year", "type": "year", "constraints": {"minimum": 2000}},
        {"name": "at", "type": "datetime"},
        {
            "name": "code",
            "type": "string",
            "constraints": {"minLength": 2, "maxLength": 3, "unique": True},
        },
        {"name": "parent", "type": "integer"},
    ],
    "missingValues": ["", "NA"],
    "primaryKey": ["id"],
    "foreignKeys": [{"fields": ["parent"], "reference": {"resource": "", "fields": ["id"]}}],
}
TYPED_HEADER = "id,share,flag,year,at,code,parent\n"
SCHEMA_PAIR = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True}},
        {"name": "n", "type": "integer", "constraints": {"minimum": 0, "maximum": 100}},
        {"name": "kind", "type": "string", "constraints": {"enum": ["x", "y"]}},
        {"name": "day", "type": "date"},
        {"name": "parent", "type": "string"},
    ],
    "primaryKey": ["id", "n"],
    "foreignKeys": [
        {"fields": ["parent", "n"], "reference": {"resource": "", "fields": ["id", "n"]}}
    ],
}

CASES = {
    "valid": HEADER + ROWS,
    "integers": HEADER + "A1, 7 ,x,2023-01-05,\nA2,+5,y,2023-01-05,\nA3,1_000,x,2023-01-05,\n"
    "A4,1.0,x,2023-01-05,\nA5,-0,x,2023-01-05,\n",
    "wrong-type": HEADER + "A1,many,x,2023-01-05,\n",
    "dates": HEADER + "A1,1,x,2023-02-30,\nA2,1,x,2023-1-5,\nA3,1,x,2023/01/05,\n"
    "A4,1,x,0000-01-01,\nA5,1,x,2023-01- 5,\nA6,1,x,2023-13-01,\n",
    "out-of-enum-and-pattern": HEADER + "B1,1,z,2023-01-05,\n",
    "out-of-range": HEADER + "A1,-1,x,2023-01-05,\nA2,101,x,2023-01-05,\n",
    "missing-required": HEADER + ",1,x,2023-01-05,\n",
    "duplicate-primary-key": HEADER + ROWS + "A1,5,x,2023-01-05,\nA1,6,x,2023-01-05,\n",
    "dangling-self-reference": HEADER + ROWS + "A4,1,x,2023-01-05,A9\n",
    "missing-header": "id,n,kind,day\nA1,5,x,2023-01-05\n",
    "extra-header": "id,n,kind,day,parent,extra\nA1,5,x,2023-01-05,,1\nA2,5,x,2023-01-05,,\n",
    "renamed-header": "id,num,kind,day,parent\nA1,5,x,2023-01-05,\n",
    "reordered-header": swap(HEADER + ROWS, 0, 1),
    "duplicate-header": "id,n,n,day,parent\nA1,5,x,2023-01-05,\n",
    "blank-label": "id,,kind,day,parent\nA1,5,x,2023-01-05,\n",
    "blank-rows": HEADER + "A1,5,x,2023-01-05,\n\nA2,5,x,2023-01-05,\n,,,,\n\n",
    "short-and-long-rows": HEADER + "A1,5,x\nA2,5,x,2023-01-05,,extra,more\nA3\n",
    "multi-line-cells": HEADER + 'A1,5,"x\ny",2023-01-05,\n"A\n2",5,x,2023-02-30,A9\nA3,1,x,bad,\n',
    "unclosed-quote": HEADER + 'A1,5,x,2023-01-05,\n"A2,5,x,2023-01-05,\nA3,5,x,2023-01-05,\n',
    "stray-quotes": HEADER + 'A1,5,x"y,2023-01-05,\nA2,5,"x"y,2023-01-05,\nA3\n',
    "byte-order-mark": "\ufeff" + HEADER + ROWS,
    "crlf": (HEADER + ROWS + "A4,1,x\n").replace("\n", "\r\n"),
    "empty-file": "",
    "header-only": HEADER,
    "long-cell": HEADER + "A1," + "9" * 5000 + ",x,2023-01-05,\n",
}


@pytest.mark.parametrize("case", list(CASES))
def test_same_findings(case: str, tmp_path: Path):
    reference, fast = both(make(tmp_path, CASES[case]))
    assert fast == reference


def test_typed_values_keys_and_missing_values(tmp_path: Path):
    rows = [
        "1,0.5,yes,2001,2023-01-05T10:00:00Z,ab,",
        "01,1.5,maybe,1999,2023-01-05T10:00,abcd,1",  # "01" repeats the key 1
        "2,NaN,no,20x1,2023-01-05T10:00:00+08:00,a,7",
        "3,-0,NA,NA,NA,ab,2",
        "4,1e-1,yes,2023,2023-02-30T00:00:00Z,NA,",
        "NA,,,,,,",
    ]
    descriptor = make(tmp_path, TYPED_HEADER + "\n".join(rows) + "\n", schema_a=SCHEMA_TYPES)
    reference, fast = both(descriptor)
    assert fast == reference
    assert {"unique-error", "primary-key", "type-error", "constraint-error", "foreign-key"} <= {
        f[0] for f in fast
    }


def test_huge_integers_are_read_but_not_compared(tmp_path: Path):
    """DIFFERENCES: a 20-digit integer is `out-of-range` to both, but only frictionless bounds it."""
    descriptor = make(tmp_path, HEADER + "A1,99999999999999999999,x,2023-01-05,\n")
    reference, fast = both(descriptor, messages=False)
    assert [f for f in reference if f[1] == "a"] == [
        ("constraint-error", "a", 2, "n"),
        ("out-of-range", "a", 2, "n"),
    ]
    assert [f for f in fast if f[1] == "a"] == [("out-of-range", "a", 2, "n")]


def test_composite_keys(tmp_path: Path):
    text = (
        HEADER
        + "A1,1,x,2023-01-05,\nA1,2,x,2023-01-05,A1\nA1,1,y,2023-01-05,A1\n,,x,,\nA2,3,x,,A9\n"
    )
    reference, fast = both(make(tmp_path, text, schema_a=SCHEMA_PAIR))
    assert fast == reference


def test_foreign_keys_across_resources(tmp_path: Path):
    descriptor = make(tmp_path, HEADER + ROWS, b="id,a_id\nb1,A1\nb2,A9\nb3,\nb1,A2\n")
    reference, fast = both(descriptor)
    assert fast == reference
    assert [f[:4] for f in fast] == [("foreign-key", "b", 3, "a_id"), ("primary-key", "b", 5, "")]


def test_hash_and_byte_count(tmp_path: Path):
    descriptor = make(tmp_path, HEADER + ROWS, bytes=5, hash="sha256:00")
    reference, fast = both(descriptor)
    assert fast == reference
    assert [f[0] for f in fast] == ["hash-count", "byte-count"]


def test_missing_file_and_reference(tmp_path: Path):
    descriptor = make(tmp_path, HEADER + ROWS)
    (tmp_path / "data" / "a.csv").unlink()
    reference, fast = both(descriptor, messages=False)
    assert fast == reference == [("scheme-error", "a", None, ""), ("scheme-error", "b", None, "")]


def test_reference_to_a_missing_resource(tmp_path: Path):
    schema = json.loads(json.dumps(SCHEMA_A))
    schema["foreignKeys"][0]["reference"]["resource"] = "nowhere"
    reference, fast = both(make(tmp_path, HEADER + ROWS, schema_a=schema))
    assert fast == reference


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 8])
def test_limit_errors_cuts_where_frictionless_does(limit: int, tmp_path: Path):
    text = (
        HEADER.replace("parent", "parent,extra")
        + "A1,x,x,2023-01-05,,\nA1,5,z,bad,A7,\n\nA3,,,\nB4,200,y,2023-01-05,,\n"
    )
    reference, fast = both(make(tmp_path, text), limit)
    assert fast == reference


@pytest.mark.parametrize("body", ["", "A1,5,x,2023-01-05,,,\n"])
def test_limit_errors_with_header_errors_only(body: str, tmp_path: Path):
    """frictionless cuts after a row: a file with no rows keeps all its header errors."""
    descriptor = make(tmp_path, "id,x,kind,day,parent,extra1,extra2\n" + body)
    reference, fast = both(descriptor, 2)
    assert fast == reference


def test_invalid_utf8_with_a_lookup_is_one_error(tmp_path: Path):
    """DIFFERENCES: frictionless repeats the error under `b`, whose foreign key reads `a`."""
    data = (HEADER + ROWS).encode() + b"A4,5,\xff,2023-01-05,\n"
    reference, fast = both(make(tmp_path, data), messages=False)
    assert fast == reference == [("encoding-error", "a", None, "")]


def test_invalid_utf8_far_in_a_file_without_lookups(tmp_path: Path):
    """DIFFERENCES: frictionless reports the rows it decoded first; the fast engine does not."""
    schema = {k: v for k, v in SCHEMA_A.items() if k != "foreignKeys"}
    rows = "".join(f"A{i},5,x,2023-01-05,\n" for i in range(1, 20_000)) + "A0,x,x,2023-01-05,\n"
    data = (HEADER + rows).encode() + b"A99999,5,\xff,2023-01-05,\n"
    reference, fast = both(make(tmp_path, data, schema_a=schema), messages=False)
    assert [f for f in fast if f[1] == "a"] == [("encoding-error", "a", None, "")]
    assert ("encoding-error", "a", None, "") in reference


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_faults_in_a_synthetic_package(seed: int, tmp_path: Path):
    descriptor = bench.build_package(tmp_path / "p", 4000, faults=0.03, seed=seed)
    reference, fast = both(descriptor, 10**6)
    assert fast == reference
    assert len(fast) > 50


def test_limit_errors_on_a_synthetic_package(tmp_path: Path):
    """DIFFERENCES: near the cut, the frictionless engine may keep a few more findings.

    frictionless counts its own findings to the cut and the RE2 pattern findings come on
    top; the fast engine counts them all as it goes.
    """
    descriptor = bench.build_package(tmp_path / "p", 3000, faults=0.2, seed=7)
    reference, fast = both(descriptor, 40)
    assert len(fast) == 80  # 40 per damaged resource
    for resource in ("organisations", "exhibitors"):
        rows = sorted({f[2] for f in fast if f[1] == resource})
        differ = {f for f in set(fast) ^ set(reference) if f[1] == resource}
        assert all('constraint "pattern"' in f[4] or f[2] >= rows[-10] for f in differ), differ


def test_unsupported_dialect_falls_back_to_frictionless(tmp_path: Path):
    descriptor = make(
        tmp_path,
        "id;n;kind;day;parent\nA1;x;x;2023-01-05;\n",
        dialect={"delimiter": ";", "commentChar": "#"},
    )
    assert not _fast.supported(open_package(descriptor))
    reference, fast = both(descriptor)
    assert fast == reference


def test_constraint_order_matches_frictionless():
    import frictionless

    for kind, names in CONSTRAINTS.items():
        assert tuple(frictionless.system.select_field_class(kind).supported_constraints) == names


# -- cells: the fast path reads every value as frictionless' value readers do ---------------

TYPES = [
    {"name": "f", "type": "integer"},
    {"name": "f", "type": "number"},
    {"name": "f", "type": "number", "floatNumber": True},
    {"name": "f", "type": "date"},
    {"name": "f", "type": "year"},
    {"name": "f", "type": "datetime"},
    {"name": "f", "type": "boolean"},
    {"name": "f", "type": "time"},
    {"name": "f", "type": "yearmonth"},
]
ALPHABET = "0123456789+-._eE :TZnaifNI()\u0663 /"
CELL = st.one_of(
    st.text(ALPHABET, max_size=12),
    st.from_regex(r"[0-9]{4}-[0-9]{1,2}-[ 0-9]{1,2}", fullmatch=True),
    st.from_regex(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?",
        fullmatch=True,
    ),
    st.from_regex(r"[+-]?[0-9]{1,20}(\.[0-9]*)?([eE][+-]?[0-9]{1,3})?", fullmatch=True),
    # dates in the common spelling, in and out of the calendar (leap days, year 0, day 31)
    st.builds(
        "{:04d}-{:02d}-{:02d}".format,
        st.sampled_from([0, 1, 1900, 1970, 2000, 2023, 2024, 9999]) | st.integers(0, 9999),
        st.integers(0, 13),
        st.sampled_from([0, 1, 28, 29, 30, 31, 32]) | st.integers(0, 99),
    ),
)


@pytest.mark.parametrize("descriptor", TYPES, ids=[d["type"] + str(len(d)) for d in TYPES])
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(CELL, min_size=1, max_size=40))
def test_cells_read_as_frictionless_does(descriptor: dict, values: list[str]):
    import frictionless

    reader = frictionless.Field.from_descriptor(descriptor).create_value_reader()
    field = Field(descriptor["name"], descriptor["type"], descriptor=descriptor)
    typed, bad, _ = cells.values(field, pa.array(values, pa.string()))
    for value, got, wrong in zip(values, typed.to_pylist(), bad.to_pylist(), strict=True):
        expected = reader(value)
        assert wrong == (expected is None), value
        if (
            expected is not None
            and got is not None
            and descriptor["type"] in ("integer", "year", "date")
        ):
            assert got == expected, value


def test_loader_accepts_what_frictionless_accepts(tmp_path: Path):
    descriptor = make(tmp_path, HEADER + "A1,+5,x,2023-1-5,\nA2, 7 ,y,2023-01-06,A1\n")
    package = open_package(descriptor)
    table = read_table(package.resource("a"), package)
    assert table.column("n").to_pylist() == [5, 7]
    assert [str(d) for d in table.column("day").to_pylist()] == ["2023-01-05", "2023-01-06"]


@pytest.mark.parametrize("cell", ["1.0", "99999999999999999999"])
def test_loader_refuses_what_it_cannot_load(cell: str, tmp_path: Path):
    descriptor = make(tmp_path, HEADER + f"A1,{cell},x,2023-01-05,\n")
    package = open_package(descriptor)
    with pytest.raises(DataError, match="row 2"):
        read_table(package.resource("a"), package)


# -- validate() and the command line -----------------------------------------------------------


def test_validate_defaults_to_the_fast_engine(tmp_path: Path):
    descriptor = make(tmp_path, HEADER + "A1,5,x,2023-01-05,\n \u200bA2,5,x,2023-02-30,A1\n")
    on = {"whitespace": True, "format-characters": True}  # the package declares no profile
    fast, slow = (
        validate(descriptor, checks=on),
        validate(descriptor, checks=on, engine="frictionless"),
    )
    assert fast.stats["engine"] == "fast"
    assert [(f.code, f.row, f.field) for f in fast.findings] == [
        (f.code, f.row, f.field) for f in slow.findings
    ]
    assert {"untrimmed", "zero-width", "constraint-error", "type-error"} <= set(fast.codes)


def test_cli_engine_and_limit_errors(tmp_path: Path):
    descriptor = make(tmp_path, HEADER + "A1,x,x,x,\nA2,y,y,y,\n")
    for engine in ("fast", "frictionless", "duckdb"):
        result = run_cli(
            "validate", descriptor, "--engine", engine, "--limit-errors", "2", "-f", "json"
        )
        assert result.returncode == 1, result.stderr
        report = json.loads(result.stdout)
        assert report["stats"]["engine"] == engine
        assert [f["code"] for f in report["findings"]] == ["type-error", "type-error"]
    result = run_cli("validate", descriptor, "--engine", "slow")
    assert result.returncode == 2 and result.stderr.startswith("Error: unknown engine")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.sampled_from(["", "a", "b", "ab", "é", "中", "A1"])), max_size=60
    )
)
def test_a_key_encoded_in_halves_groups_rows_as_one_encoding_does(values: list):
    """A long text key is encoded in two halves at once: equal values, nulls and empty cells
    must each land in one half, and the joined codes must group rows exactly as `codes` does."""
    from unittest import mock

    import numpy as np

    from expo_data.validation import keycodes as keys

    column = pa.array(values, pa.string())
    with mock.patch.object(keys, "SPLIT_ROWS", 0):
        side = keys.halves(column)
    assert side is not None
    low = keys.codes([column.filter(pa.array(~side))])
    high = keys.codes([column.filter(pa.array(side))])
    joined = keys.joined_codes(low, high, side)
    whole = keys.codes([column])
    assert sorted(set(joined.tolist())) == list(range(len(set(whole.tolist()))))  # dense
    assert (np.equal.outer(joined, joined) == np.equal.outer(whole, whole)).all()


@pytest.mark.parametrize("case", ["duplicate-primary-key", "dangling-self-reference", "blank-rows"])
def test_keys_in_halves_find_what_frictionless_finds(case: str, tmp_path: Path, monkeypatch):
    from expo_data.validation import keycodes as keys

    monkeypatch.setattr(keys, "SPLIT_ROWS", 0)
    reference, fast = both(make(tmp_path, CASES[case]))
    assert fast == reference


def test_a_value_both_true_and_false_reads_false(tmp_path: Path):
    """A cell listed in both trueValues and falseValues is false, in one lookup as in frictionless."""
    schema = json.loads(json.dumps(SCHEMA_TYPES))
    flag = schema["fields"][2]
    flag.update(trueValues=["yes", "x"], falseValues=["no", "x"], constraints={"enum": [False]})
    rows = ["1,0.5,x,2001,,ab,", "2,0.5,yes,2001,,abc,", "3,0.5,no,2001,,abd,", "4,0.5,maybe,,,ac,"]
    descriptor = make(tmp_path, TYPED_HEADER + "\n".join(rows) + "\n", schema_a=schema)
    reference, fast = both(descriptor)
    assert fast == reference
    assert [f[:4] for f in fast if f[1] == "a"] == [
        ("constraint-error", "a", 3, "flag"),
        ("type-error", "a", 5, "flag"),
    ]


_SPELLINGS = st.one_of(
    st.none(),
    st.text(alphabet="0123456789-:/", max_size=21),
    st.text(alphabet="01-９٣ é+", max_size=12),
    st.sampled_from(["2023-01-05", "2023-1-05", "0000-01-01", "-", "--5", "5-", "-0"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_SPELLINGS, max_size=40), st.integers(0, 3))
def test_date_and_integer_spellings_from_bytes_match_the_kernels(values: list, cut: int):
    """`_date_like` and `_integer_like` decide from the cells' bytes what RE2 and Arrow's
    string kernels decided: the same cells, on sliced arrays too (null: not like)."""
    import pyarrow.compute as pc

    strings = pa.array(values, pa.string()).slice(min(cut, len(values)))
    date = pc.fill_null(pc.match_substring_regex(strings, r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), False)
    assert cells._date_like(strings).equals(date)
    sign = pc.starts_with(strings, "-")
    digits = pc.if_else(sign, pc.utf8_slice_codeunits(strings, 1), strings)
    short = pc.less_equal(pc.binary_length(digits), 18)
    integer = pc.fill_null(pc.and_(pc.ascii_is_decimal(digits), short), False)
    assert cells._integer_like(strings).equals(integer)


RAGGED = {
    "multi-line": HEADER + 'A1,5,x\nA2,5,"x\ny",2023-01-05,,extra\nA3,5,x,2023-01-05,\n"A\n4"\n',
    "crlf": CASES["crlf"],
    "empty-lines": HEADER + "A1,5,x\n\nA2,5,x,2023-01-05,\n\n",
    "stray-quote": HEADER + 'A1,5,x\nA2,5,"x"y,2023-01-05,\n',
}


@pytest.mark.parametrize(
    ("case", "read_again"),
    [("multi-line", 0), ("crlf", 0), ("empty-lines", 0), ("stray-quote", 1)],
)
def test_ragged_rows_are_numbered_without_reading_a_plain_file_again(
    case: str, read_again: int, tmp_path: Path, monkeypatch
):
    """Where the strict scan finds a file plain, the numbers pyarrow gives the rows it skips
    and the empty lines the scan found settle every row's number: the file is not read
    again. A stray quote (the readers split records differently) still sends it to the
    byte scan. Both find what frictionless finds."""
    from expo_data.validation import scan

    descriptor = make(tmp_path, RAGGED[case])
    reference, _ = both(descriptor)
    reads, whole = [], scan.whole
    monkeypatch.setattr(scan, "whole", lambda stream: reads.append(1) or whole(stream))
    found = [f for f in validate(descriptor, limit_errors=1000).findings if f.code in TABLE]
    assert ordered(found, open_package(descriptor).resource_names) == reference
    assert {"missing-cell", "extra-cell"} & {f[0] for f in reference}
    assert len(reads) == read_again


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.lists(st.text(alphabet='ab,"\n\r 中', max_size=4), max_size=5),
        max_size=12,
    ),
    crlf=st.booleans(),
    bare=st.booleans(),
    chunk=st.integers(1, 48),
    machine=st.booleans(),
)
def test_pyarrow_and_the_strict_scan_lay_out_a_plain_file_as_python_csv(
    rows, crlf, bare, chunk, machine, tmp_path: Path, monkeypatch
):
    """On a file with no stray quote or bare CR (cells quoted as csv.writer quotes them, or
    `bare` where a quote is inside an unquoted cell; empty rows are empty lines), the numbers pyarrow gives the rows it skips and the empty lines the strict
    scan finds (read in chunks of `chunk` bytes, its runs as short; or by its state machine
    alone) lay out the file as
    Python's csv does: kept rows, ragged rows and empty lines."""
    import csv
    import io
    import tempfile

    from expo_data.validation import strict
    from expo_data.validation.records import numbered_layout, python_records
    from expo_data.validation.sources import csv_batches

    def cell(value: str) -> str:  # quoted where it must be (a CR or an LF among them)
        if bare and value[:1] not in ('"', "") and not set(value) & set(",\r\n"):
            return value  # a quote inside an unquoted cell is a byte like any other
        line = io.StringIO(newline="")
        csv.writer(line, lineterminator="\r\n").writerow([value])
        return line.getvalue()[:-2] if value else ""

    def record(row: list[str]) -> str:
        return '""' if row == [""] else ",".join(cell(value) for value in row)

    end = "\r\n" if crlf else "\n"
    text = "".join(record(row) + end for row in [["a", "b", "c"], *rows])
    root = Path(tempfile.mkdtemp(dir=tmp_path))  # hypothesis replays examples
    (root / "data").mkdir()
    (root / "data" / "t.csv").write_text(text, encoding="utf-8", newline="")
    fields = [{"name": n, "type": "string"} for n in "abc"]
    descriptor = {"resources": [{"name": "t", "path": "data/t.csv", "schema": {"fields": fields}}]}
    (root / "datapackage.json").write_text(json.dumps(descriptor))
    resource = open_package(root / "datapackage.json").resources[0]
    fast = strict._Scan._fast
    monkeypatch.setattr(strict, "CHUNK", chunk)
    monkeypatch.setattr(strict, "FIRST_RUN", max(chunk // 2, 1))
    monkeypatch.setattr(strict, "SHORTEST_RUN", max(chunk // 8, 1))
    # `machine`: every byte to the scan's state machine, none to its vectorised pass
    monkeypatch.setattr(strict._Scan, "_fast", lambda *_: False if machine else fast(*_))
    empty: list = []
    assert strict.resource_findings(resource, empty_lines=empty.append) == []
    skipped: list = []

    def skip(row) -> str:
        skipped.append((row.number, row.text))
        return "skip"

    with open(root / "data" / "t.csv", "rb") as stream:
        groups = csv_batches(stream, resource, block=1 << 20, width=3, nulls=True, skip=skip)
        kept = sum(len(batch) for group in groups for batch in group) - 1  # the header
    layout = numbered_layout(kept, skipped, resource.dialect, empty[0])
    expected = python_records((root / "data" / "t.csv").read_bytes(), resource, 3)
    assert layout is not None
    assert layout.kept.tolist() == expected.kept.tolist()
    assert layout.ragged == expected.ragged
    assert layout.empty == expected.empty
