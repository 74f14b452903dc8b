"""Data Package v2 and strict reading: each case through both engines and every loader.

Every "Why" bullet of issue 11 (and the validator bullets of issue 16) has a test here or in
the fault corpus: it fails on the code before the issue (validate passed, or a loader broke)
and passes now. frictionless-py implements no v2 feature but `fieldsMatch`; where it lacks
one, the spec text (datapackage.org, v2.0) is the oracle.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from expo_data import load, load_arrow, validate
from expo_data.errors import DataError, PackageError

from conftest import run_cli

ENGINES = ("fast", "frictionless")


def package(
    root: Path,
    fields: list[dict],
    rows: list[list[str]] | None = None,
    *,
    raw: bytes | None = None,
    schema: dict | None = None,
    resource: dict | None = None,
    descriptor: dict | None = None,
) -> Path:
    """A one-resource package `t` (data in t.csv) in `root`."""
    root.mkdir(parents=True, exist_ok=True)
    if raw is None:
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows([[f["name"] for f in fields], *rows])
        raw = text.getvalue().encode()
    (root / "t.csv").write_bytes(raw)
    res = {"name": "t", "path": "t.csv", "schema": {"fields": fields, **(schema or {})}}
    body = {"name": "p", "resources": [{**res, **(resource or {})}], **(descriptor or {})}
    (root / "datapackage.json").write_text(json.dumps(body), encoding="utf-8")
    return root


def found(root: Path, engine: str) -> list[tuple]:
    return [(f.code, f.resource, f.row, f.field) for f in validate(root, engine=engine).findings]


def assert_both(root: Path, expected: list[tuple]) -> None:
    """Both engines report exactly `expected` (code, resource, row, field)."""
    for engine in ENGINES:
        assert found(root, engine) == expected, engine


# -- the "Why" bullets of issue 11 --------------------------------------------------------------


def test_hex_integer_is_a_type_error(tmp_path: Path):
    root = package(tmp_path, [{"name": "a", "type": "integer"}], [["0x10"]])
    assert_both(root, [("type-error", "t", 2, "a")])
    with pytest.raises(DataError, match="row 2, field 'a'"):
        load_arrow("t", root)


@pytest.mark.parametrize(
    "cell", ["9223372036854775808", "99999999999999999999", "-9223372036854775809"]
)
def test_integer_beyond_int64_is_out_of_range(cell: str, tmp_path: Path):
    root = package(tmp_path, [{"name": "a", "type": "integer"}], [[cell]])
    assert_both(root, [("out-of-range", "t", 2, "a")])


def test_int64_bounds_load(tmp_path: Path):
    cells = [["9223372036854775807"], ["-9223372036854775808"]]
    root = package(tmp_path, [{"name": "a", "type": "integer"}], cells)
    assert_both(root, [])
    assert load("t", root)["a"].tolist() == [2**63 - 1, -(2**63)]


def test_number_beyond_float64_is_out_of_range(tmp_path: Path):
    root = package(tmp_path, [{"name": "a", "type": "number"}], [["1e400"], ["-1E999"]])
    assert_both(root, [("out-of-range", "t", 2, "a"), ("out-of-range", "t", 3, "a")])


def test_nan_and_inf_stay_values_in_pandas(tmp_path: Path):
    cells = [["NaN"], ["INF"], ["-inf"], [""], ["1.5"]]
    root = package(
        tmp_path, [{"name": "a", "type": "number"}, {"name": "b"}], [[*c, "x"] for c in cells]
    )
    assert_both(root, [])
    column = load("t", root)["a"]
    assert column.dtype == pd.ArrowDtype(pa.float64())
    assert column.isna().tolist() == [False, False, False, True, False]
    values = column.tolist()
    assert math.isnan(values[0]) and values[1] == math.inf and values[2] == -math.inf
    assert load_arrow("t", root).column("a").null_count == 1


def test_year_zero_is_a_type_error_and_show_does_not_crash(tmp_path: Path):
    root = package(tmp_path, [{"name": "a", "type": "date"}, {"name": "b"}], [["0000-01-01", "x"]])
    assert_both(root, [("type-error", "t", 2, "a")])
    result = run_cli("show", "t", "--package", root)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: ") and "row 2" in result.stderr


@pytest.mark.parametrize("cell", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:00:00-05:00"])
def test_datetime_whose_utc_instant_python_cannot_hold(cell: str, tmp_path: Path):
    root = package(tmp_path, [{"name": "a", "type": "datetime"}], [[cell]])
    assert_both(root, [("out-of-range", "t", 2, "a")])
    with pytest.raises(DataError, match="row 2, field 'a'"):
        load("t", root)


def test_field_level_missing_values(tmp_path: Path):
    fields = [
        {"name": "a", "type": "integer", "missingValues": ["-"]},
        {"name": "b", "missingValues": []},
        {"name": "c"},
    ]
    root = package(tmp_path, fields, [["-", "", ""], ["1", "x", "y"]])
    assert_both(root, [])
    frame = load("t", root)
    assert frame["a"].isna().tolist() == [True, False]
    assert frame["b"].tolist() == ["", "x"]  # the field's own list replaces the schema's
    assert frame["c"].isna().tolist() == [True, False]


def test_labelled_missing_values(tmp_path: Path):
    fields = [{"name": "a", "type": "integer"}, {"name": "b"}]
    missing = [{"value": "-", "label": "not asked"}, {"value": "", "label": "blank"}]
    root = package(tmp_path, fields, [["-", "x"], ["2", ""]], schema={"missingValues": missing})
    assert_both(root, [])
    assert load("t", root)["a"].isna().tolist() == [True, False]


@pytest.mark.parametrize(
    "rule, header, expected",
    [
        ("equal", "b,a", []),
        ("subset", "b,c,a", []),
        ("superset", "b", []),
        ("partial", "b,c", []),
        ("equal", "b", [("missing-label", "t", 1, "a")]),
        ("superset", "b,a,c", [("extra-label", "t", 1, "")]),
    ],
)
def test_fields_match(rule: str, header: str, expected: list, tmp_path: Path):
    labels = header.split(",")
    values = {"a": "1", "b": "x", "c": "z"}
    raw = (header + "\n" + ",".join(values[n] for n in labels) + "\n").encode()
    fields = [{"name": "a", "type": "integer"}, {"name": "b"}]
    root = package(tmp_path, fields, raw=raw, schema={"fieldsMatch": rule})
    findings = [f[:4] for f in found(root, "fast")]
    assert [f for f in findings if f[0] in ("missing-label", "extra-label")] == expected
    if expected:
        with pytest.raises(DataError, match="row 1"):
            load("t", root)
        return
    assert found(root, "frictionless") == found(root, "fast") == []
    frame = load("t", root)
    assert list(frame.columns) == ["a", "b"]
    assert frame["b"].tolist() == ["x"]
    assert frame["a"].tolist() == ([1] if "a" in labels else [pd.NA])


def test_list_type_loads_as_an_arrow_list(tmp_path: Path):
    fields = [
        {"name": "a", "type": "list", "itemType": "integer"},
        {"name": "b", "type": "list", "delimiter": ";"},
    ]
    root = package(tmp_path, fields, [["1,2", "x;y"], ["", "z"]])
    assert_both(root, [])
    table = load_arrow("t", root)
    assert table.schema.field("a").type == pa.list_(pa.int64())
    assert table.column("a").to_pylist() == [[1, 2], None]
    assert table.column("b").to_pylist() == [["x", "y"], ["z"]]
    assert load("t", root)["a"].dtype == pd.ArrowDtype(pa.list_(pa.int64()))


def test_list_item_of_the_wrong_type(tmp_path: Path):
    root = package(tmp_path, [{"name": "a", "type": "list", "itemType": "integer"}], [["1,x"]])
    assert_both(root, [("type-error", "t", 2, "a")])


def test_stray_quote_in_a_quoted_cell(tmp_path: Path):
    root = package(tmp_path, [{"name": "a"}, {"name": "b"}], raw=b'a,b\nx,"Smart "City" Expo"\n')
    for engine in ENGINES:
        assert ("stray-quote", "t", 2, "b") in found(root, engine)


def test_unclosed_quote(tmp_path: Path):
    root = package(tmp_path, [{"name": "a"}], raw=b'a\nx\n"y\nz\n')
    for engine in ENGINES:
        assert ("unclosed-quote", "t", 3, "") in found(root, engine)


def test_nul_byte(tmp_path: Path):
    root = package(tmp_path, [{"name": "a"}, {"name": "b"}], raw=b"a,b\nx,y\nx,y\x00z\n")
    assert_both(root, [("nul-byte", "t", 3, "b")])


def test_bare_carriage_return(tmp_path: Path):
    root = package(tmp_path, [{"name": "a"}], raw=b"a\nx\ry\n")
    for engine in ENGINES:
        assert ("bare-carriage-return", "t", 2, "") in found(root, engine)


def test_header_with_a_trailing_space(tmp_path: Path):
    root = package(tmp_path, [{"name": "a"}, {"name": "b"}], raw=b"a,b \nx,y\n")
    assert_both(root, [("incorrect-label", "t", 1, "b")])


def test_duplicate_json_key_is_a_package_error(tmp_path: Path):
    root = package(tmp_path, [{"name": "a"}], [["x"]])
    (root / "datapackage.json").write_text(
        '{"name": "p", "name": "q", "resources": [{"name": "t", "path": "t.csv", '
        '"schema": {"fields": [{"name": "a"}]}}]}'
    )
    with pytest.raises(PackageError, match=r"datapackage\.json.*key 'name' twice"):
        validate(root)
    result = run_cli("validate", root)
    assert result.returncode == 2 and "key 'name' twice" in result.stderr


def test_duplicate_key_in_a_schema_file(tmp_path: Path):
    root = package(tmp_path, [{"name": "a"}], [["x"]], resource={"schema": "schema.json"})
    (root / "schema.json").write_text(
        '{"fields": [{"name": "a", "type": "string", "type": "integer"}]}'
    )
    for engine in ENGINES:
        report = validate(root, engine=engine)
        assert [f.code for f in report.findings] == ["package-error"]
        assert "schema.json" in report.findings[0].message
        assert "'type' twice" in report.findings[0].message


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_literal_in_a_descriptor(literal: str, tmp_path: Path):
    root = package(tmp_path, [{"name": "a"}], [["x"]])
    text = (root / "datapackage.json").read_text()
    (root / "datapackage.json").write_text(text[:-1] + f', "x": {literal}}}')
    with pytest.raises(PackageError, match=literal):
        validate(root)


def test_deep_nesting_in_a_descriptor(tmp_path: Path):
    root = package(tmp_path, [{"name": "a"}], [["x"]])
    text = (root / "datapackage.json").read_text()
    (root / "datapackage.json").write_text(text[:-1] + ', "x": ' + "[" * 100 + "]" * 100 + "}")
    with pytest.raises(PackageError, match="nested too deeply"):
        validate(root)


def test_cell_over_the_size_limit(tmp_path: Path):
    root = package(tmp_path, [{"name": "a"}, {"name": "b"}], [["x", "y"], ["x", "z" * 2000]])
    for engine in ENGINES:
        report = validate(root, engine=engine, max_cell_bytes=1000)
        assert [(f.code, f.row, f.field) for f in report.findings] == [("cell-too-large", 3, "b")]
        assert validate(root, engine=engine).valid
    result = run_cli("validate", root, "--max-cell-bytes", "1000", "--format", "json")
    assert result.returncode == 1
    assert [f["code"] for f in json.loads(result.stdout)["findings"]] == ["cell-too-large"]


def test_ten_megabyte_cell_in_a_text_field(tmp_path: Path):
    root = package(tmp_path, [{"name": "a"}], [["x" * (10 << 20)]])
    assert_both(root, [("cell-too-large", "t", 2, "a")])


def test_utf16_file_is_one_encoding_error_without_noise(tmp_path: Path, capfd):
    root = package(
        tmp_path, [{"name": "a"}], raw="a\nx\n".encode("utf-16"), schema={"primaryKey": "a"}
    )
    body = json.loads((root / "datapackage.json").read_text())
    for name in ("u", "v"):
        (root / f"{name}.csv").write_text("a\nx\n")
        reference = {"resource": "t", "fields": "a"}
        body["resources"].append(
            {
                "name": name,
                "path": f"{name}.csv",
                "schema": {
                    "fields": [{"name": "a"}],
                    "foreignKeys": [{"fields": "a", "reference": reference}],
                },
            }
        )
    (root / "datapackage.json").write_text(json.dumps(body))
    capfd.readouterr()
    for engine in ENGINES:  # in-process: capfd sees what the C and Python layers print
        findings = validate(root, engine=engine).findings
        assert [(f.code, f.resource) for f in findings] == [("encoding-error", "t")]
        assert findings[0].path == "t.csv" and "line 1" in findings[0].message
        assert capfd.readouterr().err == ""
    result = run_cli("validate", root, "--format", "json")
    assert result.returncode == 1 and result.stderr == ""


def test_two_resources_with_one_name(tmp_path: Path):
    root = package(tmp_path, [{"name": "a"}], [["x"]])
    body = json.loads((root / "datapackage.json").read_text())
    body["resources"].append(body["resources"][0])
    (root / "datapackage.json").write_text(json.dumps(body))
    for engine in ENGINES:
        findings = validate(root, engine=engine).findings
        assert findings[0].code == "package-error" and "'t'" in findings[0].message


# -- hostile patterns -------------------------------------------------------------------------


def test_exponential_pattern_on_a_long_cell_is_fast(tmp_path: Path):
    fields = [{"name": "a", "constraints": {"pattern": "(a+)+$"}}]
    root = package(tmp_path, fields, [["a" * 50_000 + "b"], ["aaa"]])
    for engine in ENGINES:
        report = validate(root, engine=engine)
        assert [(f.code, f.row) for f in report.findings] == [("constraint-error", 2)]
        assert report.stats["seconds"] < 30


@pytest.mark.parametrize("pattern", ["(?=a)(a+)+$", "(a)\\1", "(?<!x)a"])
def test_pattern_re2_cannot_compile_is_a_package_error(pattern: str, tmp_path: Path, capfd):
    """Validation refuses the pattern; loading reads the data all the same (issue 19, item 6)."""
    root = package(tmp_path, [{"name": "a", "constraints": {"pattern": pattern}}], [["a"]])
    capfd.readouterr()
    for engine in ENGINES:
        findings = validate(root, engine=engine).findings
        assert [f.code for f in findings] == ["package-error"] and "RE2" in findings[0].message
        assert capfd.readouterr().err == ""  # RE2 prints nothing of its own
    result = run_cli("validate", root, "--format", "json")
    assert result.stderr == "" and result.returncode == 1
    assert load("t", root)["a"].tolist() == ["a"]


def test_pattern_is_anchored_at_both_ends(tmp_path: Path):
    """DIFFERENCES: frictionless anchors `^a|b$`, so "ax" would match; RE2 reads ^(?:a|b)$."""
    root = package(tmp_path, [{"name": "a", "constraints": {"pattern": "a|b"}}], [["ax"], ["b"]])
    assert_both(root, [("constraint-error", "t", 2, "a")])


def test_pattern_classes_are_ascii(tmp_path: Path):
    """DIFFERENCES: RE2's \\d is ASCII; Python's `re` (frictionless) also matches "٣"."""
    root = package(tmp_path, [{"name": "a", "constraints": {"pattern": "\\d+"}}], [["٣"], ["3"]])
    assert_both(root, [("constraint-error", "t", 2, "a")])


# -- v2 features ------------------------------------------------------------------------------


def test_categories_strings_and_labels(tmp_path: Path):
    fields = [
        {"name": "a", "categories": ["x", "y"]},
        {"name": "b", "categories": [{"value": "p", "label": "P"}, {"value": "q", "label": "Q"}]},
    ]
    root = package(tmp_path, fields, [["x", "p"], ["z", "q"], ["y", "r"]])
    assert_both(root, [("constraint-error", "t", 3, "a"), ("constraint-error", "t", 4, "b")])
    root = package(tmp_path / "ok", fields, [["x", "p"], ["y", "q"]])
    frame = load("t", root)
    assert list(frame["a"].cat.categories) == ["x", "y"] and not frame["a"].cat.ordered
    assert list(frame["b"].cat.categories) == ["p", "q"]
    assert pa.types.is_dictionary(load_arrow("t", root).schema.field("a").type)


def test_categories_ordered_and_integer(tmp_path: Path):
    fields = [
        {"name": "a", "categories": ["low", "high"], "categoriesOrdered": True},
        {"name": "n", "type": "integer", "categories": [1, 2, 3]},
    ]
    root = package(tmp_path, fields, [["high", "2"], ["low", "3"]])
    assert_both(root, [])
    frame = load("t", root)
    assert frame["a"].cat.ordered and list(frame["a"].cat.categories) == ["low", "high"]
    assert frame["n"].tolist() == [2, 3] and not frame["n"].cat.ordered
    kind = load_arrow("t", root).schema.field("a").type
    assert kind == pa.dictionary(pa.int32(), pa.string(), ordered=True)
    bad = package(tmp_path / "bad", fields, [["high", "4"]])
    assert_both(bad, [("constraint-error", "t", 2, "n")])


def test_unique_keys(tmp_path: Path):
    fields = [{"name": "a"}, {"name": "b"}, {"name": "c"}]
    rows = [["1", "x", "p"], ["1", "y", "p"], ["1", "x", "q"], ["", "x", "p"], ["", "x", "p"]]
    root = package(tmp_path, fields, rows, schema={"uniqueKeys": [["a", "b"], ["c"]]})
    assert_both(
        root,
        [
            ("unique-key", "t", 3, "c"),
            ("unique-key", "t", 4, "a,b"),
            ("unique-key", "t", 5, "c"),
            ("unique-key", "t", 6, "c"),
        ],
    )


def test_exclusive_bounds_without_schema_property(tmp_path: Path):
    fields = [
        {
            "name": "a",
            "type": "integer",
            "constraints": {"exclusiveMinimum": 1, "exclusiveMaximum": 3},
        }
    ]
    root = package(tmp_path, fields, [["1"], ["2"], ["3"]])
    assert_both(root, [("constraint-error", "t", 2, "a"), ("constraint-error", "t", 4, "a")])


def test_keys_as_strings_and_self_reference_without_resource(tmp_path: Path):
    fields = [{"name": "id"}, {"name": "parent"}]
    schema = {
        "primaryKey": "id",
        "foreignKeys": [{"fields": "parent", "reference": {"fields": "id"}}],
    }
    root = package(tmp_path, fields, [["a", ""], ["b", "a"], ["c", "z"]], schema=schema)
    assert_both(root, [("foreign-key", "t", 4, "parent")])
    assert load("t", root, index=True).index.tolist() == ["a", "b", "c"]


def test_v2_descriptor_properties(tmp_path: Path):
    descriptor = {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "contributors": [{"title": "A", "roles": ["creator", "contact"]}],
    }
    schema = {"$schema": "https://datapackage.org/profiles/2.0/tableschema.json"}
    root = package(
        tmp_path,
        [{"name": "a"}],
        [["x"]],
        schema=schema,
        resource={"type": "table"},
        descriptor=descriptor,
    )
    assert_both(root, [])
    assert load("t", root)["a"].tolist() == ["x"]


# -- compression ------------------------------------------------------------------------------


def compressed(root: Path, kind: str, data: bytes) -> Path:
    root = package(root, [{"name": "a", "type": "integer"}], [["0"]])
    (root / "t.csv").unlink()
    if kind == "gz":
        (root / "t.csv.gz").write_bytes(gzip.compress(data))
    else:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("t.csv", data)
        (root / "t.csv.zip").write_bytes(buffer.getvalue())
    body = json.loads((root / "datapackage.json").read_text())
    body["resources"][0]["path"] = f"t.csv.{kind}"
    (root / "datapackage.json").write_text(json.dumps(body))
    return root


@pytest.mark.parametrize("kind", ["gz", "zip"])
def test_compressed_resources_are_read_decompressed(kind: str, tmp_path: Path, capfd):
    root = compressed(tmp_path, kind, b"a\n1\n2\n")
    capfd.readouterr()
    for engine in ENGINES:  # no false `line-ending`, no decoding noise on stderr
        assert validate(root, engine=engine).findings == ()
        assert capfd.readouterr().err == ""
    result = run_cli("validate", root)
    assert result.returncode == 0 and result.stderr == "", result.stdout
    assert load("t", root)["a"].tolist() == [1, 2]
    bad = compressed(tmp_path / "bad", kind, b"a\n1\nx\n")
    assert_both(bad, [("type-error", "t", 3, "a")])


# -- memory on pathological files -------------------------------------------------------------

PEAK_RSS = """
import resource, sys
import expo_data
report = expo_data.validate(sys.argv[1], engine=sys.argv[2])
print(sorted({f.code for f in report.findings}))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("filler", [b"\0", b"x"], ids=["nul-run", "no-newline"])
def test_memory_stays_bounded_on_a_giant_cell(filler: bytes, engine: str, tmp_path: Path):
    """A 50 MB cell (a run of NULs, or a file without newlines) costs no more than its pages.

    The strict scan reads 4 MB chunks and stops the engines from parsing a resource with a
    cell over the limit; before, 50 MB took 470 MB (NULs) and 940 MB (no newline) of RSS.
    """
    import subprocess
    import sys

    small = package(tmp_path / "small", [{"name": "a"}, {"name": "b"}], [["x", "y"]])
    big = package(
        tmp_path / "big", [{"name": "a"}, {"name": "b"}], raw=b"a,b\n" + filler * (50 << 20)
    )
    peaks = {}
    for name, root in (("small", small), ("big", big)):
        run = subprocess.run(
            [sys.executable, "-c", PEAK_RSS, str(root), engine],
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
        codes, peak = run.stdout.splitlines()
        peaks[name] = int(peak) // 1024  # MiB
    assert "cell-too-large" in codes
    assert peaks["big"] - peaks["small"] < 50 + 60, peaks  # the file's pages, and a few chunks


def test_packages_handed_to_frictionless_get_the_checks_it_lacks(tmp_path: Path):
    """`fieldsMatch` other than exact (and gz, zip, other dialects): frictionless does the
    Table Schema checks; RE2 patterns, categories, out-of-range and uniqueKeys still apply."""
    fields = [
        {"name": "a", "constraints": {"pattern": "(a+)+$"}},
        {"name": "n", "type": "integer"},
        {"name": "c", "categories": ["x"]},
    ]
    rows = [["a" * 30_000 + "b", "1", "x"], ["aa", "99999999999999999999", "y"], ["a", "1", "x"]]
    schema = {"fieldsMatch": "equal", "uniqueKeys": [["n", "c"]]}
    root = package(tmp_path, fields, rows, schema=schema)
    assert_both(
        root,
        [
            ("constraint-error", "t", 2, "a"),
            ("out-of-range", "t", 3, "n"),
            ("constraint-error", "t", 3, "c"),
            ("unique-key", "t", 4, "n,c"),
        ],
    )
    gz = compressed(tmp_path / "gz", "gz", b"a\n99999999999999999999\n")
    assert_both(gz, [("out-of-range", "t", 2, "a")])
