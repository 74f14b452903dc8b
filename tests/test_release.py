"""Parquet releases: deterministic builds, and downloads into a verified cache.

Releases are built into tmp dirs and served by a real HTTP server on 127.0.0.1 that logs
requests and can be told to tamper with, truncate, 404 or 500 a path.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

import expo_data
from expo_data import ChecksumMismatch, InvalidPackage, OfflineError, ReleaseError

from conftest import ROOT, run_cli, without_notice

VERSION = "1.0.0"
ATTEMPTS = 3  # expo_data.model.fetch.ATTEMPTS, the bounded retry the tests count
PARQUETS = {"things.parquet", "notes.parquet"}

THINGS_CSV = """\
id,name,code,kind,count,score,opened,active
1,NA,0755,hall,3,1.5,2023-11-15,true
2,null,,booth,,,2023-11-19,false
3,None,深圳高交會,hall,-7,0,2023-01-01,
4,,007,forum,0,2.25,,true
"""
# missingValues [] : here "" is a value, not a missing one
NOTES_CSV = """\
id,text
1,
2,NA
3,0755
4,智慧城市展覽「高交會」
5,null
"""
THINGS_SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer", "title": "Identifier", "constraints": {"required": True}},
        {"name": "name", "type": "string", "description": "NA, null and None are names here"},
        {"name": "code", "type": "string"},
        {"name": "kind", "type": "string", "constraints": {"enum": ["hall", "booth", "forum"]}},
        {"name": "count", "type": "integer"},
        {"name": "score", "type": "number"},
        {"name": "opened", "type": "date"},
        {"name": "active", "type": "boolean"},
    ],
    "primaryKey": ["id"],
}
NOTES_SCHEMA = {
    "fields": [{"name": "id", "type": "integer"}, {"name": "text", "type": "string"}],
    "primaryKey": ["id"],
    "missingValues": [],
}


def make_package(folder: Path) -> Path:
    """A small valid package: awkward strings, CJK, ints, numbers, dates, enums, booleans."""
    (folder / "data").mkdir(parents=True)
    (folder / "schemas").mkdir()
    (folder / "data" / "things.csv").write_bytes(THINGS_CSV.encode())
    (folder / "data" / "notes.csv").write_bytes(NOTES_CSV.encode())
    (folder / "schemas" / "notes.json").write_text(json.dumps(NOTES_SCHEMA))
    descriptor = {
        "name": "synthetic",
        "title": "Synthetic 測試 package",
        "version": VERSION,
        "licenses": [
            {"name": "CC0-1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/"}
        ],
        "sources": [{"title": "Made up for the tests"}],
        "resources": [
            {"name": "things", "path": "data/things.csv", "schema": THINGS_SCHEMA},
            {"name": "notes", "path": "data/notes.csv", "schema": "schemas/notes.json"},
        ],
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False))
    return folder


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        server = self.server
        server.log.append(self.path)
        fault = server.faults.get(self.path)
        file = server.root / self.path.lstrip("/")
        if fault in (404, 500) or not file.is_file():
            self.send_error(fault or 404)
            return
        body = file.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if fault == "tamper":
            body = body[:-1] + bytes([body[-1] ^ 1])
        elif fault == "truncate":
            body = body[: len(body) // 2]  # then the connection closes: a cut-short transfer
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder of release locations: `syn/1.0.0/…` (synthetic) and `real/<v>/…` if it exists."""
    root = tmp_path_factory.mktemp("served")
    package = make_package(tmp_path_factory.mktemp("synthetic"))
    expo_data.build_release(package, out=root / "syn" / VERSION)
    if (ROOT / "datapackage.json").is_file():
        version = real_version()
        expo_data.build_release(ROOT, out=root / "real" / version)
    return root


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_package(tmp_path_factory.mktemp("package") / "synthetic")


@pytest.fixture(scope="module")
def _server(served: Path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.root, server.log, server.faults = served, [], {}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def server(_server):
    """The HTTP server, with an empty request log and no faults."""
    _server.log.clear()
    _server.faults.clear()
    _server.url = f"http://127.0.0.1:{_server.server_port}"
    return _server


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder for this test; no location or offline setting from outside."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("EXPO_DATA_CACHE", str(folder))
    monkeypatch.delenv("EXPO_DATA_RELEASE_URL", raising=False)
    monkeypatch.delenv("EXPO_DATA_OFFLINE", raising=False)
    monkeypatch.setattr("expo_data.model.fetch.BACKOFF", 0.01)
    return folder


def real_version() -> str:
    return json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["version"]


def cache_folder(cache: Path, version: str = VERSION) -> Path:
    """The cache folder of release `version` (one location per test)."""
    folders = list(cache.glob(f"*/{version}"))
    assert len(folders) <= 1, folders
    return folders[0] if folders else cache / "none" / version


def cached(cache: Path, version: str = VERSION) -> set[str]:
    """Every file in the cache for `version`, hidden temporary files included."""
    folder = cache_folder(cache, version)
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def assert_same_as_csv(package: Path, version: str) -> None:
    for name in expo_data.resource_names(package):
        csv = expo_data.load_arrow(name, package)
        assert expo_data.load_arrow(name, release=version).equals(csv, check_metadata=True), name
        for index in (False, True):
            pd.testing.assert_frame_equal(
                expo_data.load(name, release=version, index=index),
                expo_data.load(name, package, index=index),
                check_exact=True,
            )


def assert_sums_ok(folder: Path) -> None:
    """SHA256SUMS verifies, with `sha256sum -c` where it is installed."""
    lines = (folder / "SHA256SUMS").read_text().splitlines()
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    assert {line.split("  ")[1] for line in lines} == {
        p.name for p in folder.iterdir() if p.name != "SHA256SUMS"
    }
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=folder, check=True)


# --- building ---------------------------------------------------------------------------


def test_two_builds_are_byte_identical(synthetic: Path, tmp_path: Path) -> None:
    first = expo_data.build_release(synthetic, out=tmp_path / "a")
    result = run_cli("release", "build", "--package", synthetic, "--out", tmp_path / "b")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Built release in {tmp_path / 'b'}: 2 Parquet files")
    assert "things.parquet" not in result.stdout  # a summary, not every SHA256SUMS line
    second = tmp_path / "b"
    names = {p.name for p in first.iterdir()}
    assert names == PARQUETS | {
        "datapackage.json",
        "manifest.json",
        "SHA256SUMS",
        "README.md",
        "zenodo.json",
        "croissant.json",
        "views.sql",
    }
    assert names == {p.name for p in second.iterdir()}
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_release_describes_itself(synthetic: Path, tmp_path: Path) -> None:
    import frictionless

    out = expo_data.build_release(synthetic, out=tmp_path / "r", version="2.0.0-rc.1")
    assert_sums_ok(out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["name"], manifest["version"]) == ("synthetic", "2.0.0-rc.1")
    rows = {f["name"]: f.get("rows") for f in manifest["files"]}
    assert rows == {
        "datapackage.json": None,
        "notes.parquet": 5,
        "things.parquet": 4,
        "README.md": None,  # the Hugging Face card
        "zenodo.json": None,
        "croissant.json": None,
        "views.sql": None,  # DuckDB views
    }
    for f in manifest["files"]:
        assert f["bytes"] == (out / f["name"]).stat().st_size
    descriptor = json.loads((out / "datapackage.json").read_text())
    assert frictionless.Package.validate_descriptor(descriptor).valid
    assert descriptor["version"] == "2.0.0-rc.1"
    assert descriptor["licenses"][0]["name"] == "CC0-1.0"
    notes = descriptor["resources"][1]
    assert (notes["path"], notes["format"]) == ("notes.parquet", "parquet")
    assert notes["schema"] == NOTES_SCHEMA  # inlined from schemas/notes.json
    assert "encoding" not in notes


def test_build_refuses_an_invalid_package(synthetic: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(synthetic, broken)
    csv = broken / "data" / "things.csv"
    csv.write_text(csv.read_text().replace("1,NA,0755,hall,3,", "1,NA,0755,hall,three,"))
    result = run_cli("release", "build", "--package", broken, "--out", tmp_path / "out")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ")
    assert "does not validate" in result.stderr and "[type-error]" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken"]
    with pytest.raises(InvalidPackage) as caught:
        expo_data.build_release(broken, out=tmp_path / "out")
    assert "type-error" in caught.value.report.codes


def test_build_refuses_to_overwrite(synthetic: Path, tmp_path: Path) -> None:
    out = expo_data.build_release(synthetic, out=tmp_path / "r")
    with pytest.raises(ReleaseError, match="not empty"):
        expo_data.build_release(synthetic, out=out)
    (out / "things.parquet").write_bytes(b"stale")
    expo_data.build_release(synthetic, out=out, force=True)
    assert_sums_ok(out)
    other = tmp_path / "notes"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    with pytest.raises(ReleaseError, match="holds no expo-data release"):
        expo_data.build_release(synthetic, out=other, force=True)
    assert (other / "keep.txt").read_text() == "mine"


# --- downloading and loading ------------------------------------------------------------


def test_http_release_loads_like_the_csv(server, cache: Path, synthetic: Path, monkeypatch) -> None:
    monkeypatch.setenv("EXPO_DATA_RELEASE_URL", f"{server.url}/syn")
    assert_same_as_csv(synthetic, VERSION)
    things = expo_data.load("things", release=VERSION)
    assert things["name"].tolist()[:3] == ["NA", "null", "None"]
    assert things["name"].isna().tolist() == [False, False, False, True]
    assert things["code"].tolist()[:3] == ["0755", pd.NA, "深圳高交會"]
    assert str(things["count"].dtype) == "Int64" and things["count"].tolist()[2] == -7
    assert things["kind"].cat.ordered and list(things["kind"].cat.categories) == [
        "hall",
        "booth",
        "forum",
    ]
    assert str(things["opened"].dtype) == "date32[day][pyarrow]"
    assert str(things["active"].dtype) == "boolean"
    notes = expo_data.load("notes", release=VERSION)
    assert notes["text"].tolist() == ["", "NA", "0755", "智慧城市展覽「高交會」", "null"]
    assert {"/syn/1.0.0/things.parquet", "/syn/1.0.0/manifest.json"} <= set(server.log)
    server.log.clear()
    expo_data.load("things", release=VERSION)
    expo_data.load_arrow("notes", release=VERSION)
    assert server.log == []  # served from the cache, checked against the manifest


def test_real_package_release_loads_like_the_csv(server, cache: Path, monkeypatch) -> None:
    if not (ROOT / "datapackage.json").is_file():
        pytest.skip(f"no real package yet: {ROOT / 'datapackage.json'} does not exist")
    monkeypatch.setenv("EXPO_DATA_RELEASE_URL", f"{server.url}/real")
    version = real_version()
    assert expo_data.download_release(version) == cache_folder(cache, version)
    assert {name + ".parquet" for name in expo_data.resource_names(ROOT)} <= cached(cache, version)
    server.log.clear()
    assert_same_as_csv(ROOT, version)
    assert server.log == []


def test_tampered_file_is_refused_and_deleted(server, cache: Path, monkeypatch) -> None:
    monkeypatch.setenv("EXPO_DATA_RELEASE_URL", f"{server.url}/syn")
    server.faults["/syn/1.0.0/things.parquet"] = "tamper"
    with pytest.raises(ChecksumMismatch) as caught:
        expo_data.load("things", release=VERSION)
    message = str(caught.value)
    manifest = json.loads((cache_folder(cache) / "manifest.json").read_text())
    expected = next(f["sha256"] for f in manifest["files"] if f["name"] == "things.parquet")
    assert f"things.parquet from {server.url}/syn/1.0.0/things.parquet" in message
    assert f"expected sha256 {expected}, got " in message and "deleted" in message
    assert "things.parquet" not in cached(cache) and not any(
        n.endswith(".part") for n in cached(cache)
    )
    assert server.log.count("/syn/1.0.0/things.parquet") == 1  # not retried


def test_truncated_transfer_is_retried_then_refused(server, cache: Path) -> None:
    server.faults["/syn/1.0.0/notes.parquet"] = "truncate"
    with pytest.raises(ReleaseError, match="cut short") as caught:
        expo_data.download_release(VERSION, url=f"{server.url}/syn")
    assert not isinstance(caught.value, ChecksumMismatch)
    assert f"gave up after {ATTEMPTS} attempts" in str(caught.value)
    assert server.log.count("/syn/1.0.0/notes.parquet") == ATTEMPTS
    assert "notes.parquet" not in cached(cache)
    assert not any(n.endswith(".part") for n in cached(cache))


def test_unknown_version_is_a_clear_404(server, cache: Path, monkeypatch) -> None:
    monkeypatch.setenv("EXPO_DATA_RELEASE_URL", f"{server.url}/syn")
    with pytest.raises(ReleaseError, match=f"release 9.9.9 not found at {server.url}/syn$"):
        expo_data.load("things", release="9.9.9")
    assert server.log == ["/syn/9.9.9/manifest.json"]  # a 404 is not retried
    assert cached(cache, "9.9.9") == set()


def test_missing_file_is_a_clear_404(server, cache: Path) -> None:
    server.faults["/syn/1.0.0/notes.parquet"] = 404
    with pytest.raises(ReleaseError, match=r"notes.parquet of release 1.0.0 not found at"):
        expo_data.download_release(VERSION, url=f"{server.url}/syn")
    assert "notes.parquet" not in cached(cache)


def test_server_error_after_bounded_retries(server, cache: Path) -> None:
    server.faults["/syn/1.0.0/manifest.json"] = 500
    with pytest.raises(ReleaseError, match=f"server error 500 .* after {ATTEMPTS} attempts"):
        expo_data.download_release(VERSION, url=f"{server.url}/syn")
    assert server.log == ["/syn/1.0.0/manifest.json"] * ATTEMPTS
    assert cached(cache) == set()
    result = run_cli("download", "--version", VERSION, "--url", f"{server.url}/syn")
    assert result.returncode == 1
    error = without_notice(result.stderr)
    assert error.startswith("Error: server error 500")
    assert len(error.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_no_network_is_a_clear_error(cache: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends: nobody listens
    with pytest.raises(ReleaseError, match=r"cannot connect to 127.0.0.1.*offline"):
        expo_data.download_release(VERSION, url=f"http://127.0.0.1:{port}")


def test_offline_uses_the_cache_only(server, cache: Path, monkeypatch) -> None:
    with pytest.raises(OfflineError, match=r"offline: release 1.0.0 is not in the cache"):
        expo_data.download_release(VERSION, url=f"{server.url}/syn", offline=True)
    expo_data.download_release(VERSION, url=f"{server.url}/syn")
    server.log.clear()
    monkeypatch.setenv("EXPO_DATA_OFFLINE", "1")
    monkeypatch.setenv("EXPO_DATA_RELEASE_URL", f"{server.url}/syn")  # cached: no request
    assert expo_data.load("notes", release=VERSION)["text"].tolist()[1] == "NA"
    (cache_folder(cache) / "things.parquet").unlink()
    with pytest.raises(OfflineError, match=r"offline: things.parquet of release 1.0.0 is not in"):
        expo_data.load("things", release=VERSION)
    assert server.log == []


def test_offline_cli_says_what_is_missing(cache: Path) -> None:
    result = run_cli("download", "--version", VERSION, "--offline")
    assert result.returncode == 1
    folder = (
        f"{re.escape(str(cache))}/github.com-expo-data-expo-data-releases-download-[0-9a-f]{{20}}"
    )
    assert re.fullmatch(
        f"Error: offline: release {VERSION} is not in the cache \\({folder}/{VERSION}\\); "
        f"run `expo-data download --version {VERSION}` while online\n",
        without_notice(result.stderr),
    ), result.stderr


def test_damaged_cache_is_detected(server, cache: Path) -> None:
    url = f"{server.url}/syn"
    expo_data.download_release(VERSION, url=url)
    damaged = cache_folder(cache) / "things.parquet"
    damaged.write_bytes(damaged.read_bytes()[:-1])
    with pytest.raises(ChecksumMismatch, match=r"cached .* the bad file was deleted"):
        expo_data.download_release(VERSION, url=url, offline=True)
    assert not damaged.exists()
    server.log.clear()
    expo_data.download_release(VERSION, url=url)  # online: fetched again
    assert server.log == ["/syn/1.0.0/things.parquet"]


@pytest.mark.parametrize("kind", ["file-url", "folder"])
def test_local_locations(
    kind: str, served: Path, cache: Path, synthetic: Path, monkeypatch
) -> None:
    folder = served / "syn"
    location = folder.as_uri() if kind == "file-url" else str(folder)
    monkeypatch.setenv("EXPO_DATA_RELEASE_URL", location)
    assert_same_as_csv(synthetic, VERSION)
    with pytest.raises(ReleaseError, match=f"release 0.0.1 not found at {location}$"):
        expo_data.download_release("0.0.1")


def test_download_cli_copies_a_verified_release(server, cache: Path, tmp_path: Path) -> None:
    result = run_cli(
        "download", "--version", VERSION, "--url", f"{server.url}/syn", "--to", tmp_path / "copy"
    )
    assert result.returncode == 0, result.stderr
    assert f"Verified release files in {tmp_path / 'copy'}" in result.stdout
    assert cached(cache) == PARQUETS | {
        "datapackage.json",
        "manifest.json",
        "README.md",
        "zenodo.json",
        "croissant.json",
        "views.sql",
    }
    assert_sums_ok(tmp_path / "copy")
    published = server.root / "syn" / VERSION
    for name in ("SHA256SUMS", "manifest.json", *PARQUETS):
        assert (tmp_path / "copy" / name).read_bytes() == (published / name).read_bytes()
