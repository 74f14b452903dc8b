"""Checks on a resource's files as bytes: non-tabular resources' size and hash, readable archives."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from ..errors import DataError
from ..sources.stream import CHUNK, compression, open_file
from . import catalogue as c
from .catalogue import finding

if TYPE_CHECKING:
    from ..model.descriptor import Resource
    from .report import Finding


def file_findings(resource: Resource) -> list[Finding]:
    """A non-tabular resource's findings: files missing, declared `bytes` or `hash` not met."""
    declared = resource.descriptor.get("hash")
    algorithm, expected = "", ""
    if isinstance(declared, str):
        algorithm, _, expected = declared.rpartition(":")
        algorithm = algorithm or "md5"
    hasher = hashlib.new(algorithm) if algorithm in ("md5", "sha1", "sha256", "sha512") else None
    size = 0
    try:
        for location in resource.files:
            with open_file(location, resource.path) as stream:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if hasher is not None:
                        hasher.update(chunk)
    except DataError as exc:
        return [_finding(c.SCHEME_ERROR, resource, str(exc))]
    out = []
    if hasher is not None and hasher.hexdigest() != expected:
        note = f'expected is "{expected}" and actual is "{hasher.hexdigest()}"'
        out.append(_finding(c.HASH_COUNT, resource, note))
    declared_size = resource.descriptor.get("bytes")
    if declared_size and declared_size != size:
        out.append(
            _finding(
                c.BYTE_COUNT, resource, f'expected is "{declared_size}" and actual is "{size}"'
            )
        )
    return out


def archive_findings(resource: Resource) -> list[Finding]:
    """A compressed resource that cannot be read whole: a zip of several files, a bomb, corruption.

    Read once, decompressed, before any engine: an engine then reads only what loads.
    """
    from ..sources.stream import open_bytes

    if not any(compression(resource, location) for location in resource.files):
        return []
    try:
        with open_bytes(resource) as stream:
            while stream.read(CHUNK):
                pass
    except DataError as exc:
        return [_finding(c.SOURCE_ERROR, resource, str(exc))]
    return []


def _finding(code: str, resource: Resource, note: str) -> Finding:
    """A finding about a whole resource, worded as frictionless words it."""
    return finding(code, resource.name, path=resource.path, note=note)
