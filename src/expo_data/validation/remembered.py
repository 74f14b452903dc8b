"""frictionless' descriptor findings, remembered on disk under a digest of all they depend on.

Checking a descriptor with frictionless costs its import and its JSON Schema checks (about
0.4 s of CPU) on every run, yet the findings depend only on what the check is given (the
descriptor, the schemas as frictionless reads them, the package's folder, `trusted`), the
versions of Python and frictionless, and expo-data's own validation code and profiles. They
are kept as JSON under the cache folder (`model.cachedir`), named by a SHA-256 of all of
these, so a run with the same inputs reads them back instead. Nothing is remembered where
the answer could depend on something else: a declared `profile` read from a file or URL, a
frictionless plugin (`frictionless_*` modules, which may change what frictionless reports),
or inputs that are not plain JSON. A cache that cannot be read or written is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sys
from collections.abc import Callable
from contextlib import suppress
from functools import cache
from pathlib import Path
from typing import Any

from .report import Finding

#: the cache's subfolder, and the format of its files (bumped when the format changes)
FOLDER, FORMAT = "descriptor-checks", 1
#: the most files kept: past it, the least recently used go
LIMIT = 256


def remembered(inputs: Any, check: Callable[[], list[Finding]]) -> list[Finding]:
    """`check()`'s findings, read back from the cache where the same `inputs` were checked."""
    key = _key(inputs)
    if key is None:
        return check()
    from ..model.cachedir import cache_root

    path = cache_root() / FOLDER / f"{key}.json"
    found = _read(path)
    if found is None:
        found = check()
        _write(path, found)
        prune(path.parent)
    return found


def _key(inputs: Any) -> str | None:
    """The digest naming the findings of `inputs`; None where they are not to be remembered."""
    versions = _versions()
    if versions is None or _plugins():
        return None
    try:
        text = json.dumps(
            [FORMAT, versions, _code(), inputs],
            sort_keys=True,
            ensure_ascii=False,
            allow_nan=False,
        )
    except (TypeError, ValueError):  # not plain JSON (a YAML date…): its type would be lost
        return None
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@cache
def _plugins() -> tuple[str, ...]:
    """The `frictionless_*` modules frictionless would load as plugins."""
    import pkgutil

    return tuple(m.name for m in pkgutil.iter_modules() if m.name.startswith("frictionless_"))


@cache
def _versions() -> list[str] | None:
    """Python's version and frictionless' install (its dist-info names: the version, without
    importlib.metadata's cost), None where frictionless' install cannot be told."""
    from importlib.util import find_spec

    spec = find_spec("frictionless")
    if spec is None or spec.origin is None:
        return None
    where = Path(spec.origin).resolve().parent
    installs = sorted(p.name for p in where.parent.glob("frictionless-*.dist-info"))
    return [sys.version, str(where), *installs] if installs else None


@cache
def _code() -> str:
    """A digest of expo-data's validation code and shipped profiles (a change forgets all)."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted([*here.rglob("*.py"), *here.rglob("*.json")]):
        digest.update(path.relative_to(here).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _read(path: Path) -> list[Finding] | None:
    try:
        rows = json.loads(path.read_text("utf-8"))
        if not isinstance(rows, list):
            return None
        found = [Finding(**row) for row in rows]
        if not all(map(_sound, found)):
            return None
        os.utime(path)  # recently used: pruned last
        return found
    except (OSError, ValueError, TypeError):  # absent, unreadable or not ours: check again
        return None


def _sound(f: Finding) -> bool:
    """Whether a finding read back has the types a check makes."""
    texts = (f.code, f.resource, f.field, f.message, f.path, f.constraint)
    row_ok = f.row is None or (isinstance(f.row, int) and not isinstance(f.row, bool))
    return row_ok and all(isinstance(t, str) for t in texts)


def _write(path: Path, findings: list[Finding]) -> None:
    """Write the findings atomically (a reader sees all of them or none); errors are ignored."""
    rows = [{**f.__dict__} for f in findings]
    part = path.with_name(f".{path.name}.{secrets.token_hex(8)}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part.write_text(json.dumps(rows, ensure_ascii=False), "utf-8")
        os.replace(part, path)
    except OSError:
        with suppress(OSError):
            part.unlink(missing_ok=True)


def prune(folder: Path, limit: int = LIMIT) -> None:
    """Remove the least recently used files past `limit` (errors are ignored)."""
    with suppress(OSError):
        entries = sorted(os.scandir(folder), key=lambda e: e.stat().st_mtime_ns)
        for entry in entries[: max(len(entries) - limit, 0)]:
            with suppress(OSError):
                os.unlink(entry.path)
