"""Lossless round trips, as properties: CSV → pandas / Arrow → Parquet → pandas keeps every value.

The package written here has the real package's shape: UTF-8 CSV with a header, written by the
csv module (minimal quoting, LF), a schema using the real package's types (string, enum string,
integer, boolean, date) and `missingValues: [""]`. So "" is the only missing value; "NA",
"null", "None", "0755", "=1+1"… stay text. The text strategy excludes only what CSV in UTF-8
cannot carry: lone surrogates (category Cs), which UTF-8 cannot encode.
"""

from __future__ import annotations

import csv
import datetime
import json
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
from hypothesis import example, given, settings
from hypothesis import strategies as st

import expo_data
from expo_data.read.tables import to_pandas

ENUM = ["NA", "0755", "高交會", "=1+1"]
FIELDS = [
    {"name": "id", "type": "string", "constraints": {"required": True}},
    {"name": "text", "type": "string"},
    {"name": "kind", "type": "string", "constraints": {"enum": ENUM}},
    {"name": "count", "type": "integer"},
    {"name": "flag", "type": "boolean"},
    {"name": "day", "type": "date"},
]
NAMES = [f["name"] for f in FIELDS]
INT64 = (-(2**63), 2**63 - 1)
#: strings other tools would read as missing, numbers, formulas or line breaks
TRICKY = [
    *["NA", "N/A", "n/a", "#N/A", "NaN", "nan", "-nan", "NULL", "null", "None", "none", "<NA>"],
    *["0755", "007", "1e3", "0x1F", "-0", "+1", "TRUE", "false", "2023-11-19"],
    *["=1+1", "+SUM(A1)", "-2", "@cmd", '=HYPERLINK("http://x","y")'],
    *['"', '""', "a,b", "line\nbreak", "cr\rlf\r\n", "\n", " ", "  padded  ", "\t"],
    *["高交會", "智慧城市", "\uf900", "e\u0301", "\u200b", "\ufeff", "👩‍💻", "🇨🇳", "\x00", "\\"],
]
SETTINGS = settings(max_examples=75, deadline=None)

texts = st.one_of(st.sampled_from(TRICKY), st.text(st.characters(exclude_categories=["Cs"])))
rows = st.lists(
    st.fixed_dictionaries(
        {
            "text": texts,
            "kind": st.sampled_from([*ENUM, ""]),
            "count": st.one_of(st.none(), st.integers(*INT64), st.sampled_from(INT64)),
            "flag": st.one_of(st.none(), st.booleans()),
            "day": st.one_of(
                st.none(), st.dates(), st.sampled_from([datetime.date.min, datetime.date.max])
            ),
        }
    ),
    min_size=1,
    max_size=20,
)


def write_package(folder: Path, records: list[dict]) -> Path:
    """A one-resource package of `records` (None and "" are written as an empty cell)."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    with open(folder / "data" / "t.csv", "w", encoding="utf-8", newline="") as stream:
        minimal = csv.writer(stream, lineterminator="\n")
        quote_all = csv.writer(stream, lineterminator="\n", quoting=csv.QUOTE_ALL)
        minimal.writerow(NAMES)
        for i, record in enumerate(records):
            cells = [f"row-{i}", *(_lexical(record[name]) for name in NAMES[1:])]
            # the csv module leaves a lone CR unquoted when lines end in LF: no reader
            # (not even its own) can read that back, so such rows are quoted in full
            writer = quote_all if any("\r" in c for c in cells) else minimal
            writer.writerow(cells)
    descriptor = {
        "name": "roundtrip",
        "version": "0.0.0",
        "resources": [
            {
                "name": "t",
                "path": "data/t.csv",
                "format": "csv",
                "encoding": "utf-8",
                "schema": {"fields": FIELDS, "primaryKey": ["id"], "missingValues": [""]},
            }
        ],
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return folder


def _lexical(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


def _cells(series: pd.Series) -> list:
    """A column's values as Python objects, None where missing."""
    return [None if pd.isna(v) else v for v in series.astype(object).tolist()]


def round_trip(records: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The frame `load` gives, and the one after load_arrow → Parquet → pandas."""
    with tempfile.TemporaryDirectory() as tmp:
        package = write_package(Path(tmp) / "package", records)
        frame = expo_data.load("t", package)
        table = expo_data.load_arrow("t", package)
        pq.write_table(table, Path(tmp) / "t.parquet")
        back = pq.read_table(Path(tmp) / "t.parquet")
    assert back.equals(table) and back.schema.metadata == table.schema.metadata
    # the library's own Arrow → pandas mapping (as `load(release=…)` uses); note that
    # `to_pandas(types_mapper=pd.ArrowDtype).astype("Int64")` is not exact: pandas goes
    # through float64 for an int64[pyarrow] column with nulls (-(2**53) - 1 → -(2**53))
    again = to_pandas(back)
    pd.testing.assert_frame_equal(again, frame)
    return frame, again


@SETTINGS
@given(rows)
@example([{"text": t, "kind": "", "count": None, "flag": None, "day": None} for t in TRICKY])
def test_text_survives_exactly(records):
    frame, again = round_trip(records)
    expected = [r["text"] or None for r in records]  # "" is the schema's missing value
    assert _cells(frame["text"]) == expected
    assert _cells(again["text"]) == expected
    assert _cells(frame["kind"]) == [r["kind"] or None for r in records]


@SETTINGS
@given(rows)
@example(
    [
        {"text": "", "kind": "", "count": n, "flag": f, "day": d}
        for n, f, d in [
            (INT64[0], True, datetime.date.min),
            (INT64[1], False, datetime.date.max),
            (0, None, datetime.date(1970, 1, 1)),
            (None, True, None),
        ]
    ]
)
def test_integers_booleans_and_dates_keep_their_values(records):
    frame, again = round_trip(records)
    for name in ("count", "flag", "day"):
        expected = [r[name] for r in records]
        assert _cells(frame[name]) == expected, name
        assert _cells(again[name]) == expected, name
    assert str(frame["count"].dtype) == "Int64"
    assert str(frame["flag"].dtype) == "boolean"
