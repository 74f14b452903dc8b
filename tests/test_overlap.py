"""The strict byte scan on a second thread: the same findings as the serial scan, no thread left."""

from __future__ import annotations

import gzip
import json
import threading
from pathlib import Path

from expo_data import validate
from expo_data.model.descriptor import open_package
from expo_data.validation.background import BackgroundScan
from expo_data.validation.strict import strict_findings

SCHEMA = {"fields": [{"name": "id", "type": "string"}, {"name": "n", "type": "integer"}]}


def _package(root: Path, schema: dict = SCHEMA) -> Path:
    """A plain CSV with a stray quote and a bare CR, and a gzipped one with a NUL byte."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "plain.csv").write_bytes(b'id,n\na,1\n"b"c,2\nd,3\re,4\n')
    (root / "packed.csv.gz").write_bytes(gzip.compress(b"id,n\na,1\nb\0,2\n"))
    resources = [
        {"name": name, "path": path, "format": "csv", "schema": schema}
        for name, path in (("plain", "plain.csv"), ("packed", "packed.csv.gz"))
    ]
    (root / "datapackage.json").write_text(json.dumps({"name": "p", "resources": resources}))
    return root / "datapackage.json"


def _strict_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "expo-data-strict"]


def test_background_scan_finds_what_the_serial_scan_finds(tmp_path: Path) -> None:
    package = open_package(_package(tmp_path))
    serial = strict_findings(package, max_cell_bytes=4)
    background = BackgroundScan(package, max_cell_bytes=4)
    found = background.findings(package)
    assert found == serial
    codes = {(f.resource, f.code) for f in found}
    assert {("plain", "stray-quote"), ("plain", "bare-carriage-return")} <= codes
    assert ("packed", "nul-byte") in codes
    # only the plain local file is read ahead; the archive is scanned when asked for
    assert [r.name for r in background.resources] == ["plain"]


def test_validate_reports_the_strict_findings_and_leaves_no_thread(tmp_path: Path) -> None:
    report = validate(_package(tmp_path))
    assert {"stray-quote", "bare-carriage-return", "nul-byte"} <= {f.code for f in report.findings}
    assert not _strict_threads()


def test_a_descriptor_error_stops_the_scan(tmp_path: Path) -> None:
    bad = {"fields": [{"name": "id", "type": "no-such-type"}]}
    report = validate(_package(tmp_path, bad))
    assert report.findings
    assert not {"stray-quote", "nul-byte"} & {f.code for f in report.findings}
    assert not _strict_threads()
