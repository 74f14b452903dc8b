"""Scale: the DuckDB engine against the fast engine, out of core, and Parquet releases in parts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from expo_data import validate
from expo_data.model.descriptor import open_package
from expo_data.validation import duckdb as duck
from expo_data.validation import fast

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
