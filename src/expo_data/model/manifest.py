"""Release manifests: the file names, sizes and sha256 sums that make a release verifiable."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..errors import ReleaseError

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
#: a release version or file name: one plain path segment, safe in URLs and file systems
SAFE_NAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z._+-]*")


def check_name(name: str, what: str) -> str:
    """`name` if it is one safe path segment; ReleaseError otherwise."""
    if not isinstance(name, str) or not SAFE_NAME.fullmatch(name):
        raise ReleaseError(f"invalid {what} {name!r}: use letters, digits and . _ + -")
    return name


def sha256(path: Path) -> str:
    """Hex sha256 of a file."""
    import pooch

    return pooch.file_hash(str(path), alg="sha256")


def sha256sums(hashes: dict[str, str]) -> str:
    """`sha256sum -c` input for {file name: hex sha256}, sorted by name."""
    return "".join(f"{digest}  {name}\n" for name, digest in sorted(hashes.items()))


def parse_manifest(path: Path, version: str | None, where: str) -> dict[str, Any]:
    """The manifest at `path`, checked: release `version` (None: any), well-formed entries."""
    try:
        doc = json.loads(path.read_bytes())
    except ValueError:
        raise ReleaseError(f"{where} is not valid JSON (cut short, or not a release?)") from None
    files = doc.get("files") if isinstance(doc, dict) else None
    if not isinstance(files, list):
        raise ReleaseError(f"{where} is not an expo-data release manifest")
    if version is not None and doc.get("version") != version:
        raise ReleaseError(
            f"{where} is the manifest of release {doc.get('version')!r}, not {version!r}"
        )
    for entry in files:
        if not _is_entry(entry):
            raise ReleaseError(f"{where} lists a malformed file entry: {entry!r}")
    return doc


def _is_entry(entry: object) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("name"), str)
        and bool(SAFE_NAME.fullmatch(entry["name"]))
        and entry["name"] not in (MANIFEST, SUMS)
        and isinstance(entry.get("bytes"), int)
        and isinstance(entry.get("sha256"), str)
        and bool(re.fullmatch(r"[0-9a-f]{64}", entry["sha256"]))
    )
