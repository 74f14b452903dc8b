"""The validation benchmark's instruments: its contenders count, and its comparisons can fail."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytest.importorskip("polars")
pytest.importorskip("duckdb")
BENCH = ROOT / "benchmarks"


def bench(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=600
    )


def build(root: Path, rows: int, faults: float) -> Path:
    """An awards-shaped package built by the benchmark's own builder, in a subprocess."""
    code = (
        f"import sys; sys.path.insert(0, {str(BENCH)!r}); from pathlib import Path; "
        f"import bench_shapes; print(bench_shapes.build_awards(Path({str(root)!r}), {rows}, "
        f"faults={faults}))"
    )
    done = bench("-c", code, cwd=root.parent)
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip())


def contender(name: str, descriptor: Path) -> dict:
    out = descriptor.parent / f"{name}.json"
    done = bench(str(BENCH / "bench_contenders.py"), name, str(descriptor), str(out), cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text())


def test_polars_and_duckdb_sql_count_the_same_failures(tmp_path: Path) -> None:
    """Both hand-written checkers find every kind of damage they check, and agree on it."""
    valid = build(tmp_path / "valid", 1500, 0.0)
    faulty = build(tmp_path / "faulty", 1500, 0.08)
    for descriptor, damaged in ((valid, False), (faulty, True)):
        polars, duck = contender("polars", descriptor), contender("duckdb-sql", descriptor)
        assert polars["counts"] == duck["counts"]
        assert all(n > 0 for n in polars["counts"].values()) is damaged, polars["counts"]
        assert polars["seconds"] > 0 and polars["cpu"] >= 0 and polars["peak"] > 10**6


def test_out_of_core_run_compares_the_first_rows() -> None:
    """duckdb on a bigger package, under a memory limit, agrees with fast on its first rows."""
    args = ["--rows", "0", "--out-of-core", "--big-rows", "1200", "--first-rows", "700"]
    args += ["--faults", "0.05", "--memory-limit", "128MB"]
    done = bench(str(BENCH / "validate.py"), *args, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "the first 700 rows: duckdb (big)" in done.stdout
    assert "memory_limit 128MB" in done.stdout
    line = next(x for x in done.stdout.splitlines() if "the first 700 rows" in x)
    counts = [int(n) for n in re.findall(r"[0-9]+", line)]  # 700, duckdb's, fast's
    assert counts[1] == counts[2] > 0 and line.endswith("identical: True"), line
