"""Every package, every form: one package model under validate, load, SQL, docs and releases.

A package of another shape than the CHTF one (other names, a composite key, a `;` dialect, a
foreign key, dates, booleans, numbers, enums, no `sources`) is built once per module, with
its release in a local release location and downloaded into a temporary cache. Every
command and function must give the same tables and verdicts on the CSV form, the release
folder and the cached release; damaged Parquet files must give the right findings.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import expo_data
from expo_data.model.descriptor import Field, open_package
from expo_data.validation import checks

from conftest import ROOT, copy_package, run_cli

VERSION = "1.2.0"
CUSTOMERS = """\
region;code;name;joined;active;credit
north;1;Ācme "Ltd";2023-01-05;true;1.5
north;2;北方公司;2023-02-28;false;
south;1;NA;2022-12-31;;-2.25
south;7;0755;2021-06-01;true;1e3
"""
ORDERS = """\
order_id;region;code;placed;updated;amount;status;quantity;express;note
o-1;north;1;2023-03-01;2023-03-01T10:00:00Z;10.5;open;3;true;first
o-2;north;2;2023-03-02;;0;shipped;;false;中文 note
o-3;south;1;2023-03-03;2023-03-04T08:30:00Z;99.99;open;1;;"semi;colon"
o-4;;;2023-03-04;;5;cancelled;2;true;
"""
CUSTOMERS_SCHEMA = {
    "fields": [
        {
            "name": "region",
            "type": "string",
            "constraints": {"required": True, "enum": ["north", "south", "east"]},
        },
        {"name": "code", "type": "integer", "constraints": {"required": True, "minimum": 1}},
        {"name": "name", "type": "string", "title": "Name"},
        {"name": "joined", "type": "date"},
        {"name": "active", "type": "boolean"},
        {"name": "credit", "type": "number"},
    ],
    "primaryKey": ["region", "code"],
}
ORDERS_SCHEMA = {
    "fields": [
        {
            "name": "order_id",
            "type": "string",
            "constraints": {"required": True, "pattern": "o-[0-9]+"},
        },
        {"name": "region", "type": "string"},
        {"name": "code", "type": "integer"},
        {"name": "placed", "type": "date", "constraints": {"required": True}},
        {"name": "updated", "type": "datetime"},
        {"name": "amount", "type": "number", "constraints": {"minimum": 0}},
        {
            "name": "status",
            "type": "string",
            "constraints": {"enum": ["open", "shipped", "cancelled"]},
        },
        {"name": "quantity", "type": "integer"},
        {"name": "express", "type": "boolean"},
        {"name": "note", "type": "string", "constraints": {"maxLength": 40}},
    ],
    "primaryKey": ["order_id"],
    "foreignKeys": [
        {
            "fields": ["region", "code"],
            "reference": {"resource": "customers", "fields": ["region", "code"]},
        }
    ],
}
NAMES = ["customers", "orders"]


def make_package(folder: Path, **descriptor) -> Path:
    """The shop package: two `;`-delimited CSVs, one referencing the other by a composite key."""
    (folder / "tables").mkdir(parents=True, exist_ok=True)
    (folder / "tables" / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
    (folder / "tables" / "orders.csv").write_text(ORDERS, encoding="utf-8")
    resources = [
        {
            "name": name,
            "title": name.title(),
            "path": f"tables/{name}.csv",
            "format": "csv",
            "encoding": "utf-8",
            "dialect": {"delimiter": ";"},
            "schema": schema,
        }
        for name, schema in (("customers", CUSTOMERS_SCHEMA), ("orders", ORDERS_SCHEMA))
    ]
    doc = {"name": "shop", "title": "A shop", "version": VERSION, "resources": resources}
    (folder / "datapackage.json").write_text(json.dumps(doc | descriptor), encoding="utf-8")
    return folder / "datapackage.json"


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory):
    """{form: path} of the shop package, and the environment that finds its cached release."""
    root = tmp_path_factory.mktemp("forms")
    csv_form = make_package(root / "csv")
    location = root / "location"
    expo_data.build_release(csv_form, out=location / VERSION)
    env = {"EXPO_DATA_CACHE": str(root / "cache"), "EXPO_DATA_RELEASE_URL": str(location)}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        cached = expo_data.download_release(VERSION)
        paths = {"csv": csv_form, "release": location / VERSION, "cached": cached}
        yield paths, env


def test_cached_release_is_a_copy_of_the_built_one(forms):
    paths, _ = forms
    assert paths["cached"] != paths["release"]
    for name in ("customers.parquet", "orders.parquet"):
        assert (paths["cached"] / name).read_bytes() == (paths["release"] / name).read_bytes()


def test_every_form_loads_the_same_tables(forms):
    paths, _ = forms
    frames = {form: expo_data.load_all(path) for form, path in paths.items()}
    frames["release=V"] = expo_data.load_all(release=VERSION)
    expected = frames.pop("csv")
    assert list(expected) == NAMES
    assert expected["orders"]["quantity"].dtype == "Int64"
    assert expected["customers"].loc[2, "name"] == "NA"  # only "" is missing here
    assert expected["customers"].loc[3, "name"] == "0755"
    for form, loaded in frames.items():
        assert list(loaded) == NAMES, form
        for name in NAMES:
            pd.testing.assert_frame_equal(loaded[name], expected[name], check_exact=True)
    for name in NAMES:
        csv_table = expo_data.load_arrow(name, paths["csv"])
        for form in ("release", "cached"):
            table = expo_data.load_arrow(name, paths[form])
            assert table.schema == csv_table.schema, (form, name)
            assert table.equals(csv_table, check_metadata=True), (form, name)
        indexed = expo_data.load(name, release=VERSION, index=True)
        sql = f"SELECT * FROM {name} ORDER BY ALL"
        rows = expo_data.query(sql, paths["csv"])
        for path in (paths["release"], paths["cached"]):
            assert expo_data.query(sql, path) == rows
        assert expo_data.query(sql, release=VERSION) == rows
        assert list(indexed.index.names) == list(
            open_package(paths["csv"]).resource(name).schema.primary_key
        )


def source_forms(root: Path) -> dict[str, Path]:
    """The shop package in the source layer's other forms, each with the same tables."""
    import gzip

    import yaml

    out = {}
    base = make_package(root / "base")
    descriptor = json.loads(base.read_text(encoding="utf-8"))
    header, *rows = ORDERS.splitlines(keepends=True)
    # YAML, the orders in two parts (each repeating the header), the customers inline
    folder = root / "yaml-parts-inline"
    (folder / "tables").mkdir(parents=True)
    (folder / "tables" / "orders-1.csv").write_text(header + "".join(rows[:2]), "utf-8")
    (folder / "tables" / "orders-2.csv").write_text(header + "".join(rows[2:]), "utf-8")
    customers, orders = (dict(r) for r in descriptor["resources"])
    lines = [line.split(";") for line in CUSTOMERS.splitlines()]
    inline = {k: v for k, v in customers.items() if k not in ("path", "dialect", "encoding")}
    inline["data"] = lines  # the header row, then every row's cells as strings
    orders["path"] = ["tables/orders-1.csv", "tables/orders-2.csv"]
    doc = {**descriptor, "resources": [inline | {"format": "inline"}, orders]}
    (folder / "datapackage.yml").write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    out["yaml-parts-inline"] = folder / "datapackage.yml"
    # gzip, and UTF-16 as declared
    folder = root / "gzip-utf16"
    (folder / "tables").mkdir(parents=True)
    (folder / "tables" / "customers.csv.gz").write_bytes(gzip.compress(CUSTOMERS.encode()))
    (folder / "tables" / "orders.csv").write_bytes(ORDERS.encode("utf-16"))
    customers, orders = (dict(r) for r in descriptor["resources"])
    customers["path"] = "tables/customers.csv.gz"
    orders["encoding"] = "utf-16"
    doc = {**descriptor, "resources": [customers, orders]}
    (folder / "datapackage.json").write_text(json.dumps(doc), encoding="utf-8")
    out["gzip-utf16"] = folder / "datapackage.json"
    return out


def test_source_layer_forms_load_validate_and_release_the_same(forms, tmp_path: Path):
    paths, _ = forms
    expected = expo_data.load_all(paths["csv"])
    sql = "SELECT * FROM orders JOIN customers USING (region, code) ORDER BY ALL"
    rows = expo_data.query(sql, paths["csv"])
    for form, path in source_forms(tmp_path).items():
        for engine in ("fast", "frictionless", "duckdb"):
            report = expo_data.validate(path, engine=engine)
            assert report.valid and not report.findings, (form, engine, report.findings)
        loaded = expo_data.load_all(path)
        for name in NAMES:
            pd.testing.assert_frame_equal(loaded[name], expected[name], check_exact=True)
            assert expo_data.load_arrow(name, path).equals(
                expo_data.load_arrow(name, paths["csv"])
            ), (form, name)
        assert expo_data.query(sql, path) == rows, form
        out = tmp_path / f"release-{form}"
        expo_data.build_release(path, out=out)
        assert expo_data.validate(out).valid, form
        for name in NAMES:
            pd.testing.assert_frame_equal(expo_data.load(name, out), expected[name])


def test_every_form_validates_with_no_findings(forms):
    paths, _ = forms
    for form, path in paths.items():
        for engine in ("fast", "frictionless"):
            report = expo_data.validate(path, engine=engine)
            assert report.valid and not report.findings, (form, engine, report.findings)


def test_release_descriptor_passes_frictionless_itself(forms):
    paths, _ = forms
    descriptor = json.loads((paths["release"] / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        assert "bytes" not in resource and "hash" not in resource  # in manifest.json only
    result = subprocess.run(
        [str(Path(sys.executable).with_name("frictionless")), "validate", "datapackage.json"],
        cwd=paths["release"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert result.stderr == ""


def test_every_command_on_every_form(forms, tmp_path: Path):
    paths, env = forms
    outputs: dict[str, dict[str, str]] = {}
    query = "SELECT region, code, count(*) AS n FROM orders GROUP BY ALL ORDER BY ALL"
    for form, path in paths.items():
        commands = {
            "validate": ["validate", path, "-f", "json"],
            "list": ["list", "-p", path],
            "describe": ["describe", "orders", "-p", path],
            "show": ["show", "customers", "-p", path],
            "sql": ["sql", query, "-p", path, "--format", "json"],
        }
        outputs[form] = {}
        for command, args in commands.items():
            result = run_cli(*args, env=env)
            assert result.returncode == 0, (form, command, result.stderr)
            assert result.stderr == "", (form, command, result.stderr)
            outputs[form][command] = result.stdout
        docs = tmp_path / form
        result = run_cli("docs", "--out", docs, "-p", path, env=env)
        assert result.returncode == 0, (form, result.stderr)
        assert result.stderr.startswith("Warning: datapackage.json has no description")
        assert sorted(p.name for p in docs.iterdir()) == ["data-dictionary.md", "dataset-card.md"]
        dictionary = (docs / "data-dictionary.md").read_text(encoding="utf-8")
        assert (
            "erDiagram" in dictionary and 'orders }o--o| customers : "region, code"' in dictionary
        )
        assert "| `quantity` | integer |  | 3/4 |" in dictionary  # filled counts from any form
        card = (docs / "dataset-card.md").read_text(encoding="utf-8")
        assert "## Coverage" not in card and "coverage.svg" not in card
    csv_out = outputs.pop("csv")
    assert json.loads(csv_out["validate"])["valid"] is True
    assert json.loads(csv_out["sql"]) == [
        {"region": "north", "code": 1, "n": 1},
        {"region": "north", "code": 2, "n": 1},
        {"region": "south", "code": 1, "n": 1},
        {"region": None, "code": None, "n": 1},
    ]
    for form, out in outputs.items():
        for command in ("list", "show", "sql"):
            assert out[command] == csv_out[command], (form, command)
        assert json.loads(out["validate"])["findings"] == []
        assert described(out["describe"]) == described(csv_out["describe"]), form


def described(text: str) -> list[str]:
    """`describe` output without the path line, constraints in one order (a release's JSON
    descriptor has its keys sorted)."""
    lines = []
    for line in text.splitlines():
        if line.startswith("path:"):
            continue
        head, sep, constraints = line.partition("constraints: ")
        lines.append(head + sep + ", ".join(sorted(constraints.split(", "))) if sep else line)
    return lines


def test_release_build_from_csv_and_from_a_release(forms, tmp_path: Path):
    paths, env = forms
    result = run_cli("release", "build", "-p", paths["csv"], "--out", tmp_path / "again", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("Warning: ") and len(result.stderr.splitlines()) == 1
    built = paths["release"]
    for name in ("customers.parquet", "orders.parquet", "SHA256SUMS"):
        assert (tmp_path / "again" / name).read_bytes() == (built / name).read_bytes(), name
    # a release of the release: the same files (the release descriptor is its own fixpoint)
    expo_data.build_release(paths["release"], out=tmp_path / "twice")
    assert (tmp_path / "twice" / "SHA256SUMS").read_bytes() == (built / "SHA256SUMS").read_bytes()


def test_load_arrow_from_a_release_imports_no_pandas(forms):
    paths, env = forms
    code = (
        "import sys, expo_data\n"
        f"t = expo_data.load_arrow('orders', release={VERSION!r})\n"
        f"u = expo_data.load_arrow('orders', {str(paths['release'])!r})\n"
        "assert t.num_rows == u.num_rows == 4\n"
        "print('pandas' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release of the bundled package."""
    return expo_data.build_release(out=tmp_path_factory.mktemp("bundled") / "release")


def test_bundled_package_in_its_release_form(bundled: Path):
    csv_frames, release_frames = expo_data.load_all(), expo_data.load_all(bundled)
    assert list(release_frames) == list(csv_frames)
    for name, frame in csv_frames.items():
        pd.testing.assert_frame_equal(release_frames[name], frame, check_exact=True)
    for engine in ("fast", "frictionless"):
        report = expo_data.validate(bundled, engine=engine)
        assert report.valid and not report.findings, (engine, report.findings[:3])
    result = subprocess.run(
        [str(Path(sys.executable).with_name("frictionless")), "validate", "datapackage.json"],
        cwd=bundled,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0 and result.stderr == "", result.stdout[-2000:]
    for args in (["show", "awards", "-n", "30"], ["describe", "winners"], ["list"]):
        csv_out, release_out = run_cli(*args), run_cli(*args, "-p", bundled)
        assert release_out.returncode == 0 and release_out.stderr == "", release_out.stderr
        assert described(release_out.stdout) == described(csv_out.stdout), args
    result = run_cli("validate", bundled)
    assert result.returncode == 0 and result.stderr == "", result.stderr


# -- damaged Parquet releases ---------------------------------------------------------------


def damaged(forms, tmp_path: Path, name: str, change) -> Path:
    """A copy of the release whose `name`.parquet is `change(table)`, rewritten."""
    paths, _ = forms
    folder = tmp_path / "damaged"
    shutil.copytree(paths["release"], folder)
    target = folder / f"{name}.parquet"
    pq.write_table(change(pq.ParquetFile(target).read()), target)
    return folder


def _codes(report) -> list[tuple]:
    return [(f.code, f.resource, f.row, f.field) for f in report.findings]


MANIFEST_FINDINGS = {"hash-count", "byte-count"}  # the rewritten file differs from manifest.json


@pytest.mark.parametrize(
    ("case", "name", "expected"),
    [
        ("wrong-type", "orders", [("column-type", "orders", None, "amount")]),
        ("missing-column", "orders", [("missing-column", "orders", None, "note")]),
        (
            "duplicate-key",
            "customers",
            [("unique-error", "customers", 6, ""), ("primary-key", "customers", 6, "")],
        ),
        ("dangling-foreign-key", "orders", [("foreign-key", "orders", 2, "region,code")]),
    ],
)
def test_damaged_release_gives_the_right_findings(forms, tmp_path, case, name, expected):
    def change(table: pa.Table) -> pa.Table:
        if case == "wrong-type":
            j = table.column_names.index("amount")
            return table.set_column(j, "amount", table.column("amount").cast(pa.string()))
        if case == "missing-column":
            return table.drop_columns(["note"])
        if case == "duplicate-key":
            return pa.concat_tables([table, table.slice(0, 1)])
        codes = pa.array([99, *table.column("code").to_pylist()[1:]], pa.int64())
        return table.set_column(table.column_names.index("code"), table.schema.field("code"), codes)

    folder = damaged(forms, tmp_path, name, change)
    result = run_cli("validate", folder, "-f", "json", env=forms[1])
    assert result.returncode == 1 and result.stderr == "", result.stderr
    findings = json.loads(result.stdout)["findings"]
    got = [
        (f["code"], f["resource"], f["row"], f["field"])
        for f in findings
        if f["code"] not in MANIFEST_FINDINGS
    ]
    if case == "duplicate-key":  # no unique constraint here: only the primary key
        expected = [e for e in expected if e[0] != "unique-error"]
    assert got == expected
    assert {f["code"] for f in findings} >= MANIFEST_FINDINGS
    assert all(f["resource"] == name for f in findings)
    slow = expo_data.validate(folder, engine="frictionless")
    assert [c for c in _codes(slow) if c[0] not in MANIFEST_FINDINGS] == expected


def test_foreign_keys_across_csv_and_parquet(forms, tmp_path: Path):
    paths, _ = forms
    for parquet_side in NAMES:
        folder = tmp_path / parquet_side
        make_package(folder)
        shutil.copy2(paths["release"] / f"{parquet_side}.parquet", folder / "tables")
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        for resource in descriptor["resources"]:
            if resource["name"] == parquet_side:
                resource |= {"path": f"tables/{parquet_side}.parquet", "format": "parquet"}
                del resource["dialect"]
        (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
        for engine in ("fast", "frictionless"):
            report = expo_data.validate(folder, engine=engine)
            assert report.valid, (parquet_side, engine, report.findings)
        pd.testing.assert_frame_equal(
            expo_data.load("orders", folder), expo_data.load("orders", paths["csv"])
        )
        if parquet_side == "customers":  # the CSV side references a missing Parquet key
            orders = folder / "tables" / "orders.csv"
            orders.write_text(ORDERS.replace("o-3;south;1;", "o-3;east;1;"), encoding="utf-8")
            expected = [("foreign-key", "orders", 4, "region,code")]
        else:  # the Parquet side references a missing CSV key
            customers = folder / "tables" / "customers.csv"
            customers.write_text(CUSTOMERS.replace("north;2;", "north;3;"), encoding="utf-8")
            expected = [("foreign-key", "orders", 3, "region,code")]
        for engine in ("fast", "frictionless"):
            assert _codes(expo_data.validate(folder, engine=engine)) == expected, engine


# -- the profile: the project's own checks, declared by the package -------------------------

FAULTY = "code;text\n1; padded \n2;=SUM(A1)\n3;Cafe\u0301\n4;a\u202eb\n"


def faulty_package(folder: Path, **descriptor) -> Path:
    """A package whose one text resource breaks every text check, with a BOM and CRLFs."""
    folder.mkdir(parents=True, exist_ok=True)
    data = "\ufeff" + FAULTY.replace("\n", "\r\n")
    (folder / "notes.csv").write_bytes(data.encode("utf-8"))
    schema = {
        "fields": [{"name": "code", "type": "integer"}, {"name": "text", "type": "string"}],
        "primaryKey": ["code"],
    }
    resource = {"name": "notes", "path": "notes.csv", "dialect": {"delimiter": ";"}}
    doc = {"name": "faulty", "resources": [resource | {"schema": schema}], **descriptor}
    (folder / "datapackage.json").write_text(json.dumps(doc), encoding="utf-8")
    return folder / "datapackage.json"


ALL_CODES = {
    "byte-order-mark",
    "line-ending",
    "untrimmed",
    "formula-injection",
    "non-nfc",
    "zero-width",
}


def test_no_profile_means_exactly_the_table_schema_checks(tmp_path: Path):
    report = expo_data.validate(faulty_package(tmp_path))
    assert report.valid, report.findings
    # a resource named `sources` no longer makes every other resource cite it
    package = make_package(tmp_path / "shop")
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    descriptor["resources"][0]["name"] = "sources"
    descriptor["resources"][1]["schema"]["foreignKeys"][0]["reference"]["resource"] = "sources"
    package.write_text(json.dumps(descriptor), encoding="utf-8")
    assert expo_data.validate(package).valid


def test_declared_checks_run_and_switch_off_one_by_one(tmp_path: Path):
    names = [n for n in checks.CHECKS if n != "citations"]
    package = faulty_package(tmp_path, **{"expo:checks": names})
    for engine in ("fast", "frictionless"):
        assert set(expo_data.validate(package, engine=engine).codes) == ALL_CODES, engine
    for name in names:
        report = expo_data.validate(package, checks={name: False})
        assert set(report.codes) == ALL_CODES - {checks.CHECKS[name]}, name
    undeclared = faulty_package(tmp_path / "bare")
    assert expo_data.validate(undeclared, checks={"nfc": True}).codes == ["non-nfc"]
    with pytest.raises(ValueError, match=r"unknown check.*known: bom, line-endings"):
        expo_data.validate(package, checks={"nfkc": False})


def test_cli_check_and_no_check(tmp_path: Path):
    package = faulty_package(tmp_path)
    result = run_cli("validate", package, "--check", "nfc", "--check", "bom", "-f", "json")
    assert result.returncode == 1 and result.stderr == ""
    assert {f["code"] for f in json.loads(result.stdout)["findings"]} == {
        "non-nfc",
        "byte-order-mark",
    }
    declared = faulty_package(tmp_path / "declared", **{"expo:checks": ["nfc", "whitespace"]})
    result = run_cli("validate", declared, "--no-check", "nfc", "-f", "json")
    assert [f["code"] for f in json.loads(result.stdout)["findings"]] == ["untrimmed"]
    result = run_cli("validate", package, "--no-check", "zero-width")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("Error: unknown check 'zero-width'")
    assert ", ".join(checks.CHECKS) in result.stderr


def test_unknown_declared_check_is_a_descriptor_finding(tmp_path: Path):
    package = faulty_package(tmp_path, **{"expo:checks": ["nfc", "spelling"]})
    report = expo_data.validate(package)
    assert report.codes == ["profile-error"]
    assert "spelling" in report.findings[0].message


def test_citations_are_configured_by_the_profile(tmp_path: Path):
    folder = tmp_path / "cited"
    folder.mkdir()
    (folder / "refs.csv").write_text("key,paras\nr1,3\n", encoding="utf-8")
    (folder / "facts.csv").write_text("id,ref,para\n1,r1,2\n2,r1,4\n3,,1\n", encoding="utf-8")
    refs = {"fields": [{"name": "key"}, {"name": "paras", "type": "integer"}]}
    facts = {
        "fields": [
            {"name": "id", "type": "integer"},
            {"name": "ref"},
            {"name": "para", "type": "integer"},
        ]
    }
    descriptor = {
        "name": "cited",
        "expo:checks": ["citations"],
        "expo:citations": {
            "resource": "refs",
            "idField": "key",
            "countField": "paras",
            "sourceField": "ref",
            "paragraphField": "para",
        },
        "resources": [
            {"name": "refs", "path": "refs.csv", "schema": refs},
            {"name": "facts", "path": "facts.csv", "schema": facts},
        ],
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = expo_data.validate(folder)
    assert _codes(report) == [
        ("source-citation", "facts", 3, "para"),
        ("source-citation", "facts", 4, "ref"),
    ]
    descriptor["expo:citations"]["resource"] = "nowhere"
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    assert expo_data.validate(folder).codes == ["profile-error"]


def test_bundled_package_declares_its_profile(tmp_path: Path):
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["expo:checks"] == list(checks.CHECKS)
    package = copy_package(tmp_path / "chtf")
    places = package / "data" / "places.csv"
    places.write_bytes(places.read_bytes().replace(b"\n", b"\r\n", 1))
    assert expo_data.validate(package).codes == ["line-ending"]
    assert expo_data.validate(package, checks={"line-endings": False}).valid


FORMAT_CHARACTERS = [
    c for c in map(chr, range(sys.maxunicode + 1)) if unicodedata.category(c) == "Cf"
]


def test_every_format_character_is_found():
    field = Field("text")
    profile = checks.Profile(frozenset({"format-characters"}), checks.Citations())
    column = pa.array([f"a{c}b" for c in FORMAT_CHARACTERS] + ["plain", "中文", "é"])
    (hit,) = checks.text_hits(field, column, profile)
    mask = np.asarray(hit.mask.to_numpy(zero_copy_only=False))
    assert mask[: len(FORMAT_CHARACTERS)].all()
    assert not mask[len(FORMAT_CHARACTERS) :].any()
    assert {"\u202e", "\u200e", "\u00ad", "\ufeff", "\u200b"} <= set(FORMAT_CHARACTERS)
