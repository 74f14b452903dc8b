"""Scale: the DuckDB engine against the fast engine, out of core, and Parquet releases in parts."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from expo_data import validate
from expo_data.model.descriptor import open_package
from expo_data.validation.engines import duckdb as duck
from expo_data.validation.engines import fast

from conftest import copy_package, run_cli

pytest.importorskip("duckdb")
sys.path.insert(0, str(Path(__file__).parent))
import test_fast_engine as comparison
import test_faults as corpus

bench = comparison.bench


def pair(descriptor: Path, limit: int = 1000) -> tuple[list, list]:
    """(fast, duckdb) findings of a package, table and project checks, in validate's order."""
    package = open_package(descriptor)
    names = package.resource_names
    ours = fast.findings(package, limit_errors=limit)
    theirs = duck.duckdb_findings(package, limit_errors=limit)
    return comparison.ordered(ours, names), comparison.ordered(theirs, names)


@pytest.fixture
def readers(monkeypatch) -> list[tuple[str, bool]]:
    """(resource, read by DuckDB) for every resource the DuckDB engine reads."""
    seen, original = [], duck._duckdb_scan

    def spy(*args, **kwargs):
        scan = original(*args, **kwargs)
        seen.append((args[2].name, scan is not None))
        return scan

    monkeypatch.setattr(duck, "_duckdb_scan", spy)
    return seen


@pytest.mark.parametrize("case", list(comparison.CASES))
def test_duckdb_matches_fast_on_the_comparison_cases(case: str, tmp_path: Path):
    ours, theirs = pair(comparison.make(tmp_path, comparison.CASES[case]))
    assert theirs == ours


@pytest.mark.parametrize("limit", [3, 40, 10**6])
def test_duckdb_matches_fast_on_a_damaged_synthetic_package(limit: int, tmp_path: Path):
    descriptor = bench.build_package(tmp_path / "p", 3000, faults=0.03, seed=limit % 7)
    ours, theirs = pair(descriptor, limit)
    assert theirs == ours and len(ours) >= min(limit, 50)


def test_plain_files_are_read_by_duckdb(tmp_path: Path, readers):
    """Cell and key faults in plain files: DuckDB reads them, SQL finds the keys."""
    text = comparison.HEADER + comparison.ROWS + 'A1,5,x,2023-01-05,\n"A\n4",x,z,2023-02-30,A9\n'
    ours, theirs = pair(comparison.make(tmp_path, text))
    assert theirs == ours
    assert {"primary-key", "foreign-key", "type-error", "constraint-error"} <= {f[0] for f in ours}
    assert readers == [("a", True), ("b", True)]


def test_ragged_and_blank_rows_are_read_by_pyarrow(tmp_path: Path, readers):
    ours, theirs = pair(comparison.make(tmp_path, comparison.CASES["short-and-long-rows"]))
    assert theirs == ours
    assert readers == [("a", False), ("b", True)]


FAULTS = [pytest.param(f, id=f.id) for f in corpus.FAULTS if f.exit_code != 2]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    return copy_package(tmp_path_factory.mktemp("pristine") / "package")


@pytest.mark.parametrize("fault", FAULTS)
def test_duckdb_matches_fast_on_the_fault_corpus(fault, pristine: Path, tmp_path: Path):
    import shutil

    package = tmp_path / "package"
    shutil.copytree(pristine, package, symlinks=True)
    fault.damage(package)
    ours, theirs = validate(package), validate(package, engine="duckdb")
    assert theirs.findings == ours.findings


def _larger_than(limit_mb: int, rows: int, tmp_path: Path, readers) -> None:
    descriptor = bench.build_package(tmp_path / "big", rows)
    size = sum(p.stat().st_size for p in (tmp_path / "big" / "data").iterdir())
    assert size > 2.5 * limit_mb * 2**20, size
    package = open_package(descriptor)
    found = duck.duckdb_findings(
        package, limit_errors=100, memory_limit=f"{limit_mb}MB", temp_directory=tmp_path
    )
    assert found == []
    assert readers == [(name, True) for name in ("sources", "organisations", "exhibitors")]
    assert list(tmp_path.glob("expo-duckdb-*")) == []  # its spill folder is gone


def test_a_package_larger_than_the_memory_limit(tmp_path: Path, readers):
    _larger_than(16, 450_000, tmp_path, readers)  # ~42 MB of CSV


@pytest.mark.slow
def test_a_200mb_package_with_a_64mb_limit(tmp_path: Path, readers):
    _larger_than(64, 2_400_000, tmp_path, readers)  # ~225 MB of CSV


def test_duckdb_engine_without_duckdb_is_one_error_line(tmp_path: Path):
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "duckdb.py").write_text("raise ImportError('no duckdb here')\n")
    descriptor = comparison.make(tmp_path / "p", comparison.HEADER + comparison.ROWS)
    result = run_cli("validate", descriptor, "--engine", "duckdb", env={"PYTHONPATH": blocker})
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "expo-data[sql]" in lines[0]


# -- releases in parts --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def parted(tmp_path_factory) -> tuple[Path, Path]:
    """(package, release) of a 3,000-row synthetic package, split into 1,000-row parts."""
    from expo_data import build_release
    from expo_data.release import build

    root = tmp_path_factory.mktemp("parted")
    descriptor = bench.build_package(root / "package", 3000)
    data = json.loads(descriptor.read_text())
    data["version"] = "1.0.0"
    descriptor.write_text(json.dumps(data))
    original, build.ROW_GROUP_ROWS = build.ROW_GROUP_ROWS, 400
    try:
        release = build_release(descriptor, out=root / "releases" / "1.0.0", part_rows=1000)
    finally:
        build.ROW_GROUP_ROWS = original
    return descriptor, release


def test_a_large_resource_is_split_into_parts(parted):
    _, release = parted
    descriptor = json.loads((release / "datapackage.json").read_text())
    paths = {r["name"]: r["path"] for r in descriptor["resources"]}
    assert paths["sources"] == "sources.parquet"
    assert paths["exhibitors"] == [f"exhibitors-part-{k:05d}.parquet" for k in range(3)]
    manifest = json.loads((release / "manifest.json").read_text())
    rows = {f["name"]: f.get("rows") for f in manifest["files"]}
    assert [rows[name] for name in paths["exhibitors"]] == [1000, 1000, 700]
    assert set(rows) == {p.name for p in release.iterdir()} - {"SHA256SUMS", "manifest.json"}


def test_a_release_in_parts_downloads_verified(parted, tmp_path: Path, monkeypatch):
    from expo_data import download_release, load_arrow

    monkeypatch.setenv("EXPO_DATA_CACHE", str(tmp_path / "cache"))
    package, release = parted
    folder = download_release("1.0.0", url=release.parent, to=tmp_path / "copy")
    assert sorted(p.name for p in folder.glob("exhibitors-part-*")) == [
        f"exhibitors-part-{k:05d}.parquet" for k in range(3)
    ]
    assert load_arrow("exhibitors", tmp_path / "copy").equals(load_arrow("exhibitors", package))


def test_parts_have_row_groups_with_statistics(parted):
    import pyarrow.parquet as pq

    _, release = parted
    metadata = pq.ParquetFile(release / "exhibitors-part-00000.parquet").metadata
    assert metadata.num_row_groups == 3  # 400 + 400 + 200 rows
    statistics = metadata.row_group(1).column(0).statistics
    assert statistics.has_min_max and statistics.min == "exhibitor-0000400"


def test_the_release_loads_as_the_package_does(parted):
    from expo_data import load_arrow

    package, release = parted
    for name in ("organisations", "exhibitors"):
        assert load_arrow(name, release).equals(load_arrow(name, package))


def _reference_rows(release: Path) -> list[tuple]:
    from expo_data import load_arrow

    table = load_arrow("exhibitors", release)
    return sorted(tuple(str(v) for v in row.values()) for row in table.to_pylist())


def _files(release: Path) -> list[str]:
    descriptor = json.loads((release / "datapackage.json").read_text())
    (paths,) = [r["path"] for r in descriptor["resources"] if r["name"] == "exhibitors"]
    return [str(release / path) for path in paths]


def test_duckdb_reads_the_parts_without_this_library(parted):
    import duckdb

    _, release = parted
    files = ", ".join(f"'{f}'" for f in _files(release))
    table = duckdb.sql(f"SELECT * FROM read_parquet([{files}])").to_arrow_table()
    assert sorted(tuple(str(v) for v in r.values()) for r in table.to_pylist()) == (
        _reference_rows(release)
    )


def test_pyarrow_dataset_reads_the_parts(parted):
    import pyarrow.dataset as ds

    _, release = parted
    table = ds.dataset(_files(release), format="parquet").to_table()
    rows = sorted(tuple(str(v) for v in r.values()) for r in table.to_pylist())
    assert rows == _reference_rows(release)


def test_polars_reads_the_parts(parted):
    polars = pytest.importorskip("polars", reason="polars is not installed (a dev extra)")
    _, release = parted
    frame = polars.scan_parquet(_files(release)).collect()
    rows = sorted(tuple(str(v) for v in r.values()) for r in frame.to_arrow().to_pylist())
    assert rows == _reference_rows(release)
