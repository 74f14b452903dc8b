""" "Valid means loads the same", as a property: generated packages, every loader, one oracle.

For any generated package that `validate` passes (either engine), `load`, `load_arrow`,
`load_all`, `build_release` (and loading the release) and `connect` succeed, and every cell
holds the value frictionless' `read_rows()` gives it (frictionless is the oracle for Table
Schema v1; v2 features are checked against the spec in test_v2.py). The cells are drawn to sit
on the edges of each type's grammar. The default run keeps to a few hundred examples;
`HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py -m "slow or not slow"`
runs fifty times as many (see README.md).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import tempfile
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from expo_data import build_release, load, load_all, load_arrow, validate

from conftest import examples

EDGES = {
    "string": ["abc", "深圳", "0755", "NA", "null", "a b", "x,y", 'say "hi"', "é", "line\nbreak"],
    "integer": [
        "0", "-0", "007", "+5", " 5", "5 ", "1_000", "0x10", "0X1F", "٣", "1e3", "1.0", "", "-",
        "9223372036854775807", "-9223372036854775808", "9223372036854775808",
        "99999999999999999999", "1,000", "1 000", "$5", "5%", "NaN",
    ],
    "number": [
        "1.5", "-0.0", ".5", "5.", "1e5", "1E-5", "NaN", "nan", "INF", "-Infinity", "inf",
        "1e400", "-1e400", "1e-400", "1_0", "1,5", "1.000,5", "1,000.5", "\u0663.\u0665", " 1", "0x1p3",
        "€5", "5%", "+1", "", "-", "00.1", "1.7976931348623157e308",
    ],
    "boolean": ["true", "True", "TRUE", "1", "0", "false", "yes", "no", "t", "", "-"],
    "date": [
        "2024-02-29", "2023-02-29", "0000-01-01", "0001-01-01", "9999-12-31", "2023-1-1",
        "01/02/2023", "29/02/2024", "2023-01-01T00:00", " 2023-01-01", "", "-",
    ],
    "time": ["00:00:00", "23:59:59", "24:00:00", "12:00", "12:00:00Z", "12:00:00+08:00", "1:2:3"],
    "datetime": [
        "2023-01-01T00:00:00Z", "2023-01-01T00:00:00+08:00", "2023-01-01T00:00:00",
        "2023-01-01 00:00:00", "2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z",
        "0001-01-01T00:00:00Z", "2023-01-01T00:00:00.123456Z", "2023-01-01",
    ],
    "year": ["2023", "0000", "-123", "99999", "٢٠٢٣", "023", "+2023", ""],
    "yearmonth": ["2023-01", "2023-13", "2023-1", "2023"],
    "duration": ["P1Y", "PT1H", "P1Y2M3DT4H5M6S", "P", "1Y"],
    "geopoint": ["90,45", "1.5, 2.5", "1,2,3", "x", "200,100"],
    "geojson": ['{"type": "Point", "coordinates": [1, 2]}', "{}", "x"],
    "object": ['{"a": 1}', "[]", "x", '{"a": 1, "a": 2}'],
    "array": ["[1]", "{}", "x", "[]"],
    "list": ["1,2", "1;2", "a", "1", "1,x"],
    "any": ["anything", "1", ""],
}  # fmt: skip
FORMATS = {
    "string": ["default", "email", "uri", "uuid", "binary"],
    "date": ["default", "%d/%m/%Y"],
    "time": ["default", "%H:%M"],
    "datetime": ["default", "%Y-%m-%d %H:%M:%S"],
}
FORMAT_EDGES = {
    "email": ["a@b.c", "x", "a@b"],
    "uri": ["http://x.y/z", "x", "mailto:a@b.c"],
    "uuid": [str(uuid.UUID(int=1)), "x", str(uuid.UUID(int=1)).upper()],
    "binary": ["aGVsbG8=", "x", "====", "aGVsbG8"],
    "%H:%M": ["12:30", "1:2", "24:00"],
}


@st.composite
def fields(draw) -> dict:
    kind = draw(st.sampled_from(sorted(EDGES)))
    field: dict[str, Any] = {"type": kind}
    fmt = draw(st.sampled_from(FORMATS.get(kind, ["default"])))
    if fmt != "default":
        field["format"] = fmt
    if kind in ("integer", "number") and draw(st.booleans()):
        field["bareNumber"] = False
    if kind == "number" and draw(st.booleans()):
        field |= draw(st.sampled_from([{"groupChar": ","}, {"decimalChar": ",", "groupChar": "."}]))
    if kind == "integer" and draw(st.booleans()):
        field["groupChar"] = ","
    if kind == "boolean" and draw(st.booleans()):
        field |= {"trueValues": ["yes", "t"], "falseValues": ["no"]}
    if kind == "list":
        field |= draw(
            st.sampled_from(
                [{}, {"itemType": "integer"}, {"delimiter": ";"}, {"itemType": "number"}]
            )
        )
    if draw(st.integers(0, 5)) == 0:
        field["missingValues"] = draw(st.sampled_from([["-"], [], ["", "NA"]]))
    return field


#: plain valid cells of the default formats, so that enough packages pass `validate`
VALID = {
    "string": st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=8),
    "integer": st.integers(-(2**63), 2**63 - 1).map(str),
    "number": st.floats(allow_nan=True, allow_infinity=True).map(repr),
    "boolean": st.sampled_from(["true", "false"]),
    "date": st.dates().map(dt.date.isoformat),
    "datetime": st.datetimes(
        timezones=st.sampled_from([None, dt.timezone.utc, dt.timezone(dt.timedelta(hours=8))])
    ).map(lambda d: d.isoformat(timespec="seconds")),
    "year": st.integers(0, 9999).map(lambda y: f"{y:04d}"),
}


def cells(field: dict) -> st.SearchStrategy[str]:
    pool = st.sampled_from(EDGES[field["type"]] + FORMAT_EDGES.get(field.get("format", ""), []))
    plain = field.get("format", "default") == "default" and not {"groupChar", "decimalChar"} & set(
        field
    )
    if plain and field["type"] in VALID:
        return st.one_of(pool, *[VALID[field["type"]]] * 3)  # three valid cells to one edge
    return pool


@st.composite
def packages(draw) -> tuple[dict, list[list[str]]]:
    """A Table Schema and its rows (the header is the field names)."""
    raw = draw(st.lists(fields(), min_size=1, max_size=3))
    schema_fields = [{"name": f"f{i}", **f} for i, f in enumerate(raw)]
    width = len(schema_fields)
    rows = draw(
        st.lists(
            st.tuples(*(cells(f) for f in schema_fields)).map(list),
            min_size=1,
            max_size=4,
        )
    )
    schema = {"fields": schema_fields}
    missing = draw(st.sampled_from([None, [""], ["", "NA"], ["-"], []]))
    if missing is not None:
        schema["missingValues"] = missing
    assert all(len(r) == width for r in rows)
    return schema, rows


def write(root: Path, schema: dict, rows: list[list[str]]) -> Path:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow([f["name"] for f in schema["fields"]])
    writer.writerows(rows)
    (root / "t.csv").write_text(text.getvalue(), encoding="utf-8")
    descriptor = {
        "name": "p",
        "version": "1.0.0",
        "resources": [
            {
                "name": "t",
                "path": "t.csv",
                "format": "csv",
                "encoding": "utf-8",
                "schema": schema,
            }
        ],
    }
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return root


def oracle(root: Path) -> list[list[Any]]:
    """frictionless' value of every cell."""
    import frictionless

    package = frictionless.Package(str(root / "datapackage.json"))
    with package.get_table_resource("t") as resource:
        rows = resource.read_rows()
    return [[row[name] for name in row.field_names] for row in rows]


def same(field: dict, expected: Any, got: Any) -> bool:
    """Whether a loaded value is frictionless' value as its Arrow type holds it."""
    if expected is None or got is None:
        return expected is None and got is None
    kind = field["type"]
    if kind == "number":
        number = float(expected)
        return (math.isnan(number) and math.isnan(got)) or number == got
    if kind == "datetime":
        if expected.tzinfo is not None:
            expected = expected.astimezone(dt.timezone.utc)
        return expected.replace(tzinfo=None) == got.replace(tzinfo=None)
    if kind == "time":
        return expected.replace(tzinfo=None) == got
    if kind == "list":
        return [float(v) if isinstance(v, Decimal) else v for v in expected] == got
    if kind in ("string", "integer", "boolean", "date", "year"):
        return expected == got
    return isinstance(got, str)  # kept in its lexical form


def check_loaders(root: Path, schema: dict) -> None:
    """Every loader succeeds and holds frictionless' value in every cell."""
    expected = oracle(root)
    table = load_arrow("t", root)
    columns = [table.column(f["name"]).to_pylist() for f in schema["fields"]]
    for r, row in enumerate(expected):
        for j, field in enumerate(schema["fields"]):
            assert same(field, row[j], columns[j][r]), (field, row[j], columns[j][r])
    frame = load("t", root)
    assert len(frame) == len(expected)
    for field in schema["fields"]:
        assert (
            frame[field["name"]].isna().tolist()
            == table.column(field["name"]).is_null().to_pylist()
        )
    assert list(load_all(root)) == ["t"]


@settings(max_examples=examples(150))
@given(packages())
def test_valid_means_every_loader_reads_frictionless_values(package):
    schema, rows = package
    with tempfile.TemporaryDirectory() as folder:
        root = write(Path(folder), schema, rows)
        valid = validate(root).valid
        event("valid" if valid else "invalid")
        if valid:
            check_loaders(root, schema)


@settings(max_examples=examples(150))
@given(packages())
def test_the_engines_agree_on_validity(package):
    """Either engine passing is the promise: they must pass and fail together."""
    schema, rows = package
    with tempfile.TemporaryDirectory() as folder:
        root = write(Path(folder), schema, rows)
        fast = validate(root)
        slow = validate(root, engine="frictionless")
        assert [(f.code, f.row, f.field) for f in fast.findings] == [
            (f.code, f.row, f.field) for f in slow.findings
        ]


@settings(max_examples=examples(25))
@given(packages())
def test_valid_means_the_release_and_sql_read_the_same(package):
    schema, rows = package
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "p").mkdir()
        root = write(Path(folder) / "p", schema, rows)
        if not validate(root).valid:
            return
        table = load_arrow("t", root)
        release = build_release(root, out=Path(folder) / "release")
        released = load_arrow("t", release)
        assert released.schema == table.schema
        for name in table.column_names:  # NaN is not equal to itself: compare it apart
            assert _nan_equal(released.column(name), table.column(name)), name
        # DataFrame.equals finds NaN unequal to NaN in Arrow-backed columns (pandas 3.1):
        # the frames are compared as pandas' testing does; NaN vs null is told apart above
        pd.testing.assert_frame_equal(load("t", release), load("t", root), check_exact=True)
        pytest.importorskip("duckdb")
        from expo_data import connect

        with connect(root) as con:
            got = con.sql('SELECT * FROM "t"').to_arrow_table()
        for field in schema["fields"]:
            ours = table.column(field["name"])
            theirs = got.column(field["name"])
            if pa.types.is_dictionary(ours.type):
                ours = ours.cast(ours.type.value_type)
            assert theirs.to_pylist() == ours.to_pylist() or _nan_equal(theirs, ours), field


def _nan_equal(a: pa.ChunkedArray, b: pa.ChunkedArray) -> bool:
    return all(
        x == y
        or (isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y))
        for x, y in zip(a.to_pylist(), b.to_pylist(), strict=True)
    )
