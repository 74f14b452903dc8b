"""`expo-data init` / `expo_data.init_package`: a Data Package v2 inferred from a folder of CSVs.

Three folders are generated here: one with a foreign key (shop), one with dates, datetimes,
booleans and categories (events), one with a composite key (readings). Each becomes a package
that validates, with both engines, and loads.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import expo_data

from conftest import run_cli


def write_csv(path: Path, rows: list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerows(rows)


def shop(folder: Path) -> Path:
    """customers and orders; orders.customer_id → customers.id; "NA" fills a number's gaps."""
    cities = ["深圳", "上海", "北京"]
    write_csv(
        folder / "customers.csv",
        [["id", "name", "city"], *([i, f"客户{i}", cities[i % 3]] for i in range(1, 13))],
    )
    orders = [["order_id", "customer_id", "total", "note"]]
    for i in range(1, 25):
        total = "NA" if i % 6 == 0 else f"{i * 1.25}"
        orders.append([f"o-{i:03d}", (i * 5) % 12 + 1, total, "gift" if i % 4 == 0 else ""])
    write_csv(folder / "orders.csv", orders)
    return folder


def events(folder: Path) -> Path:
    """Dates, datetimes, booleans, a category column and zero-padded codes."""
    rows = [["id", "day", "starts_at", "status", "online", "zip", "attendance"]]
    for i in range(1, 31):
        day = f"2023-11-{i % 28 + 1:02d}"
        status = ("planned", "held", "cancelled")[i % 3]
        attendance = "" if i % 5 == 0 else i * 10
        rows.append(
            [f"e{i:02d}", day, f"{day}T09:30:00", status, i % 2 == 1, f"0{5000 + i}", attendance]
        )
    rows = [[str(c).lower() if isinstance(c, bool) else c for c in row] for row in rows]
    write_csv(folder / "events.csv", rows)
    return folder


def readings(folder: Path) -> Path:
    """No column is unique, the pair (station, day) is; "-" marks a missing number."""
    rows = [["station", "day", "value", "note"]]
    for station in ("north", "south", "east"):
        for day in ("2024-01-01", "2024-01-02"):
            rows.append([station, day, "-" if station == "east" else "1.5", ""])
    write_csv(folder / "readings.csv", rows)
    return folder


def schema_of(descriptor: dict, name: str) -> dict:
    return next(r for r in descriptor["resources"] if r["name"] == name)["schema"]


def fields_of(schema: dict) -> dict[str, tuple]:
    """{name: (type, required, categories)}."""
    return {
        f["name"]: (
            f["type"],
            bool(f.get("constraints", {}).get("required")),
            f.get("categories"),
        )
        for f in schema["fields"]
    }


@pytest.fixture
def inited(tmp_path):
    """Run `expo-data init` on a generated folder; return (folder, descriptor, stdout)."""

    def run(make) -> tuple[Path, dict, str]:
        folder = make(tmp_path / make.__name__)
        result = run_cli("init", folder)
        assert result.returncode == 0, result.stderr
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        return folder, descriptor, result.stdout

    return run


def assert_validates_and_loads(folder: Path, descriptor: dict) -> None:
    for engine in ("fast", "frictionless"):
        report = expo_data.validate(folder, engine=engine)
        assert report.valid, (engine, report.findings)
    for resource in descriptor["resources"]:
        frame = expo_data.load(resource["name"], folder)
        with open(folder / resource["path"], encoding="utf-8", newline="") as stream:
            assert len(frame) == sum(1 for _ in csv.reader(stream)) - 1


def test_a_foreign_key_between_two_csvs(inited):
    folder, descriptor, _ = inited(shop)
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert [r["name"] for r in descriptor["resources"]] == ["customers", "orders"]
    customers, orders = schema_of(descriptor, "customers"), schema_of(descriptor, "orders")
    assert customers["primaryKey"] == ["id"]
    assert fields_of(customers) == {
        "id": ("integer", True, None),
        "name": ("string", True, None),
        "city": ("string", True, ["上海", "北京", "深圳"]),
    }
    assert orders["primaryKey"] == ["order_id"]
    assert orders["foreignKeys"] == [
        {"fields": ["customer_id"], "reference": {"resource": "customers", "fields": ["id"]}}
    ]
    assert orders["missingValues"] == ["", "NA"]
    assert fields_of(orders)["total"] == ("number", False, None)
    assert fields_of(orders)["note"] == ("string", False, None)  # 6 rows: too few for a category
    assert_validates_and_loads(folder, descriptor)
    assert expo_data.load("orders", folder)["total"].isna().sum() == 4


def test_dates_booleans_and_categories(inited):
    folder, descriptor, _ = inited(events)
    schema = schema_of(descriptor, "events")
    assert fields_of(schema) == {
        "id": ("string", True, None),
        "day": ("date", True, None),
        "starts_at": ("datetime", True, None),
        "status": ("string", True, ["cancelled", "held", "planned"]),
        "online": ("boolean", True, None),
        "zip": ("string", True, None),  # "05001": a code, not the number 5001
        "attendance": ("integer", False, None),
    }
    assert schema["primaryKey"] == ["id"] and schema["missingValues"] == [""]
    assert "foreignKeys" not in schema
    assert_validates_and_loads(folder, descriptor)
    assert expo_data.load("events", folder)["zip"].iloc[0] == "05001"


def test_a_composite_key_and_the_printed_inference(inited):
    folder, descriptor, stdout = inited(readings)
    schema = schema_of(descriptor, "readings")
    assert schema["primaryKey"] == ["station", "day"]
    assert schema["missingValues"] == ["", "-"]
    assert stdout == (
        f"Wrote {folder / 'datapackage.json'} (1 resource, Data Package v2)\n"
        "\n"
        "readings (readings.csv)\n"
        "  primary key: station, day\n"
        '  missing values: ["", "-"]\n'
        "  station  string  required\n"
        "  day      date    required\n"
        "  value    number\n"
        "  note     string\n"
        "\n"
        f"Next: expo-data validate -p {folder}\n"
    )
    assert_validates_and_loads(folder, descriptor)


def test_refuses_to_overwrite_without_force(tmp_path):
    folder = readings(tmp_path / "readings")
    assert run_cli("init", folder).returncode == 0
    (folder / "datapackage.json").write_text('{"name": "mine"}', encoding="utf-8")
    again = run_cli("init", folder)
    assert (again.returncode, again.stdout) == (2, "")
    assert (
        again.stderr == f"Error: {folder / 'datapackage.json'} exists; pass --force to replace it\n"
    )
    assert json.loads((folder / "datapackage.json").read_text()) == {"name": "mine"}
    with pytest.raises(expo_data.PackageError, match=r"pass force=True to replace it$"):
        expo_data.init_package(folder)
    forced = run_cli("init", folder, "--force")
    assert forced.returncode == 0, forced.stderr
    assert expo_data.validate(folder).valid


def test_a_folder_without_csvs_is_refused(tmp_path):
    result = run_cli("init", tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"Error: {tmp_path} holds no CSV files (*.csv) to describe\n"
    assert not (tmp_path / "datapackage.json").exists()


def test_a_semicolon_csv_gets_its_dialect(tmp_path):
    folder = tmp_path / "semi"
    folder.mkdir()
    (folder / "prices.csv").write_text("sku;price\na-1;1,5\nb-2;2\n", encoding="utf-8")
    path = expo_data.init_package(folder)
    resource = json.loads(path.read_text())["resources"][0]
    assert resource["dialect"] == {"delimiter": ";"}
    price = resource["schema"]["fields"][1]
    assert (price["type"], price["decimalChar"]) == ("number", ",")  # "1,5" is 1.5
    assert resource["schema"]["primaryKey"] == ["sku"]
    assert expo_data.validate(folder).valid
    assert expo_data.load("prices", folder)["price"].tolist() == [1.5, 2.0]


def test_inference_agrees_with_frictionless_describe_except_where_stated(tmp_path):
    """Where ours and `frictionless describe` differ, and why.

    - `total` with "NA" cells: as `value` below.
    - `zip` "05001": frictionless says integer, which would load as 5001; ours keeps string.
    - `value` with "-" cells: frictionless says string ("-" is not one of its missing values);
      ours declares "-" missing (it fills only a number column's gaps) and says number.
    - `note`, always empty: frictionless says `any`; ours says string.
    frictionless infers no primary keys, foreign keys, required fields or categories, and
    looks at a sample of rows where ours reads them all.
    """
    import frictionless

    differences = {}
    for make in (shop, events, readings):
        folder = make(tmp_path / make.__name__)
        ours = expo_data.infer_package(folder)
        for resource in ours["resources"]:
            theirs = frictionless.describe(str(folder / resource["path"]), type="resource")
            their_types = {f.name: f.type for f in theirs.schema.fields}
            for name, (kind, _, _) in fields_of(resource["schema"]).items():
                if their_types[name] != kind:
                    differences[(resource["name"], name)] = (kind, their_types[name])
    assert differences == {
        ("orders", "total"): ("number", "string"),  # "NA" fills its gaps
        ("events", "zip"): ("string", "integer"),  # zero-padded codes
        ("readings", "value"): ("number", "string"),  # "-" fills its gaps
        ("readings", "note"): ("string", "any"),  # always empty
    }


# --- guessing like a person (issue 20) ----------------------------------------------------

PUBLISHER = Path(__file__).parent / "data" / "publisher"  # real CSVs, see its SOURCE.md


def real_csvs(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("country-codes.csv", "gdp.csv"):
        (folder / name).write_bytes((PUBLISHER / name).read_bytes())
    return folder


def test_real_csvs_get_code_keys_and_a_foreign_key_like_frictionless_types(tmp_path):
    """On two real public CSVs: the ISO code is the key (not `Geoname ID`, unique too, nor
    `FIFA`, which has a gap), gdp's key is (code, year), its `Country Code` refers to the
    ISO code; every type agrees with `frictionless describe`, which infers no keys."""
    import frictionless

    folder = real_csvs(tmp_path / "w2")
    ours = json.loads(expo_data.init_package(folder).read_text(encoding="utf-8"))
    codes, gdp = schema_of(ours, "country-codes"), schema_of(ours, "gdp")
    assert codes["primaryKey"] == ["ISO3166-1-Alpha-3"]
    assert gdp["primaryKey"] == ["Country Code", "Year"]
    assert gdp["foreignKeys"] == [
        {
            "fields": ["Country Code"],
            "reference": {"resource": "country-codes", "fields": ["ISO3166-1-Alpha-3"]},
        }
    ]
    for resource in ours["resources"]:
        theirs = frictionless.describe(str(folder / resource["path"]), type="resource")
        assert {f.name: f.type for f in theirs.schema.fields} == {
            name: kind for name, (kind, _, _) in fields_of(resource["schema"]).items()
        }
        assert theirs.schema.primary_key == []
    assert_validates_and_loads(folder, ours)


def test_a_foreign_key_to_a_unique_column_that_is_not_the_key(tmp_path):
    folder = tmp_path / "shop"
    write_csv(folder / "products.csv", [["id", "sku"], *([i, f"SKU{i:03d}"] for i in range(1, 9))])
    write_csv(
        folder / "sales.csv",
        [["sale", "sku"], *([f"s{i}", f"SKU{i % 4 + 1:03d}"] for i in range(9))],
    )
    descriptor = expo_data.infer_package(folder)
    assert schema_of(descriptor, "products")["primaryKey"] == ["id"]
    assert schema_of(descriptor, "sales")["foreignKeys"] == [
        {"fields": ["sku"], "reference": {"resource": "products", "fields": ["sku"]}}
    ]
    sku = schema_of(descriptor, "products")["fields"][1]
    assert sku["constraints"] == {"required": True, "unique": True}  # what the key rests on


def test_blank_cells_are_missing_and_generated_folders_are_skipped(tmp_path):
    folder = tmp_path / "w"
    write_csv(folder / "t.csv", [["code", "note"], ["AB", "x"], ["CD", "\u00a0"], ["EF", " "]])
    for generated in ("site/downloads", "docs", "release/1.0.0", "dist"):
        write_csv(folder / generated / "t.csv", [["a"], ["1"]])
    write_csv(folder / "published" / "t.csv", [["a"], ["1"]])
    (folder / "published" / "manifest.json").write_text("{}")  # a release folder
    path = expo_data.init_package(folder)
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    assert [r["path"] for r in descriptor["resources"]] == ["t.csv"]
    schema = descriptor["resources"][0]["schema"]
    assert schema["missingValues"] == ["", " ", "\u00a0"]
    assert fields_of(schema)["note"] == ("string", False, None)
    assert expo_data.load("t", folder)["note"].isna().tolist() == [False, True, True]


def test_title_version_licence_and_an_encoding_hint(tmp_path):
    folder = tmp_path / "w"
    write_csv(folder / "t.csv", [["code"], ["AB"]])
    result = run_cli(
        "init", folder, "--title", "Codes", "--version", "0.1.0", "--licence", "CC0-1.0"
    )
    assert result.returncode == 0, result.stderr
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert (descriptor["title"], descriptor["version"]) == ("Codes", "0.1.0")
    assert descriptor["licenses"] == [{"name": "CC0-1.0"}]
    (folder / "t.csv").write_bytes("code,city\nAB,Z\xfcrich\n".encode("cp1252"))
    result = run_cli("init", folder, "--force")
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1
    assert "not UTF-8" in result.stderr and "Windows-1252 (cp1252)" in result.stderr
    assert "iconv -f cp1252 -t utf-8 t.csv" in result.stderr
