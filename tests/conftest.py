"""Shared test helpers: the repository's paths, a scratch copy of the package, the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT.parent / "shared" / "sources"


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 300):
    """Run `python -m expo_data ARGS` as a subprocess and return the CompletedProcess."""
    return subprocess.run(
        [sys.executable, "-m", "expo_data", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


def copy_package(target: Path) -> Path:
    """Copy the repository's data package (descriptor, data/, schemas/) to `target`."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "datapackage.json", target / "datapackage.json")
    for folder in ("data", "schemas"):
        shutil.copytree(ROOT / folder, target / folder)
    return target


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A scratch copy of the real package, free to damage."""
    return copy_package(tmp_path / "package")
