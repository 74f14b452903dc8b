"""A package whose descriptor is at a URL: fetched, with consent, into a private local mirror."""

from __future__ import annotations

import atexit
import json
import re
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin

from ..errors import DataError, PackageError, UnsafePathError
from .docfile import MAX_DESCRIPTOR_BYTES, read_object
from .paths import is_remote

#: the descriptor's name in a mirror (always JSON: the mirror's copy is rewritten)
MIRRORED = "datapackage.json"
#: a URL whose `//` a filesystem path collapsed (the CLI's options are paths)
_COLLAPSED = re.compile(r"^(https?):/(?!/)")


#: the mirror folders made by this process (deleted at exit)
_MIRRORS: list[Path] = []


def remove_mirrors() -> None:
    """Delete every mirror this process made (at exit; the CLI calls it before its fast exit)."""
    while _MIRRORS:
        shutil.rmtree(_MIRRORS.pop(), ignore_errors=True)


def remote_url(path: object) -> str | None:
    """The URL `path` names (a string with a scheme, or an http(s) URL a Path collapsed), or None."""
    if isinstance(path, str):
        return path if is_remote(path) else None
    if isinstance(path, Path) and _COLLAPSED.match(str(path)):
        return _COLLAPSED.sub(r"\1://", str(path), count=1)
    return None


def mirror(url: str, *, trusted: bool) -> Path:
    """The local copy of the package whose descriptor is at `url`: its descriptor's path.

    Refused (nothing fetched) unless `trusted`. The descriptor (JSON, or YAML by `.yaml`/
    `.yml`) and every file its resources name by a relative path (data, schema, dialect) are
    fetched once through `transfer.read_url` (bounded in size and time), resolved against
    the descriptor's URL as frictionless resolves them, into a private folder deleted at
    exit. A path leaving the descriptor's folder (`..`, absolute) becomes the URL it
    resolves to (read remotely, like any trusted URL).
    """
    if not trusted:
        raise UnsafePathError(f"package descriptor {url} is remote; pass trusted=True to allow it")
    try:
        descriptor = read_object(url, "package descriptor")
        folder = Path(tempfile.mkdtemp(prefix="expo-data-remote-"))
        if not _MIRRORS:
            atexit.register(remove_mirrors)
        _MIRRORS.append(folder)
        resources = descriptor.get("resources")
        if isinstance(resources, list):
            descriptor["resources"] = [
                _mirror_resource(r, url, folder) if isinstance(r, dict) else r for r in resources
            ]
    except DataError as exc:  # a 404, a timeout, too many bytes: the package is unreadable
        raise PackageError(str(exc)) from None
    target = folder / MIRRORED
    target.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    return target


def _mirror_resource(raw: dict, url: str, folder: Path) -> dict:
    """The resource with its relative files fetched into `folder` (others made URLs)."""
    out = dict(raw)
    name = raw.get("name", "?")
    path = raw.get("path")
    if isinstance(path, list):
        out["path"] = [_mirror_file(p, url, folder, f"resource {name!r} file") for p in path]
    elif path is not None:
        out["path"] = _mirror_file(path, url, folder, f"resource {name!r} file")
    for key, what in (("schema", "table schema"), ("dialect", "CSV dialect")):
        if isinstance(raw.get(key), str):
            out[key] = _mirror_file(raw[key], url, folder, f"resource {name!r} {what}", small=True)
    return out


def _mirror_file(path: object, url: str, folder: Path, what: str, *, small: bool = False) -> object:
    """`path` as the mirrored descriptor names it: fetched into `folder`, or its URL."""
    from .transfer import MAX_REMOTE_BYTES, read_url

    if not isinstance(path, str) or not path or is_remote(path):
        return path  # a URL stays one; a malformed path is open_package's to report
    pure = PurePosixPath(path)
    if (
        pure.is_absolute()
        or ".." in pure.parts
        or "\\" in path
        or "\x00" in path
        or (pure.parts and ":" in pure.parts[0])
    ):
        return urljoin(url, path)
    local = folder / Path(*pure.parts)
    if not local.is_file():  # a file two resources share is fetched once
        data = read_url(
            urljoin(url, path), limit=MAX_DESCRIPTOR_BYTES if small else MAX_REMOTE_BYTES, what=what
        )
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(data)
    return path
