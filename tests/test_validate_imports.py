"""validate imports only what the package needs: a CSV package's checks need no pandas, and
no numpy.ma (numpy 2.3's `unique` imports it, holding the GIL: `buffers.distinct` instead)."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from conftest import copy_package

CODE = """
import sys, expo_data
report = expo_data.validate(sys.argv[1])
print(sorted({f.code for f in report.findings}), 'pandas' in sys.modules, 'numpy.ma' in sys.modules)
"""


def validate_in_subprocess(package: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", CODE, str(package)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_validate_with_the_citations_check_imports_no_pandas(tmp_path: Path) -> None:
    """The sources' paragraph counts are read and checked with Arrow alone, found or not."""
    package = copy_package(tmp_path / "chtf")
    assert validate_in_subprocess(package) == "[] False False"
    sources = package / "data" / "sources.csv"
    with sources.open(encoding="utf-8", newline="") as stream:
        header, *rows = list(csv.reader(stream))
    for row in rows:
        row[header.index("paragraph_count")] = "2"  # every citation beyond paragraph 2 fails
    with sources.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerows([header, *rows])
    assert validate_in_subprocess(package) == "['source-citation'] False False"


def test_the_command_line_starts_no_blas_threads() -> None:
    """numpy's OpenBLAS would start a spinning thread per core; the CLI does no linear algebra."""
    code = "import os, expo_data.cli, numpy; print(len(os.listdir('/proc/self/task')))"
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"
