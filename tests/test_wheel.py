"""The artifact users get: a wheel that carries the data package, installed (not editable)."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("expo_data-*.whl")
    return built


def test_wheel_carries_the_data_package(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    tracked = subprocess.run(
        ["git", "ls-files", "datapackage.json", "data", "schemas"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert tracked, "git lists no package files"
    for path in tracked:
        assert f"expo_data/_package/{path}" in names, path
    assert "expo_data/cli/app.py" in names
    assert "expo_data/docs/site/assets/site.js" in names  # package data of the site


def test_installed_wheel_loads_every_resource(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    # dependencies come from this environment; expo_data itself only from the wheel
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    code = (
        "import expo_data, pathlib\n"
        "from expo_data.model.bundle import bundled_descriptor\n"
        f"assert pathlib.Path(expo_data.__file__).is_relative_to({site!r}), expo_data.__file__\n"
        f"assert bundled_descriptor().is_relative_to({site!r})\n"
        "for name in expo_data.resource_names():\n"
        "    frame = expo_data.load(name)\n"
        "    assert len(frame) > 0, name\n"
        "    print(name, len(frame))\n"
    )
    loaded = subprocess.run([str(python), "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    assert "winners" in loaded.stdout
    validated = subprocess.run(
        [str(venv / "bin" / "expo-data"), "validate", "--bundled"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )  # no descriptor here and no terminal: the bundled package only when asked for
    assert validated.returncode == 0, validated.stdout + validated.stderr
