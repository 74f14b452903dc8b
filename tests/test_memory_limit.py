"""The duckdb engine's memory limit: from validate(), the CLI and the environment, to DuckDB."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from expo_data import validate
from expo_data.validation.engines import duckdb as duck
from expo_data.validation.engines.memory import (
    ENV,
    RESERVE,
    MemoryLimitError,
    duckdb_share,
    size_bytes,
)

from conftest import ROOT, run_cli

pytest.importorskip("duckdb")
sys.path.insert(0, str(Path(__file__).parent))
import duckdb
import test_fast_engine as comparison

#: sizes and the bytes they are, as DuckDB reads them (powers of 1000 and of 1024)
SIZES = {
    "2GB": 2 * 10**9,
    "2 GB": 2 * 10**9,
    " 2gb ": 2 * 10**9,
    "2g": 2 * 10**9,
    "2GiB": 2 << 30,
    "512MiB": 512 << 20,
    "512MB": 512 * 10**6,
    "1.5GB": 1_500_000_000,
    "1.MB": 10**6,
    ".5GiB": 1 << 29,
    "64kb": 64_000,
    "3000B": 3000,
    "3000 bytes": 3000,
    "1TB": 10**12,
    "1TiB": 1 << 40,
    1 << 30: 1 << 30,
}
#: what is not a size, and the words saying why
BAD = {
    "2XB": "unknown unit 'XB'",
    "abc": "'abc' is not a size",
    "": "'' is not a size",
    "-1GB": "'-1GB' is not a size",
    "1e3MB": "'1e3MB' is not a size",
    "1,5GB": "'1,5GB' is not a size",
    "100": "'100' has no unit",
    "0GB": "is not above 0 bytes",
    "none": "'none' is not a size",
}


def small(tmp_path: Path) -> Path:
    """A two-resource package of plain CSVs (DuckDB reads both), valid."""
    return comparison.make(tmp_path / "p", comparison.HEADER + comparison.ROWS)


def duckdb_setting(size: str) -> str:
    """DuckDB's own reading of `size`, as current_setting('memory_limit') shows it."""
    con = duckdb.connect()
    try:
        con.execute(f"SET memory_limit = '{size}'")
        return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def settings(monkeypatch) -> list[tuple[str, int]]:
    """(memory_limit, threads) as DuckDB holds them while the engine reads each resource."""
    seen, original = [], duck._scan

    def spy(con, *args, **kwargs):
        seen.append(
            con.execute(
                "SELECT current_setting('memory_limit'), current_setting('threads')"
            ).fetchall()[0]
        )
        return original(con, *args, **kwargs)

    monkeypatch.setattr(duck, "_scan", spy)
    return seen


# -- the one parser ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", list(SIZES), ids=repr)
def test_sizes_are_read_as_duckdb_reads_them(size: str | int):
    found = size_bytes(size)
    assert found == SIZES[size]
    if isinstance(size, str) and found >= 10**6:  # below, DuckDB cannot even answer
        # DuckDB, given our bytes, holds what it holds given the text
        assert duckdb_setting(f"{found}B") == duckdb_setting(size)


@pytest.mark.parametrize("size", list(BAD), ids=repr)
def test_what_is_not_a_size_is_refused_naming_the_option(size: str):
    with pytest.raises(MemoryLimitError, match=r"^memory_limit ") as caught:
        size_bytes(size)
    assert BAD[size] in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("size", [True, 2.5, 0, -(1 << 20), 1 << 63, ["2GB"]], ids=repr)
def test_validate_refuses_a_limit_that_is_not_a_size(size: object, tmp_path: Path):
    with pytest.raises(ValueError, match="memory_limit"):
        validate(small(tmp_path), engine="duckdb", memory_limit=size)


@pytest.mark.parametrize("engine", ["fast", "frictionless"])
def test_a_limit_with_another_engine_is_a_value_error(engine: str, tmp_path: Path):
    """Raised before anything is read: the path need not even exist."""
    message = f"memory_limit applies to the duckdb engine .*not to the {engine} engine"
    with pytest.raises(MemoryLimitError, match=message):
        validate(tmp_path / "nowhere", engine=engine, memory_limit="2GB")


def test_a_bad_environment_variable_is_refused_up_front(tmp_path: Path, monkeypatch):
    monkeypatch.setenv(ENV, "lots")
    with pytest.raises(MemoryLimitError, match=rf"^\${ENV} 'lots' is not a size"):
        validate(tmp_path / "nowhere", engine="duckdb")
    assert validate(small(tmp_path), engine="fast").valid  # its engine alone reads it


# -- the limit reaches DuckDB ------------------------------------------------------------------


def test_duckdb_gets_the_limit_less_what_python_and_arrow_need():
    assert duckdb_share(2 * 10**9) == 2 * 10**9 - RESERVE == 1_597_346_816
    assert duckdb_share(1 << 30) == 640 << 20
    assert duckdb_share(400 << 20) == duckdb_share(768 << 20) == RESERVE == 384 << 20
    assert duckdb_share(16 * 10**6) == 16 * 10**6  # a small limit is DuckDB's alone


def test_validate_sets_duckdb_memory_limit(tmp_path: Path, settings, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    report = validate(small(tmp_path), engine="duckdb", memory_limit="1GiB")
    assert report.valid, report.findings
    assert settings == [("640.0 MiB", 1)] * 2  # every resource read under it, on one thread


def test_an_int_is_bytes(tmp_path: Path, settings, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    assert validate(small(tmp_path), engine="duckdb", memory_limit=200 << 20).valid
    assert settings == [("200.0 MiB", 1)] * 2


def test_the_environment_variable_still_sets_it(tmp_path: Path, settings, monkeypatch):
    monkeypatch.setenv(ENV, "2GB")
    assert validate(small(tmp_path), engine="duckdb").valid
    assert settings == [(duckdb_setting(f"{2 * 10**9 - RESERVE}B"), 1)] * 2


def test_the_option_wins_over_the_environment_variable(tmp_path: Path, settings, monkeypatch):
    monkeypatch.setenv(ENV, "2GB")
    assert validate(small(tmp_path), engine="duckdb", memory_limit="1GiB").valid
    assert settings == [("640.0 MiB", 1)] * 2


def test_without_either_duckdb_keeps_its_default(tmp_path: Path, settings, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    assert validate(small(tmp_path), engine="duckdb").valid
    default = duckdb.connect().execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert [limit for limit, _ in settings] == [default] * 2


# -- the CLI (a subprocess) --------------------------------------------------------------------


def one_error(result, code: int = 2) -> str:
    """The one `Error:` line of a failed command (nothing on stdout, no traceback)."""
    assert result.returncode == code, result.stdout + result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def test_cli_memory_limit_reaches_duckdb(tmp_path: Path):
    """1MB is less than DuckDB's CSV reader needs: DuckDB itself says it ran out of memory."""
    descriptor = small(tmp_path)
    result = run_cli("validate", descriptor, "--engine", "duckdb", "--memory-limit", "1MB")
    line = one_error(result)
    assert "DuckDB ran out of memory (memory_limit 1MB)" in line
    assert "976.5 KiB" in line  # DuckDB's own words for 10^6 bytes
    result = run_cli("validate", descriptor, "--engine", "duckdb", "--memory-limit", "64MiB")
    assert result.returncode == 0, result.stderr
    assert "valid (2 resources" in result.stdout


def test_cli_option_wins_over_the_environment_variable(tmp_path: Path):
    descriptor = small(tmp_path)
    line = one_error(run_cli("validate", descriptor, "--engine", "duckdb", env={ENV: "1MB"}))
    assert f"DuckDB ran out of memory (${ENV}=1MB)" in line
    args = ("validate", descriptor, "--engine", "duckdb", "--memory-limit", "64MB")
    result = run_cli(*args, env={ENV: "1MB"})
    assert result.returncode == 0, result.stderr


def test_cli_bad_environment_variable_is_one_error_line(tmp_path: Path):
    line = one_error(run_cli("validate", small(tmp_path), "--engine", "duckdb", env={ENV: "lots"}))
    assert line.startswith(f"Error: ${ENV} 'lots' is not a size such as 2GB"), line


@pytest.mark.parametrize("size", list(BAD), ids=repr)
def test_cli_bad_sizes_are_one_error_line(size: str, tmp_path: Path):
    result = run_cli("validate", small(tmp_path), "--engine", "duckdb", "--memory-limit", size)
    line = one_error(result)
    assert line.startswith("Error: --memory-limit "), line
    assert BAD[size] in line


@pytest.mark.parametrize("engine", [[], ["--engine", "fast"], ["--engine", "frictionless"]])
def test_cli_memory_limit_needs_the_duckdb_engine(engine: list[str], tmp_path: Path):
    result = run_cli("validate", small(tmp_path), *engine, "--memory-limit", "2GB")
    line = one_error(result)
    assert line == "Error: --memory-limit applies to the duckdb engine only: add --engine duckdb"


def test_cli_one_csv_file_takes_the_limit_too(tmp_path: Path):
    table = tmp_path / "t.csv"
    table.write_text("id,n\n1,2\n2,3\n", encoding="utf-8")
    line = one_error(run_cli("validate", table, "--engine", "duckdb", "--memory-limit", "1MB"))
    assert "DuckDB ran out of memory (memory_limit 1MB)" in line


def test_cli_larger_than_the_limit_spills_and_finds_what_fast_finds(tmp_path: Path):
    """~42 MB of CSV under a 16 MB limit: validated out of core, every finding the fast one's."""
    descriptor = comparison.bench.build_package(tmp_path / "big", 450_000, faults=0.0005)
    size = sum(p.stat().st_size for p in (tmp_path / "big" / "data").iterdir())
    assert size > 2.5 * 16 * 10**6, size
    args = ("validate", descriptor, "--format", "json", "--limit-errors", "100000")
    fast = run_cli(*args)
    duck_run = run_cli(*args, "--engine", "duckdb", "--memory-limit", "16MB")
    assert duck_run.returncode == fast.returncode == 1, duck_run.stderr
    found = [json.loads(r.stdout)["findings"] for r in (fast, duck_run)]
    assert found[1] == found[0] and len(found[0]) > 100


def test_benchmark_reads_sizes_with_the_library_parser():
    import subprocess

    args = [sys.executable, str(ROOT / "benchmarks" / "validate.py"), "--memory-limit", "2XB"]
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 2
    assert "error: --memory-limit '2XB': unknown unit 'XB'" in done.stderr
