"""Shared test helpers: the repository's paths, a scratch copy of the package, the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Hypothesis profiles: "ci" (the default, a short run) and "long" (documented in README.md:
# `python -m pytest --hypothesis-profile long -m "slow or not slow"`). Tests that set
# max_examples themselves scale it with `examples(n)`.
settings.register_profile(
    "ci", deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
settings.register_profile(
    "long",
    max_examples=5000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def examples(n: int) -> int:
    """`n` examples in the ci profile, 50 times as many in the long one."""
    return n * 50 if settings().max_examples >= 5000 else n


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
    """Copy the repository's data package (descriptor, CHANGELOG, data/, schemas/) to `target`."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "datapackage.json", target / "datapackage.json")
    shutil.copy2(ROOT / "CHANGELOG.md", target / "CHANGELOG.md")
    for folder in ("data", "schemas"):
        shutil.copytree(ROOT / folder, target / folder)
    return target


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A scratch copy of the real package, free to damage."""
    return copy_package(tmp_path / "package")


def without_notice(stderr: str) -> str:
    """stderr without the line naming the package a command used (`Using …`, printed when no
    -p is given)."""
    return "".join(
        line for line in stderr.splitlines(keepends=True) if not line.startswith("Using ")
    )
