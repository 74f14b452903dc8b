"""Conformance: real public Data Packages (tests/conformance/), frictionless-py as the oracle.

Each package (its source, commit, licence and trimming in tests/conformance/MANIFEST.json) is
checked against frictionless' own reading of it: `validate`'s verdict and findings (code,
resource, row, field) under every engine, `load` and `load_arrow` cell by cell against
`read_rows()`, SQL row counts; and (marked slow) a Parquet release that builds, validates under
expo-data and frictionless, loads the same values and diffs clean, and `docs` and `site`.

What fails today for a reason issue 19 names is in XFAIL (strict: delete an entry when it
passes). Deliberate differences from frictionless (README, "Where expo-data differs from
frictionless") are in DIFFERENCES, RELEASE_LIMITS, `same()` and `test_difference_*` here.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import expo_data

from conftest import run_cli

SUITE = Path(__file__).resolve().parent / "conformance"
PACKAGES = sorted(p.parent.name for p in SUITE.glob("*/datapackage.*"))
ENGINES = ("fast", "frictionless", "duckdb")
LEXICAL = {"yearmonth", "duration", "geopoint", "geojson", "object", "array", "any"}

# frictionless guesses the header row from the first rows' widths; every engine takes row 1,
# as the Table Dialect spec says: for these packages the oracle is told `header: true` (a
# deliberate difference, pinned by test_difference_header_row_guess)
HEADER_ROW_1 = {"datahub-co2-ppm"}


VALIDATE = tuple(f"validate-{e}" for e in ENGINES)
READ = ("load", "load_arrow", "sql")
SLOW = ("release", "docs", "site")
EVERY = (*VALIDATE, "cli-validate", *READ, *SLOW)

# --- what fails, per package and check: a strict xfail (empty: every check passes since
# the source layer read YAML, path arrays, inline data, non-tabular resources…)
XFAIL: dict[tuple[str, str], str] = {}

# --- deliberate differences: findings expo-data adds, by package (see the docs' list) ------
DIFFERENCES: dict[str, set[tuple[str, str, int | None, str]]] = {
    # RE2 cannot compile the lookahead in Camtrap DP's media.filePath pattern: a package-error
    # naming the field, where frictionless (Python re) checks the pattern.
    "camtrap-dp-example": {("package-error", "media", None, "")},
    # The same lookahead in Camtrap DP 0.1.6's media.filePath pattern
    # ('^(?=^[^./~])(^((?!\\.{2}).)*$).*$', media-table-schema.json): README, first row of
    # "Where expo-data differs from frictionless".
    "camtraptor-mica": {("package-error", "media", None, "")},
    "camtraptor-mica-parsing-issues": {("package-error", "media", None, "")},
}

# --- deliberate differences: findings expo-data folds into one, by package -------------------
# A shifted header (every row with the same extra or missing cells) is one finding, on the
# first row; frictionless repeats it on every row (tests/test_validation_layout.py).
FOLDED: dict[str, set[tuple[str, str]]] = {
    # co2-mm-mlo: 6 labels, 7 cells in every row; co2-mm-gl: 3 labels, 4 cells (HEADER_ROW_1)
    "datahub-co2-ppm": {("extra-cell", "co2-mm-mlo"), ("extra-cell", "co2-mm-gl")},
}


def folded(package: str, found: set[tuple[str, str, int | None, str]]) -> set:
    """frictionless' findings less those expo-data folds into the first of their kind."""
    out = set(found)
    for code, resource in FOLDED.get(package, set()):
        repeated = sorted(f for f in found if f[:2] == (code, resource))
        assert len(repeated) > 1, f"documented fold no longer seen: {code} in {resource}"
        out -= set(repeated[1:])
    return out


# --- frictionless' limits on a Parquet release: its findings there, by package --------------
# None left (issue 23): frictionless reads Parquet through pandas, where an integer column
# holding a missing value used to become float64 ("1833.0" is not a year); the release's files
# now carry pandas metadata, so it reads Int64/Int16. The two limits that remain (v2 lists,
# resources in parts) are pinned in tests/test_clients.py; no package here has them.
RELEASE_LIMITS: dict[str, set[tuple[str, str, str]]] = {}


def case(package: str, check: str, *marks: Any) -> Any:
    """One parameter, xfail (strict) when XFAIL lists it."""
    reason = XFAIL.get((package, check))
    extra = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(package, id=package, marks=[*marks, *extra])


def cases(check: str, *marks: Any) -> list[Any]:
    """Every package, for one check."""
    return [case(p, check, *marks) for p in PACKAGES]


# --- the oracle -------------------------------------------------------------------------------
def descriptor_path(package: str) -> Path:
    """The package's descriptor file (datapackage.json, .yaml or .yml)."""
    return next(p for p in sorted((SUITE / package).iterdir()) if p.stem == "datapackage")


def fl_package(package: str, *, guess_header: bool = False) -> Any:
    """The package as frictionless opens it (a `.yml` descriptor is parsed here: frictionless
    takes a `.yml` path for a plain file, see test_difference_yml_descriptor). For the
    HEADER_ROW_1 packages it is told `header: true` unless `guess_header`."""
    import frictionless
    import yaml

    path = descriptor_path(package)
    if package not in HEADER_ROW_1 or guess_header:
        if path.suffix == ".yml":
            descriptor = yaml.safe_load(path.read_text("utf-8"))
            return frictionless.Package(descriptor, basepath=str(path.parent))
        return frictionless.Package(str(path))
    descriptor = json.loads(path.read_text("utf-8"))  # the HEADER_ROW_1 packages are JSON
    for resource in descriptor["resources"]:
        resource["dialect"] = {"header": True, **resource.get("dialect", {})}
    return frictionless.Package(descriptor, basepath=str(path.parent))


@cache
def fl_findings(
    package: str, *, guess_header: bool = False
) -> frozenset[tuple[str, str, int | None, str]]:
    """frictionless' findings as (code, resource, row, field)."""
    report = fl_package(package, guess_header=guess_header).validate()
    found = {(e.type, "", None, "") for e in report.errors}
    for task in report.tasks:
        for e in task.errors:
            row = getattr(e, "row_number", None)
            if row is None and getattr(e, "row_numbers", None):  # a header finding
                row = e.row_numbers[0]
            # a foreign-key error names its fields in `field_names` (as the engines read it)
            field = getattr(e, "field_name", None) or ",".join(getattr(e, "field_names", []))
            found.add((e.type, task.name or "", row, field))
    return frozenset(found)


@cache
def fl_rows(package: str) -> dict[str, tuple[list[dict], list[list[Any]], list[list[Any]]]]:
    """Per clean tabular resource: its fields, frictionless' typed rows and their source cells.

    A resource frictionless reports findings for is left out (its values are not comparable).
    """
    from frictionless.resources import TableResource

    bad = {resource for _, resource, _, _ in fl_findings(package)}
    out = {}
    for resource in fl_package(package).resources:
        if resource.name in bad or not isinstance(resource, TableResource):
            continue
        with resource:
            rows = resource.read_rows()
        fields = [f.to_descriptor() for f in resource.schema.fields]
        names = [f["name"] for f in fields]
        out[resource.name] = (
            fields,
            [[row[n] for n in names] for row in rows],
            [list(row.cells) for row in rows],
        )
    return out


def same(field: dict, expected: Any, got: Any, cell: Any) -> bool:
    """Whether a loaded value is frictionless' value as its Arrow type holds it."""
    if expected is None or got is None:
        return expected is None and got is None
    kind = field.get("type", "any")
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
    if kind in LEXICAL:  # kept as written (docs: deliberate differences)
        return got == (cell if isinstance(cell, str) else json.dumps(cell))
    return expected == got


def pandas_column(series: Any) -> list[Any]:
    """A DataFrame column as plain Python values (a categorical's missing NaN -> None)."""
    import pandas as pd

    if isinstance(series.dtype, pd.CategoricalDtype):
        return [None if pd.isna(v) else plain(v) for v in series.tolist()]
    return [plain(v) for v in series.tolist()]


def plain(value: Any) -> Any:
    """A pandas cell as a plain Python value (missing -> None)."""
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value


def assert_same_values(package: str, columns_of: Any) -> None:
    """Every resource is listed; every clean tabular one, read by `columns_of(name)`, holds
    frictionless' value in every cell."""
    listed = expo_data.resource_names(descriptor_path(package))
    assert listed == [r.name for r in fl_package(package).resources]
    expected = fl_rows(package)
    for name, (fields, rows, cells) in expected.items():
        columns = columns_of(name)
        assert [len(c) for c in columns] == [len(rows)] * len(fields), name
        for r, row in enumerate(rows):
            for c, field in enumerate(fields):
                got = columns[c][r]
                assert same(field, row[c], got, cells[r][c]), (
                    f"{package}/{name} row {r + 1} field {field['name']!r}: "
                    f"frictionless {row[c]!r}, expo-data {got!r}"
                )


def expo_findings(report: expo_data.Report) -> set[tuple[str, str, int | None, str]]:
    """expo-data's findings as (code, resource, row, field)."""
    return {(f.code, f.resource, f.row, f.field) for f in report.findings}


# --- checks -----------------------------------------------------------------------------------
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("package", PACKAGES)
def test_validate_matches_frictionless(package: str, engine: str, request) -> None:
    """validate's verdict and findings equal frictionless' (less the listed differences)."""
    reason = XFAIL.get((package, f"validate-{engine}"))
    if reason:
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))
    report = expo_data.validate(descriptor_path(package), engine=engine)
    extra = DIFFERENCES.get(package, set())
    got = expo_findings(report)
    assert extra <= got, f"documented difference no longer seen: {sorted(extra - got)}"
    expected = folded(package, fl_findings(package))
    only_expo, only_frictionless = sorted(got - extra - expected), sorted(expected - got)
    assert not only_expo and not only_frictionless, (
        f"expo-data only ({len(only_expo)}): {only_expo[:8]}; "
        f"frictionless only ({len(only_frictionless)}): {only_frictionless[:8]}"
    )
    assert report.valid == (not fl_findings(package) and not extra)


@pytest.mark.parametrize("package", cases("cli-validate", pytest.mark.slow))
def test_cli_validate(package: str) -> None:
    """`expo-data validate --format json` exits 0 or 1 with the API's findings, nothing on
    stderr, and counts frictionless' rows for every resource it reads."""
    result = run_cli("validate", descriptor_path(package), "--format", "json")
    report = json.loads(result.stdout)
    assert result.stderr == ""
    assert result.returncode == (0 if report["valid"] else 1)
    api = expo_data.validate(descriptor_path(package))
    assert [(f["code"], f["resource"], f["row"], f["field"]) for f in report["findings"]] == [
        (f.code, f.resource, f.row, f.field) for f in api.findings
    ]
    fl_report = fl_package(package).validate()
    # frictionless' report leaves out a count of 0 (`if resource.stats.rows:`): no key, 0 rows
    rows = {t.name: t.stats.get("rows", 0) for t in fl_report.tasks if t.type == "table"}
    tables = report["stats"]["tables"]
    assert {n: tables[n]["rows"] for n in rows if not fl_findings_of(package, n)} == {
        n: r for n, r in rows.items() if not fl_findings_of(package, n)
    }


def fl_findings_of(package: str, resource: str) -> bool:
    """Whether frictionless reports a finding in `resource`."""
    return any(r == resource for _, r, _, _ in fl_findings(package))


@pytest.mark.parametrize("package", cases("load_arrow"))
def test_load_arrow_matches_read_rows(package: str) -> None:
    """load_arrow gives frictionless' read_rows() values, cell by cell."""
    path = descriptor_path(package)

    def columns(name: str) -> list[list[Any]]:
        table = expo_data.load_arrow(name, path)
        return [col.to_pylist() for col in table.columns]

    assert_same_values(package, columns)


@pytest.mark.parametrize("package", cases("load"))
def test_load_matches_read_rows(package: str) -> None:
    """load (pandas) gives frictionless' read_rows() values, cell by cell."""
    path = descriptor_path(package)

    def columns(name: str) -> list[list[Any]]:
        frame = expo_data.load(name, path)
        return [pandas_column(frame[col]) for col in frame.columns]

    assert_same_values(package, columns)


@pytest.mark.parametrize("package", cases("sql"))
def test_sql_row_counts(package: str) -> None:
    """SQL opens the package and holds as many rows per clean resource as frictionless reads."""
    expected = {name: len(rows) for name, (_, rows, _) in fl_rows(package).items()}
    with expo_data.connect(descriptor_path(package)) as con:
        counts = {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in expected}
    assert counts == expected


@pytest.mark.parametrize("package", cases("release", pytest.mark.slow))
def test_release(package: str, tmp_path: Path) -> None:
    """A release builds (or is refused for an invalid package), validates under expo-data and
    frictionless, loads frictionless' values and diffs clean against the CSV package."""
    import frictionless

    source = descriptor_path(package)
    out = tmp_path / "release"
    version = [] if "version" in fl_package(package).to_descriptor() else ["--version", "1.0.0"]
    built = run_cli("release", "build", "--package", source, "--out", out, *version)
    if fl_findings(package) or DIFFERENCES.get(package):
        assert built.returncode == 1, built.stderr
        assert built.stderr.startswith("Error: "), built.stderr
        assert not out.exists()
        return
    assert built.returncode == 0, built.stderr
    for engine in ENGINES:
        assert expo_data.validate(out, engine=engine).valid, engine
    report = frictionless.validate(str(out / "datapackage.json"))
    found = {(t.name, e.type, getattr(e, "field_name", "")) for t in report.tasks for e in t.errors}
    assert found == RELEASE_LIMITS.get(package, set())

    def columns(name: str) -> list[list[Any]]:
        return [c.to_pylist() for c in expo_data.load_arrow(name, out).columns]

    assert_same_values(package, columns)
    diffed = run_cli("diff", source, out)
    assert diffed.returncode == 0, diffed.stdout + diffed.stderr


@pytest.mark.parametrize("package", cases("docs", pytest.mark.slow))
def test_docs_build(package: str, tmp_path: Path) -> None:
    """`expo-data docs` writes the data dictionary of the package, naming each resource."""
    result = run_cli("docs", "--package", descriptor_path(package), "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    dictionary = (tmp_path / "data-dictionary.md").read_text("utf-8")
    for resource in fl_package(package).resources:
        assert resource.name in dictionary


@pytest.mark.parametrize("package", cases("site", pytest.mark.slow))
def test_site_build(package: str, tmp_path: Path) -> None:
    """`expo-data site` builds, its index naming each resource."""
    out = tmp_path / "site"
    result = run_cli("site", "--package", descriptor_path(package), "--out", out)
    assert result.returncode == 0, result.stderr
    index = (out / "index.html").read_text("utf-8")
    for resource in fl_package(package).resources:
        assert resource.name in index


# --- deliberate differences, pinned ----------------------------------------------------------
def test_difference_lexical_types_are_kept_as_written() -> None:
    """A yearmonth (like duration, geopoint, geojson, object, array, any) loads as the text
    written, where frictionless gives a typed value (a yearmonth tuple)."""
    path = descriptor_path("datahub-gold-prices")
    dates = expo_data.load_arrow("monthly", path).column("Date").to_pylist()
    _, rows, cells = fl_rows("datahub-gold-prices")["monthly"]
    assert dates[:2] == ["1833-01", "1833-02"] == [c[0] for c in cells[:2]]
    assert (rows[0][0].year, rows[0][0].month) == (1833, 1)
    assert dates == [c[0] for c in cells]


def test_difference_numbers_are_float64() -> None:
    """A number loads as a float64 (frictionless: a Decimal keeping the digits written)."""
    prices = expo_data.load_arrow("monthly", descriptor_path("datahub-gold-prices"))
    _, rows, cells = fl_rows("datahub-gold-prices")["monthly"]
    assert cells[0][1] == "18.930" and rows[0][1] == Decimal("18.930")
    assert prices.column("Price").to_pylist()[0] == 18.93


def test_release_of_labelled_missing_values(tmp_path: Path) -> None:
    """frictionless-r's v2 example without what issue 19 adds (its two observation files
    joined, the inline media dropped): its labelled missingValues survive a release."""
    package = tmp_path / "package"
    package.mkdir()
    source = SUITE / "frictionless-r-example-v2"
    parts = [(source / f"observations_{i}.tsv").read_text("utf-8") for i in (1, 2)]
    body = parts[0] + parts[1].split("\n", 1)[1]
    (package / "observations.tsv").write_text(body, "utf-8")
    (package / "deployments.csv").write_bytes((source / "deployments.csv").read_bytes())
    descriptor = json.loads((source / "datapackage.json").read_text("utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "media"]
    descriptor["resources"][1]["path"] = "observations.tsv"
    (package / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    assert expo_data.validate(package).valid
    built = run_cli("release", "build", "--package", package, "--out", tmp_path / "release")
    assert built.returncode == 0, built.stderr[-300:]
    assert "Traceback" not in built.stderr


# --- frictionless' own limits, pinned -----------------------------------------------------------
def test_difference_yml_descriptor() -> None:
    """frictionless 5.21 takes a `datapackage.yml` path for a plain file, not a package: one
    task of type "file", no row read (expo-data reads `.yml` as the package it is; the oracle
    above parses it itself)."""
    import frictionless

    report = frictionless.validate(str(descriptor_path("datahub-country-codes")))
    assert [(t.type, t.stats.get("rows")) for t in report.tasks] == [("file", None)]
    assert fl_rows("datahub-country-codes")["country-codes"][1]  # parsed, it has rows


def test_difference_header_row_guess() -> None:
    """frictionless 5.21 takes row 2 of co2-mm-gl as the header when row 1 is narrower than
    the rows below it; every expo-data engine takes row 1, as the Table Dialect spec says,
    and reports the rows' extra cell (once: see FOLDED). See HEADER_ROW_1."""
    guessed = {f for f in fl_findings("datahub-co2-ppm", guess_header=True) if f[1] == "co2-mm-gl"}
    assert {(code, row) for code, _, row, _ in guessed} == {
        ("extra-label", 2),
        ("incorrect-label", 2),
    }
    assert not any(code == "extra-cell" for code, *_ in guessed)
    for engine in ENGINES:
        report = expo_data.validate(descriptor_path("datahub-co2-ppm"), engine=engine)
        found = {(f.code, f.row) for f in report.findings if f.resource == "co2-mm-gl"}
        assert found == {("extra-cell", 2)}, (engine, found)


# --- the suite itself -------------------------------------------------------------------------
def test_manifest_lists_every_package() -> None:
    """Each package has a manifest entry: source repository, commit, licence, files."""
    manifest = json.loads((SUITE / "MANIFEST.json").read_text("utf-8"))
    assert sorted(e["name"] for e in manifest) == PACKAGES
    assert len(PACKAGES) >= 15
    for entry in manifest:
        assert entry["repository"].startswith("https://github.com/")
        assert len(entry["commit"]) == 40
        assert entry["repository_licence"] or entry["descriptor_licences"], entry["name"]
        for file in entry["files"]:
            assert (SUITE / entry["name"] / file["target"]).is_file()
        if "repository_licence_text" in entry:
            assert (SUITE / entry["repository_licence_text"]).is_file()


def test_xfail_table_names_real_cases() -> None:
    """Every XFAIL entry names a package of the suite and a check that exists."""
    for package, check in XFAIL:
        assert package in PACKAGES and check in EVERY, (package, check)
