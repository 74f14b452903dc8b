"""Dependency floors: the constraints `scripts/floors.py` writes, and the workarounds that keep
the floors low (Arrow bugs fixed only in later pyarrow). CI runs these and the `.ci/run`
floors file list again at the floors; they pass with the newest versions too."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata

import pyarrow as pa
import pytest

from expo_data.read import kernels

from conftest import ROOT

SCRIPT = ROOT / "scripts" / "floors.py"


def test_floors_pins_every_dependency_at_its_floor(tmp_path):
    tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11+")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    out = tmp_path / "floors.txt"
    done = subprocess.run(
        [sys.executable, SCRIPT, "--extra", "sql", out], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    pins = dict(line.split("==") for line in out.read_text(encoding="utf-8").splitlines())
    declared = project["dependencies"] + project["optional-dependencies"]["sql"]
    assert len(pins) == len(declared)
    for requirement in declared:
        name, floor = re.match(
            r"([A-Za-z0-9._-]+)(?:\[[^\]]*\])?\s*>=\s*([^,;\s]+)", requirement
        ).groups()
        assert pins[name.lower()] == floor, requirement
    assert "jsonschema" not in pins  # declared once and never imported: dropped


def test_floors_refuses_a_dependency_without_a_floor(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\ndependencies = ["pandas"]\n', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, SCRIPT, "--pyproject", pyproject], capture_output=True, text=True
    )
    assert done.returncode == 1
    assert done.stderr.startswith("Error: ") and "'pandas' declares no >= floor" in done.stderr


def test_if_else_keeps_the_offset_of_a_sliced_string_array():
    """apache/arrow#49410 (pyarrow < 24): the scalar beside a sliced array lost its offset."""
    strings = pa.array(["a", "b", "c", "d"]).slice(2)
    mask = pa.array([True, False])
    null = pa.scalar(None, pa.string())
    assert kernels.if_else(mask, strings, null).to_pylist() == ["c", None]
    assert kernels.if_else(mask, null, strings).to_pylist() == [None, "d"]
    chunked = pa.chunked_array([strings])
    assert kernels.if_else(mask, chunked, null).to_pylist() == ["c", None]


@pytest.mark.parametrize("chunked", [False, True])
def test_nfc_normalisation_composes(chunked):
    """apache/arrow#51225 (pyarrow < 26): utf8_normalize(…, "NFC") gave decomposed text."""
    decomposed = unicodedata.normalize("NFD", "高交會 café Ångström")
    strings = pa.array([decomposed, None, "plain"])
    if chunked:
        strings = pa.chunked_array([strings])
    got = kernels.utf8_normalize_nfc(strings).to_pylist()
    assert got == [unicodedata.normalize("NFC", decomposed), None, "plain"]
