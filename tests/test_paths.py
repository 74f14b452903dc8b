"""Paths are safe by default: resource, schema and dialect paths stay inside the package.

Each way out of the package folder (absolute path, `..`, URL, a symlinked file or folder, a
hidden folder) is refused by validate, load and release build unless the caller trusts the
package (`trusted=True`, `--allow-remote`); trusted, it works. frictionless' own unsafe-path
check misses symlinks, URLs and hidden folders, so each of those is a case here. URLs are
served by an http.server on 127.0.0.1 started here.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import expo_data

from conftest import ROOT, run_cli

RESOURCE = "sources"  # no foreign keys: a one-resource package of it validates on its own
ENGINES = ("fast", "frictionless")


def small_package(folder: Path) -> Path:
    """The real package cut down to its `sources` resource (descriptor, schema, CSV)."""
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] == RESOURCE]
    package = folder / "package"
    for relative in ("data/sources.csv", "schemas/sources.json"):
        (package / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / relative, package / relative)
    write_descriptor(package, descriptor)
    return package


def read_descriptor(package: Path) -> dict:
    return json.loads((package / "datapackage.json").read_text(encoding="utf-8"))


def write_descriptor(package: Path, descriptor: dict) -> None:
    text = json.dumps(descriptor, ensure_ascii=False, indent=2)
    (package / "datapackage.json").write_text(text, encoding="utf-8")


def set_key(package: Path, key: str, value: object) -> None:
    """Set `key` (path, schema or dialect) of the package's one resource."""
    descriptor = read_descriptor(package)
    descriptor["resources"][0][key] = value
    write_descriptor(package, descriptor)


def move_out(package: Path, relative: str) -> Path:
    """Move a file or folder of the package to the `outside` folder next to it."""
    target = package.parent / "outside" / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(package / relative, target)
    return target


def absolute(package: Path, url: str) -> None:
    set_key(package, "path", str((package / "data" / "sources.csv").absolute()))


def dotdot(package: Path, url: str) -> None:
    move_out(package, "data/sources.csv")
    set_key(package, "path", "../outside/data/sources.csv")


def remote(package: Path, url: str) -> None:
    set_key(package, "path", url)


def symlinked_file(package: Path, url: str) -> None:
    (package / "data" / "sources.csv").symlink_to(move_out(package, "data/sources.csv"))


def symlinked_folder(package: Path, url: str) -> None:
    (package / "data").symlink_to(move_out(package, "data"), target_is_directory=True)


def hidden_folder(package: Path, url: str) -> None:
    (package / ".hidden").mkdir()
    shutil.move(package / "data" / "sources.csv", package / ".hidden" / "sources.csv")
    set_key(package, "path", ".hidden/sources.csv")


def symlink_into_hidden(package: Path, url: str) -> None:
    (package / ".git").mkdir()
    shutil.move(package / "data" / "sources.csv", package / ".git" / "sources.csv")
    (package / "data" / "sources.csv").symlink_to(package / ".git" / "sources.csv")


def schema_dotdot(package: Path, url: str) -> None:
    move_out(package, "schemas/sources.json")
    set_key(package, "schema", "../outside/schemas/sources.json")


def schema_symlinked(package: Path, url: str) -> None:
    (package / "schemas" / "sources.json").symlink_to(move_out(package, "schemas/sources.json"))


def dialect_dotdot(package: Path, url: str) -> None:
    (package.parent / "dialect.json").write_text('{"delimiter": ","}', encoding="utf-8")
    set_key(package, "dialect", "../dialect.json")


ESCAPES: dict[str, Callable[[Path, str], None]] = {
    "absolute-path": absolute,
    "dotdot-path": dotdot,
    "url": remote,
    "symlinked-file": symlinked_file,
    "symlinked-folder": symlinked_folder,
    "hidden-folder": hidden_folder,
    "symlink-into-hidden-folder": symlink_into_hidden,
    "schema-dotdot-path": schema_dotdot,
    "symlinked-schema": schema_symlinked,
    "dialect-dotdot-path": dialect_dotdot,
}


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def csv_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real sources.csv, served over HTTP from 127.0.0.1."""
    folder = tmp_path_factory.mktemp("served")
    shutil.copy2(ROOT / "data" / "sources.csv", folder / "sources.csv")
    handler = functools.partial(QuietHandler, directory=str(folder))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_address[1]}/sources.csv"
        server.shutdown()


@pytest.fixture(scope="module")
def expected() -> pd.DataFrame:
    return expo_data.load(RESOURCE)


@pytest.fixture(params=list(ESCAPES))
def escaping(request: pytest.FixtureRequest, tmp_path: Path, csv_url: str) -> Path:
    """A small package whose resource leaves the package folder in one way."""
    package = small_package(tmp_path)
    ESCAPES[request.param](package, csv_url)
    return package


def test_the_small_package_is_valid(tmp_path: Path, expected: pd.DataFrame):
    package = small_package(tmp_path)
    assert expo_data.validate(package).valid
    pd.testing.assert_frame_equal(expo_data.load(RESOURCE, package), expected)


def test_validate_refuses_by_default(escaping: Path):
    report = expo_data.validate(escaping)
    assert [(f.code, f.resource) for f in report.findings] == [("unsafe-path", RESOURCE)]


def test_load_refuses_by_default(escaping: Path):
    with pytest.raises(expo_data.UnsafePathError, match=f"resource '{RESOURCE}'"):
        expo_data.load(RESOURCE, escaping)
    with pytest.raises(expo_data.UnsafePathError):
        expo_data.load_arrow(RESOURCE, escaping)


def test_release_build_refuses_by_default(escaping: Path, tmp_path: Path):
    with pytest.raises(expo_data.InvalidPackage) as caught:
        expo_data.build_release(escaping, out=tmp_path / "release")
    assert caught.value.report.codes == ["unsafe-path"]
    assert not (tmp_path / "release").exists()


@pytest.mark.parametrize("engine", ENGINES)
def test_validate_allows_when_trusted(escaping: Path, engine: str):
    report = expo_data.validate(escaping, engine=engine, trusted=True)
    assert report.valid, report.findings


def test_load_allows_when_trusted(escaping: Path, expected: pd.DataFrame):
    pd.testing.assert_frame_equal(expo_data.load(RESOURCE, escaping, trusted=True), expected)
    assert expo_data.load_arrow(RESOURCE, escaping, trusted=True).num_rows == len(expected)


def test_release_build_allows_when_trusted(escaping: Path, tmp_path: Path):
    folder = expo_data.build_release(escaping, out=tmp_path / "release", trusted=True)
    table = pq.read_table(folder / f"{RESOURCE}.parquet")
    assert table.equals(expo_data.load_arrow(RESOURCE, escaping, trusted=True))


@pytest.mark.parametrize(
    "path",
    [
        "/etc/passwd",
        "C:/Windows/win.ini",
        "C:data.csv",
        "\\\\server\\share\\data.csv",
        "..\\outside.csv",
        "data/../../outside.csv",
        "./../outside.csv",
        "data/.hidden.csv",
        "file:///etc/passwd",
        "file:/etc/passwd",
        "//example.com/data.csv",
        "HTTPS://example.com/data.csv",
    ],
)
def test_escaping_path_strings_are_refused(tmp_path: Path, path: str):
    package = small_package(tmp_path)
    set_key(package, "path", path)
    with pytest.raises(expo_data.UnsafePathError, match="resource 'sources': path"):
        expo_data.load(RESOURCE, package)


@pytest.mark.parametrize("value", ["", None, 7, [], [""], "data/sources\x00.csv"])
def test_malformed_paths_are_package_errors(tmp_path: Path, value: object):
    package = small_package(tmp_path)
    set_key(package, "path", value)
    with pytest.raises(expo_data.PackageError, match="resource 'sources'"):
        expo_data.load(RESOURCE, package)
    assert expo_data.validate(package).codes == ["package-error"]


def test_a_symlink_loop_is_a_package_error(tmp_path: Path):
    package = small_package(tmp_path)
    (package / "data" / "sources.csv").unlink()
    (package / "data" / "loop").symlink_to(package / "data" / "sources.csv")
    (package / "data" / "sources.csv").symlink_to(package / "data" / "loop")
    with pytest.raises(expo_data.PackageError, match="cannot be resolved"):
        expo_data.load(RESOURCE, package)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_not_read_forever(tmp_path: Path):
    package = small_package(tmp_path)
    (package / "data" / "sources.csv").unlink()
    os.mkfifo(package / "data" / "sources.csv")
    with pytest.raises(expo_data.UnsafePathError, match="not a regular file"):
        expo_data.load(RESOURCE, package)
    assert expo_data.validate(package).codes == ["unsafe-path"]


def test_symlinks_inside_the_package_are_fine(tmp_path: Path, expected: pd.DataFrame):
    package = small_package(tmp_path)
    shutil.move(package / "data", package / "csv")
    (package / "data").symlink_to(package / "csv", target_is_directory=True)
    assert expo_data.validate(package).valid
    pd.testing.assert_frame_equal(expo_data.load(RESOURCE, package), expected)


# --- the command line: refused with a clear message, allowed with --allow-remote ----------


@pytest.mark.parametrize("kind", ["url", "symlinked-file", "dotdot-path", "hidden-folder"])
def test_cli_refuses_by_default_and_allows_remote(kind: str, tmp_path: Path, csv_url: str):
    package = small_package(tmp_path)
    ESCAPES[kind](package, csv_url)

    refused = run_cli("validate", package, "--format", "json")
    assert refused.returncode == 1, refused.stderr
    findings = json.loads(refused.stdout)["findings"]
    assert [(f["code"], f["resource"]) for f in findings] == [("unsafe-path", RESOURCE)]
    assert "--allow-remote" in findings[0]["message"] or kind != "url"

    shown = run_cli("show", RESOURCE, "--package", package)
    assert shown.returncode == 2 and "Traceback" not in shown.stderr
    assert shown.stderr.startswith("Error: ") and len(shown.stderr.splitlines()) == 1

    built = run_cli("release", "build", "--package", package, "--out", tmp_path / "refused")
    assert built.returncode != 0 and "Traceback" not in built.stderr
    assert built.stderr.startswith("Error: ") and "unsafe-path" in built.stderr

    allowed = run_cli("validate", package, "--allow-remote")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    shown = run_cli("show", RESOURCE, "--package", package, "--allow-remote")
    assert shown.returncode == 0, shown.stderr
    built = run_cli(
        "release", "build", "--package", package, "--out", tmp_path / "allowed", "--allow-remote"
    )
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "allowed" / f"{RESOURCE}.parquet").is_file()
