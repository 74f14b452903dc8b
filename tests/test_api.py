"""The public Python API against the bundled package and small packages made here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import expo_data

from conftest import ROOT

DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = [r["name"] for r in DESCRIPTOR["resources"]]


def schema_of(name: str) -> dict:
    resource = next(r for r in DESCRIPTOR["resources"] if r["name"] == name)
    return json.loads((ROOT / resource["schema"]).read_text(encoding="utf-8"))


def expected_pandas_dtype(field: dict):
    """What the issue specifies, written out independently of expo_data.typemap."""
    enum = field.get("constraints", {}).get("enum")
    if field["type"] == "string" and enum is not None:
        return pd.CategoricalDtype(enum, ordered=True)
    return {
        "string": pd.StringDtype(),
        "integer": pd.Int64Dtype(),
        "number": pd.ArrowDtype(pa.float64()),  # keeps NaN apart from <NA>
        "boolean": pd.BooleanDtype(),
        "date": pd.ArrowDtype(pa.date32()),
        "year": pd.Int16Dtype(),
    }[field["type"]]


def expected_arrow_type(field: dict) -> pa.DataType:
    if field["type"] == "string" and "enum" in field.get("constraints", {}):
        return pa.dictionary(pa.int32(), pa.string(), ordered=True)
    return {
        "string": pa.string(),
        "integer": pa.int64(),
        "number": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "year": pa.int16(),
    }[field["type"]]


def test_resource_names_follow_the_descriptor():
    assert expo_data.resource_names() == RESOURCES
    assert {"organisations", "winners", "sessions"} <= set(RESOURCES)


@pytest.mark.parametrize("name", RESOURCES)
def test_load_gives_schema_dtypes(name):
    frame = expo_data.load(name)
    fields = schema_of(name)["fields"]
    assert list(frame.columns) == [f["name"] for f in fields]
    assert len(frame) > 0
    for field in fields:
        assert frame[field["name"]].dtype == expected_pandas_dtype(field), field["name"]
        if "enum" in field.get("constraints", {}):
            assert list(frame[field["name"]].cat.categories) == field["constraints"]["enum"]


@pytest.mark.parametrize("name", RESOURCES)
def test_load_arrow_carries_the_schema(name):
    table = expo_data.load_arrow(name)
    fields = schema_of(name)["fields"]
    assert table.column_names == [f["name"] for f in fields]
    for field in fields:
        arrow_field = table.schema.field(field["name"])
        assert arrow_field.type == expected_arrow_type(field), field["name"]
        assert arrow_field.metadata[b"title"].decode() == field["title"]
        assert arrow_field.metadata[b"description"].decode() == field["description"]
    metadata = table.schema.metadata
    assert metadata[b"expo_data.package.name"].decode() == DESCRIPTOR["name"]
    assert metadata[b"expo_data.package.version"].decode() == DESCRIPTOR["version"]
    assert metadata[b"expo_data.resource.name"].decode() == name


def test_pandas_and_arrow_agree():
    for name in RESOURCES:
        via_arrow = expo_data.load_arrow(name).to_pandas()
        frame = expo_data.load(name)
        for column in frame.columns:
            left = frame[column].astype(object).where(frame[column].notna(), None).tolist()
            right = via_arrow[column].astype(object).where(via_arrow[column].notna(), None).tolist()
            assert left == right, (name, column)


def test_load_all_and_index():
    frames = expo_data.load_all()
    assert list(frames) == RESOURCES
    winners = expo_data.load("winners", index=True)
    assert winners.index.name == "id"
    assert winners.index.is_unique
    assert len(winners) == len(frames["winners"])


def test_package_and_schema_are_frictionless_objects():
    import frictionless

    package = expo_data.package()
    assert isinstance(package, frictionless.Package)
    assert package.resource_names == RESOURCES
    schema = expo_data.schema("winners")
    assert isinstance(schema, frictionless.Schema)
    assert schema.field_names == [f["name"] for f in schema_of("winners")["fields"]]


def test_unknown_resource_is_a_lookup_error():
    with pytest.raises(LookupError, match="no resource 'nope'"):
        expo_data.load("nope")
    with pytest.raises(expo_data.ResourceNotFound):
        expo_data.load_arrow("nope")


def test_bundled_package_validates():
    report = expo_data.validate()
    assert report.valid, [f"{f.code} {f.resource} {f.row} {f.field}" for f in report.findings]


def test_import_is_light_and_load_arrow_needs_no_pandas():
    code = (
        "import sys, expo_data\n"
        "print(sorted(m for m in ('pandas', 'frictionless', 'pyarrow') if m in sys.modules))\n"
        "expo_data.load_arrow('winners')\n"
        "print(sorted(m for m in ('pandas', 'frictionless', 'pyarrow.compute') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "[]"]


# --- lossless round trip on a package written here ------------------------------------

TRICKY = [
    "NA",
    "null",
    "None",
    "",
    "0755",
    "n/a",
    "#N/A",
    "nan",
    "中文 高交會",
    "a,b",
    'say "hi"',
    "line\nbreak",
]


def write_package(folder: Path, rows: list[dict], fields: list[dict]) -> Path:
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data").mkdir(exist_ok=True)
    with open(folder / "data" / "t.csv", "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, [f["name"] for f in fields], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    descriptor = {
        "name": "roundtrip",
        "version": "0.0.1",
        "resources": [
            {
                "name": "t",
                "path": "data/t.csv",
                "schema": {"fields": fields, "primaryKey": ["id"], "missingValues": [""]},
            }
        ],
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return folder


def test_round_trip_keeps_na_like_strings_zeros_and_chinese(tmp_path):
    fields = [
        {"name": "id", "type": "integer"},
        {"name": "text", "type": "string"},
        {"name": "code", "type": "string"},
        {"name": "when", "type": "date"},
    ]
    rows = [
        {"id": i, "text": value, "code": f"{i:04d}", "when": "2023-11-19" if i % 2 else ""}
        for i, value in enumerate(TRICKY)
    ]
    package = write_package(tmp_path / "pkg", rows, fields)
    frame = expo_data.load("t", package)
    expected = [None if v == "" else v for v in TRICKY]  # only "" is a missing value here
    assert frame["text"].astype(object).where(frame["text"].notna(), None).tolist() == expected
    assert frame["code"].tolist() == [f"{i:04d}" for i in range(len(TRICKY))]
    assert frame["text"].dtype == "string"

    table = expo_data.load_arrow("t", package)
    assert table.column("text").to_pylist() == expected
    parquet = tmp_path / "t.parquet"
    pq.write_table(table, parquet)
    back = pq.read_table(parquet)
    assert back.equals(table)
    assert back.schema.metadata == table.schema.metadata
    again = back.to_pandas(types_mapper=pd.ArrowDtype).astype(frame.dtypes.to_dict())
    pd.testing.assert_frame_equal(again, frame)


def test_missing_values_come_only_from_the_schema(tmp_path):
    fields = [{"name": "id", "type": "integer"}, {"name": "text", "type": "string"}]
    package = write_package(
        tmp_path / "pkg", [{"id": 1, "text": "NA"}, {"id": 2, "text": "-"}], fields
    )
    descriptor = json.loads((package / "datapackage.json").read_text())
    descriptor["resources"][0]["schema"]["missingValues"] = ["-"]
    (package / "datapackage.json").write_text(json.dumps(descriptor))
    assert expo_data.load_arrow("t", package).column("text").to_pylist() == ["NA", None]


def test_bad_cell_names_file_row_and_field(tmp_path):
    fields = [{"name": "id", "type": "integer"}, {"name": "when", "type": "date"}]
    rows = [{"id": 1, "when": "2023-11-19"}, {"id": 2, "when": "2023-02-30"}]
    package = write_package(tmp_path / "pkg", rows, fields)
    with pytest.raises(expo_data.DataError, match=r"data/t\.csv, row 3, field 'when'"):
        expo_data.load("t", package)


def test_no_public_name_is_shadowed_by_a_submodule():
    import importlib
    import pkgutil
    import types

    for module in pkgutil.iter_modules(expo_data.__path__):
        if module.name != "__main__":
            importlib.import_module(f"expo_data.{module.name}")
    for name in expo_data.__all__:
        assert not isinstance(getattr(expo_data, name), types.ModuleType), name
