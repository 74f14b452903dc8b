"""Releases, downloads and validation that cannot be turned against their users (issue 16).

Every network test talks to an HTTP server on 127.0.0.1 that the test starts; its loops
are bounded in bytes and seconds.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import expo_data
from expo_data import ChecksumMismatch, ReleaseError

from conftest import run_cli, without_notice
from test_release import VERSION, make_package

#: the most bytes a misbehaving test server ever sends, and the longest it ever drips
SERVER_CAP = 64 << 20
DRIP_SECONDS = 20.0


# --- a local server whose paths can misbehave ---------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        server = self.server
        server.log.append(self.path)
        fault = server.faults.get(self.path)
        file = server.root / self.path.lstrip("/")
        if fault is not None:
            fault(self)
            return
        if not file.is_file():
            self.send_error(404)
            return
        body = file.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def endless(handler: BaseHTTPRequestHandler) -> None:
    """A body with no length that never ends (until SERVER_CAP bytes or the client leaves)."""
    handler.send_response(200)
    handler.end_headers()
    chunk = b"\0" * (1 << 16)
    try:
        while handler.server.sent < SERVER_CAP:
            handler.wfile.write(chunk)
            handler.server.sent += len(chunk)
    except OSError:
        pass
    handler.close_connection = True


def announces(size: int) -> Callable[[BaseHTTPRequestHandler], None]:
    def fault(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(size))
        handler.end_headers()
        handler.close_connection = True

    return fault


def drip(handler: BaseHTTPRequestHandler) -> None:
    """The real file's length, then one byte every 0.1 s (for at most DRIP_SECONDS)."""
    body = (handler.server.root / handler.path.lstrip("/")).read_bytes()
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    started = time.monotonic()
    try:
        for byte in body:
            if time.monotonic() - started > DRIP_SECONDS:
                break
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(0.1)
    except OSError:
        pass
    handler.close_connection = True


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic release, built once: `syn/1.0.0/…`."""
    root = tmp_path_factory.mktemp("published")
    package = make_package(tmp_path_factory.mktemp("syn"))
    expo_data.build_release(package, out=root / "syn" / VERSION)
    return root


@pytest.fixture
def server(published: Path, tmp_path: Path):
    """A server of `root/syn/1.0.0/…` (the synthetic release); `faults` maps paths to handlers."""
    root = tmp_path / "served"
    shutil.copytree(published, root)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.root, httpd.log, httpd.faults, httpd.sent = root, [], {}, 0
    httpd.url = f"http://127.0.0.1:{httpd.server_port}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("EXPO_DATA_CACHE", str(folder))
    monkeypatch.delenv("EXPO_DATA_RELEASE_URL", raising=False)
    monkeypatch.delenv("EXPO_DATA_OFFLINE", raising=False)
    monkeypatch.setattr("expo_data.model.fetch.BACKOFF", 0.01)
    return folder


def parts(cache: Path) -> list[Path]:
    return sorted(cache.rglob("*.part"))


def manifest_sha256(folder: Path) -> str:
    return hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()


# --- building: --force, concurrent builds, crashes -----------------------------------------


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_package(tmp_path_factory.mktemp("package") / "synthetic")


def test_force_keeps_a_folder_whose_manifest_is_not_a_release(package: Path, tmp_path: Path):
    webapp = tmp_path / "webapp"
    webapp.mkdir()
    (webapp / "manifest.json").write_text('{"name": "My app", "icons": []}')
    (webapp / "index.html").write_text("<h1>mine</h1>")
    result = run_cli("release", "build", "--package", package, "--out", webapp, "--force")
    assert result.returncode == 1, result.stdout
    assert result.stderr.startswith(f"Error: {webapp} is not empty and holds no expo-data release")
    assert "force=True" not in result.stderr
    assert sorted(p.name for p in webapp.iterdir()) == ["index.html", "manifest.json"]
    assert (webapp / "index.html").read_text() == "<h1>mine</h1>"


def test_force_keeps_a_release_folder_holding_other_files(package: Path, tmp_path: Path):
    out = expo_data.build_release(package, out=tmp_path / "r")
    (out / "notes.txt").write_text("keep me")
    (out / "things.parquet").unlink()
    (out / "things.parquet").mkdir()  # a folder where the release has a file
    with pytest.raises(
        ReleaseError, match=r"not part of the release .*notes\.txt, things\.parquet"
    ):
        expo_data.build_release(package, out=out, force=True)
    assert (out / "notes.txt").read_text() == "keep me"
    (out / "notes.txt").unlink()
    (out / "things.parquet").rmdir()
    expo_data.build_release(package, out=out, force=True)  # a release, even a partial one
    assert (out / "things.parquet").is_file()


def test_library_says_force_true_and_the_cli_says_force(package: Path, tmp_path: Path):
    out = expo_data.build_release(package, out=tmp_path / "r")
    with pytest.raises(ReleaseError, match=r"pass force=True to replace") as caught:
        expo_data.build_release(package, out=out)
    assert "--force" not in str(caught.value)
    result = run_cli("release", "build", "--package", package, "--out", out)
    assert result.returncode == 1
    assert "pass --force to replace" in result.stderr and "force=True" not in result.stderr


def test_concurrent_builds_are_never_both_built(package: Path, tmp_path: Path):
    out = tmp_path / "r"
    args = [sys.executable, "-m", "expo_data", "release", "build", "-p", str(package), "-o"]
    builds = [
        subprocess.Popen([*args, str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    results = [
        (b.wait(timeout=300), *(s.read().decode() for s in (b.stdout, b.stderr))) for b in builds
    ]
    for build in builds:
        build.stdout.close()
        build.stderr.close()
    built = [r for r in results if r[0] == 0]
    assert len(built) == 1, results
    failed = next(r for r in results if r[0] != 0)
    assert failed[2].startswith("Error: ") and "Traceback" not in failed[2]
    assert "another build" in failed[2] or "not empty" in failed[2]
    assert [p.name for p in tmp_path.iterdir()] == ["r"]  # no lock or scratch left


def test_a_live_lock_refuses_and_a_dead_one_is_taken_over(package: Path, tmp_path: Path):
    out, lock = tmp_path / "r", tmp_path / ".r.lock"
    import socket

    lock.write_text(f"{os.getpid()} {socket.gethostname()}\n")  # this process: alive
    with pytest.raises(ReleaseError, match=rf"another build into {out} is running \(pid"):
        expo_data.build_release(package, out=out)
    assert not out.exists() and lock.exists()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait(timeout=60)
    lock.write_text(f"{gone.pid} {socket.gethostname()}\n")  # its builder was killed
    expo_data.build_release(package, out=out)
    assert not lock.exists()


CRASH = """
import os, sys
import expo_data.release.target as target
renames = []
real = os.rename
def rename(src, dst):
    renames.append(dst)
    if len(renames) == 2:
        os._exit(9)  # killed between the swap's two renames
    real(src, dst)
target.os.rename = rename
import expo_data
expo_data.build_release(sys.argv[1], out=sys.argv[2], force=True)
"""


def test_a_swap_killed_midway_is_recovered(package: Path, tmp_path: Path):
    out = expo_data.build_release(package, out=tmp_path / "r")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    crashed = subprocess.run(
        [sys.executable, "-c", CRASH, str(package), str(out)], capture_output=True, timeout=300
    )
    assert crashed.returncode == 9, crashed.stderr
    assert not out.exists()
    (old,) = [p for p in tmp_path.iterdir() if p.name.startswith(".r.old-")]
    assert {p.name: p.read_bytes() for p in old.iterdir()} == before  # recoverable
    with pytest.raises(ReleaseError, match="not empty"):
        expo_data.build_release(package, out=out)  # the next run puts it back first
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["r"]


# --- downloads: bounded in size, time and disk ---------------------------------------------


def test_an_endless_file_is_cut_at_its_declared_size(server, cache: Path):
    server.faults["/syn/1.0.0/things.parquet"] = endless
    with pytest.raises(ReleaseError, match=r"sends more than the \d+ bytes its release manifest"):
        expo_data.download_release(VERSION, url=f"{server.url}/syn")
    assert server.log.count("/syn/1.0.0/things.parquet") == 1  # not retried
    assert server.sent < SERVER_CAP // 2, server.sent
    assert parts(cache) == []


def test_an_announced_oversize_is_refused_unread(server, cache: Path):
    server.faults["/syn/1.0.0/notes.parquet"] = announces(1 << 40)
    with pytest.raises(ReleaseError, match=r"announces 1099511627776 bytes, more than the \d+"):
        expo_data.download_release(VERSION, url=f"{server.url}/syn")


def test_a_huge_manifest_is_refused(server, cache: Path):
    server.faults["/syn/1.0.0/manifest.json"] = endless
    with pytest.raises(ReleaseError, match=r"sends more than the 16777216 bytes"):
        expo_data.download_release(VERSION, url=f"{server.url}/syn")
    assert server.sent < SERVER_CAP // 2, server.sent
    folder = server.root / "big" / VERSION
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_bytes(b" " * (16 * 1024 * 1024 + 1))
    with pytest.raises(ReleaseError, match=r"larger than 16777216 bytes|sends more than"):
        expo_data.download_release(VERSION, url=folder.parent)


def test_a_dripping_server_meets_the_deadline(server, cache: Path):
    server.faults["/syn/1.0.0/things.parquet"] = drip
    started = time.monotonic()
    with pytest.raises(ReleaseError, match=r"took longer than its deadline of 1 s"):
        expo_data.download_release(VERSION, url=f"{server.url}/syn", deadline=1.0)
    assert time.monotonic() - started < 10
    assert parts(cache) == []


KILLED = """
import sys
import expo_data
expo_data.download_release(sys.argv[1], url=sys.argv[2])
"""


def test_a_part_file_left_by_kill_9_is_removed_by_the_next_run(server, cache: Path):
    server.faults["/syn/1.0.0/things.parquet"] = drip
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED, VERSION, f"{server.url}/syn"],
        env={**os.environ, "EXPO_DATA_CACHE": str(cache)},
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not any(p.name.startswith(".things.") for p in parts(cache)):
            assert time.monotonic() < deadline and child.poll() is None, "no download began"
            time.sleep(0.05)
        time.sleep(0.3)  # a few bytes in
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    (left,) = parts(cache)
    assert left.name.startswith(".things.parquet.")
    server.faults.clear()
    folder = expo_data.download_release(VERSION, url=f"{server.url}/syn")
    assert parts(cache) == [] and (folder / "things.parquet").is_file()


def test_a_cache_that_cannot_be_written_is_a_release_error(server, tmp_path: Path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("EXPO_DATA_CACHE", str(blocker))
    with pytest.raises(ReleaseError, match=rf"cannot create the cache folder {blocker}/"):
        expo_data.download_release(VERSION, url=f"{server.url}/syn")
    result = run_cli(
        "download", "--version", VERSION, "--url", f"{server.url}/syn",
        env={"EXPO_DATA_CACHE": str(blocker)},
    )  # fmt: skip
    assert result.returncode == 1
    error = without_notice(result.stderr)
    assert error.startswith(f"Error: cannot create the cache folder {blocker}/")
    assert "Not a directory" in error and len(error.splitlines()) == 1


def test_a_full_disk_is_a_release_error_naming_the_file(server, cache: Path, monkeypatch):
    import expo_data.model.transfer as transfer

    class Full:
        def __init__(self, *args: object) -> None:
            self.stream = open(*args)  # noqa: SIM115

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def close(self) -> None:
            self.stream.close()

    monkeypatch.setattr(transfer, "open", Full, raising=False)
    with pytest.raises(
        ReleaseError,
        match=r"cannot write .*/1\.0\.0/manifest\.json: No space left on device \[errno 28\]",
    ):
        expo_data.download_release(VERSION, url=f"{server.url}/syn")
    assert parts(cache) == []


# --- the manifest: strict, and pinnable ----------------------------------------------------


def republish(server, name: str, change: Callable[[dict], None]) -> Path:
    """A copy of the synthetic release under `name/`, its manifest changed, SUMS matching."""
    folder = server.root / name / VERSION
    shutil.copytree(server.root / "syn" / VERSION, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    change(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


@pytest.mark.parametrize(
    "field, value",
    [("bytes", True), ("bytes", -5), ("bytes", 1.5), ("rows", False), ("rows", -1),
     ("sha256", "XYZ"), ("name", "../../etc/passwd"), ("name", ".hidden")],
)  # fmt: skip
def test_the_manifest_schema_is_strict(server, cache: Path, field: str, value: object):
    def change(manifest: dict) -> None:
        manifest["files"][-1][field] = value

    republish(server, "bad", change)
    with pytest.raises(ReleaseError, match="lists a malformed file entry"):
        expo_data.download_release(VERSION, url=f"{server.url}/bad")


def test_a_rebuilt_manifest_fails_its_pin(server, cache: Path, tmp_path: Path):
    genuine = manifest_sha256(server.root / "syn" / VERSION)
    things = server.root / "evil" / VERSION / "things.parquet"

    def change(manifest: dict) -> None:  # an altered file, with a manifest that matches it
        data = things.read_bytes()
        entry = next(e for e in manifest["files"] if e["name"] == "things.parquet")
        entry["sha256"] = hashlib.sha256(data).hexdigest()

    things.parent.mkdir(parents=True)
    shutil.copy(server.root / "syn" / VERSION / "things.parquet", things)
    republish_into = server.root / "evil" / VERSION
    shutil.rmtree(republish_into)
    republish(server, "evil", change)
    evil = f"{server.url}/evil"
    with pytest.raises(
        ChecksumMismatch, match=rf"does not match the pinned sha256 \(sha256=\): expected {genuine}"
    ):
        expo_data.download_release(VERSION, url=evil, sha256=genuine)
    assert parts(cache) == []
    result = run_cli("download", "--version", VERSION, "--url", evil, "--manifest-sha256", genuine)
    assert result.returncode == 1
    assert "does not match the pinned sha256 (--manifest-sha256)" in result.stderr
    folder = expo_data.download_release(VERSION, url=f"{server.url}/syn", sha256=genuine.upper())
    assert manifest_sha256(folder) == genuine
    with pytest.raises(ReleaseError, match="invalid manifest sha256"):
        expo_data.download_release(VERSION, url=evil, sha256="abc")


def test_a_known_release_is_checked_against_the_shipped_sha256(server, cache: Path, monkeypatch):
    from expo_data.model import manifest

    genuine = manifest_sha256(server.root / "syn" / VERSION)
    monkeypatch.setattr(manifest, "_known", lambda: {"synthetic": {VERSION: genuine}})

    def change(doc: dict) -> None:
        doc["files"][0]["rows"] = 99

    republish(server, "mirror", change)
    with pytest.raises(ChecksumMismatch, match=r"the sha256 expo-data ships for synthetic 1\.0\.0"):
        expo_data.download_release(VERSION, url=f"{server.url}/mirror")
    expo_data.download_release(VERSION, url=f"{server.url}/syn")  # the genuine one passes
    shipped = json.loads(
        (Path(manifest.__file__).parent / manifest.KNOWN_RELEASES).read_text(encoding="utf-8")
    )
    assert all(
        isinstance(versions, dict) and all(len(d) == 64 for d in versions.values())
        for versions in shipped.values()
    )


def test_a_manifest_of_another_package_is_refused_when_a_name_is_asked(server, cache: Path):
    with pytest.raises(ReleaseError, match=r"manifest of package 'synthetic', not 'orders'"):
        expo_data.download_release(VERSION, url=f"{server.url}/syn", name="orders")


# --- the cache: keyed by location ----------------------------------------------------------


def orders_package(folder: Path) -> Path:
    """Another package, also at version 1.0.0: other resources, a composite key."""
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "orders.csv").write_text("shop,number,total\na,1,10\na,2,5\nb,1,7\n")
    schema = {
        "fields": [
            {"name": "shop", "type": "string"},
            {"name": "number", "type": "integer"},
            {"name": "total", "type": "integer"},
        ],
        "primaryKey": ["shop", "number"],
    }
    descriptor = {
        "name": "orders",
        "version": VERSION,
        "resources": [{"name": "orders", "path": "data/orders.csv", "schema": schema}],
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor))
    return folder


def test_two_packages_of_one_version_at_two_locations_keep_their_files(
    server, cache: Path, tmp_path: Path, monkeypatch
):
    orders = tmp_path / "elsewhere"
    expo_data.build_release(orders_package(tmp_path / "orders"), out=orders / VERSION)
    syn = expo_data.download_release(VERSION, url=f"{server.url}/syn")
    other = expo_data.download_release(VERSION, url=orders)
    assert syn != other
    assert "things.parquet" in {p.name for p in syn.iterdir()}
    assert "orders.parquet" in {p.name for p in other.iterdir()}
    assert "things.parquet" not in {p.name for p in other.iterdir()}
    monkeypatch.setenv("EXPO_DATA_RELEASE_URL", str(orders))
    assert expo_data.load("orders", release=VERSION)["total"].tolist() == [10, 5, 7]
    monkeypatch.setenv("EXPO_DATA_RELEASE_URL", f"{server.url}/syn")
    assert len(expo_data.load("things", release=VERSION)) == 4
    from expo_data.model.locate import locate

    assert locate(release=VERSION, url=orders).resource_names == ["orders"]
    assert locate(release=VERSION, url=orders.as_uri()).path.parent == other  # one location


# --- validation: no profile fetched or read without consent ---------------------------------


@pytest.fixture
def listener():
    """A local server that logs every request and answers each with a small JSON Schema."""

    class Logging(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.server.log.append(self.path)
            body = json.dumps({"type": "object", "required": ["homepage"]}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.path.startswith("/slow"):
                time.sleep(min(DRIP_SECONDS, 3))
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Logging)
    httpd.daemon_threads = True
    httpd.log, httpd.url = [], f"http://127.0.0.1:{httpd.server_port}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def with_descriptor(folder: Path, **changes: object) -> Path:
    """The synthetic package in `folder`, its descriptor updated with `changes`."""
    make_package(folder)
    path = folder / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if key == "resource_profile":
            for resource in descriptor["resources"]:
                resource["profile"] = value
        else:
            descriptor[key] = value
    path.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list:
    """Every connection attempted, refused (nothing here may need the network)."""
    import socket

    attempts: list = []

    def connect(self, address):  # type: ignore[no-untyped-def]
        attempts.append(address)
        raise OSError(errno.ENETUNREACH, "the test forbids connections")

    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


@pytest.mark.parametrize("engine", ["fast", "frictionless"])
def test_a_remote_profile_is_not_fetched(listener, tmp_path: Path, engine: str):
    package = with_descriptor(tmp_path / "p", profile=f"{listener.url}/profile.json")
    report = expo_data.validate(package, engine=engine)
    assert listener.log == []
    assert [f.code for f in report.findings] == ["unsafe-path"]
    assert "was not fetched; pass trusted=True (--allow-remote)" in report.findings[0].message
    result = run_cli("validate", package)
    assert result.returncode == 1 and listener.log == []
    assert "unsafe-path" in result.stdout


def test_a_resource_profile_and_schema_urls_are_not_fetched(listener, tmp_path: Path):
    package = with_descriptor(
        tmp_path / "p",
        resource_profile=f"{listener.url}/resource.json",
        **{"$schema": f"{listener.url}/schema.json"},
    )
    report = expo_data.validate(package)
    assert listener.log == []
    assert {(f.code, f.resource) for f in report.findings} == {
        ("unsafe-path", "things"),
        ("unsafe-path", "notes"),
    }


def test_a_slow_profile_server_cannot_hang_validation(listener, tmp_path: Path, monkeypatch):
    package = with_descriptor(tmp_path / "p", profile=f"{listener.url}/slow/profile.json")
    started = time.monotonic()
    assert not expo_data.validate(package).valid
    assert time.monotonic() - started < 2.5 and listener.log == []
    monkeypatch.setattr("expo_data.validation.profiles.DEADLINE", 0.5)
    monkeypatch.setattr("expo_data.validation.profiles.TIMEOUT", (1, 1))
    started = time.monotonic()
    report = expo_data.validate(package, trusted=True)  # consent: fetched, bounded in time
    assert time.monotonic() - started < 2.5
    assert listener.log == ["/slow/profile.json"]
    assert "cannot retrieve metadata" in report.findings[0].message


def test_a_trusted_remote_profile_is_checked(listener, tmp_path: Path):
    package = with_descriptor(tmp_path / "p", profile=f"{listener.url}/profile.json")
    report = expo_data.validate(package, trusted=True)
    assert listener.log == ["/profile.json"]
    assert any("'homepage' is a required property" in f.message for f in report.findings)


@pytest.mark.parametrize("where", ["absolute", "parent"])
def test_a_local_profile_outside_the_package_is_not_read(tmp_path: Path, where: str):
    secret = tmp_path / "secret.json"
    secret.write_text('{"password": "hunter2"}')
    value = str(secret) if where == "absolute" else "../secret.json"
    package = with_descriptor(tmp_path / "p", profile=value)
    for engine in ("fast", "frictionless"):
        report = expo_data.validate(package, engine=engine)
        assert [f.code for f in report.findings] == ["unsafe-path"]
        assert "hunter2" not in report.findings[0].message
    result = run_cli("validate", package, "--format", "json")
    assert "hunter2" not in result.stdout + result.stderr


def test_a_profile_file_inside_the_package_is_read_from_there(tmp_path: Path, monkeypatch):
    package = with_descriptor(tmp_path / "p", profile="profile.json")
    (package / "profile.json").write_text(json.dumps({"type": "object", "required": ["homepage"]}))
    monkeypatch.chdir(tmp_path)  # frictionless alone would look for ./profile.json here
    report = expo_data.validate(package)
    assert any("'homepage' is a required property" in f.message for f in report.findings)
    (package / "profile.json").write_text(json.dumps({"$ref": "http://127.0.0.1:9/x.json"}))
    report = expo_data.validate(package)
    assert any('refers to other files ("$ref")' in f.message for f in report.findings)


@pytest.mark.parametrize(
    "url",
    [
        "https://specs.frictionlessdata.io/schemas/tabular-data-package.json",
        "http://specs.frictionlessdata.io/schemas/tabular-data-package.json",
        "https://datapackage.org/profiles/1.0/tabulardatapackage.json",
    ],
)
def test_the_spec_profiles_are_shipped(tmp_path: Path, url: str, no_network: list):
    package = with_descriptor(tmp_path / "p", profile=url)
    report = expo_data.validate(package)
    assert no_network == []
    # the shipped tabular-data-package schema wants tabular resources, with inline schemas
    assert {f.code for f in report.findings} == {"package-error"}
    assert any("at property 'resources/0'" in f.message for f in report.findings)
    tabular = with_descriptor(
        tmp_path / "q",
        profile=url,
        resource_profile="https://specs.frictionlessdata.io/schemas/tabular-data-resource.json",
    )
    (finding,) = expo_data.validate(tabular).findings
    assert "'schemas/notes.json' is not of type 'object' at property 'schema'" in finding.message
    assert no_network == []


def test_v2_schema_and_profile_urls_are_recognised(tmp_path: Path, no_network: list):
    v2 = "https://datapackage.org/profiles/2.0/datapackage.json"
    package = with_descriptor(tmp_path / "p", profile=v2, **{"$schema": v2})
    assert expo_data.validate(package).findings == ()
    assert no_network == []


@pytest.mark.parametrize("key", ["path", "schema", "dialect"])
def test_remote_resource_paths_are_not_fetched(listener, tmp_path: Path, key: str):
    package = with_descriptor(tmp_path / "p")
    path = package / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["resources"][0][key] = f"{listener.url}/{key}.json"
    path.write_text(json.dumps(descriptor), encoding="utf-8")
    for engine in ("fast", "frictionless"):
        report = expo_data.validate(package, engine=engine)
        assert not report.valid and listener.log == []
    assert run_cli("validate", package).returncode != 0 and listener.log == []
