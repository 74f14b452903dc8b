"""Release manifests: the file names, sizes and sha256 sums that make a release verifiable."""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from ..errors import ReleaseError

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
#: the largest manifest read (a release of thousands of files stays far below it)
MANIFEST_LIMIT = 16 * 1024 * 1024
#: a release version or file name: one plain path segment, safe in URLs and file systems
SAFE_NAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z._+-]*")
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
#: {package name: {version: manifest sha256}} of the releases this wheel knows
KNOWN_RELEASES = "known_releases.json"


def check_name(name: str, what: str) -> str:
    """`name` if it is one safe path segment; ReleaseError otherwise."""
    if not isinstance(name, str) or not SAFE_NAME.fullmatch(name):
        raise ReleaseError(f"invalid {what} {name!r}: use letters, digits and . _ + -")
    return name


def check_sha256(digest: str, what: str) -> str:
    """`digest` if it is a hex sha256 (64 hex digits, either case), lowercased."""
    if not isinstance(digest, str) or not SHA256_HEX.fullmatch(digest.lower()):
        raise ReleaseError(f"invalid {what} {digest!r}: expected 64 hex digits")
    return digest.lower()


def sha256(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def sha256sums(hashes: dict[str, str]) -> str:
    """`sha256sum -c` input for {file name: hex sha256}, sorted by name."""
    return "".join(f"{digest}  {name}\n" for name, digest in sorted(hashes.items()))


def parse_manifest(path: Path, version: str | None, where: str) -> dict[str, Any]:
    """The manifest at `path`, checked: release `version` (None: any), well-formed entries.

    The schema is strict: `name` and `version` strings, `files` a list of entries with a
    safe unique `name`, `bytes` and optional `rows` non-negative integers (not booleans)
    and a hex `sha256`; a file over MANIFEST_LIMIT bytes is refused unread.
    """
    try:
        with open(path, "rb") as stream:
            data = stream.read(MANIFEST_LIMIT + 1)
    except OSError as exc:
        raise ReleaseError(f"cannot read {where}: {exc.strerror or exc}") from None
    if len(data) > MANIFEST_LIMIT:
        raise ReleaseError(f"{where} is larger than {MANIFEST_LIMIT} bytes: not a release manifest")
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        raise ReleaseError(f"{where} is not valid JSON (cut short, or not a release?)") from None
    files_ = doc.get("files") if isinstance(doc, dict) else None
    if not isinstance(files_, list):
        raise ReleaseError(f"{where} is not an expo-data release manifest")
    for key in ("name", "version"):
        if not isinstance(doc.get(key), str) or not doc[key]:
            raise ReleaseError(f"{where} has no {key} string: not an expo-data release manifest")
    if version is not None and doc["version"] != version:
        raise ReleaseError(
            f"{where} is the manifest of release {doc['version']!r}, not {version!r}"
        )
    seen = set()
    for entry in files_:
        if not _is_entry(entry) or entry["name"] in seen:
            raise ReleaseError(f"{where} lists a malformed file entry: {_short(entry)}")
        seen.add(entry["name"])
    return doc


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_entry(entry: object) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("name"), str)
        and bool(SAFE_NAME.fullmatch(entry["name"]))
        and entry["name"] not in (MANIFEST, SUMS)
        and _is_count(entry.get("bytes"))
        and ("rows" not in entry or _is_count(entry["rows"]))
        and isinstance(entry.get("sha256"), str)
        and bool(SHA256_HEX.fullmatch(entry["sha256"]))
    )


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


@cache
def _known() -> dict[str, dict[str, str]]:
    text = files(__package__).joinpath(KNOWN_RELEASES).read_text(encoding="utf-8")
    return json.loads(text)


def known_manifest_sha256(name: str, version: str) -> str | None:
    """The manifest sha256 this wheel ships for release `version` of package `name`, if any."""
    return _known().get(name, {}).get(version)
