"""The folder a release is built into: what may be replaced, one build at a time, crash-safe swaps.

Beside `out` a build keeps, all hidden and named after it: `.<out>.lock` (the lock: the
builder's pid and host), `.<out>.<hex>.tmp` (the release being written) and, only while
`--force` swaps releases, `.<out>.old-<hex>` (the previous release). Whatever a killed build
leaves is recovered by the next build into the same `out`: a previous release whose
replacement never arrived is put back, anything else is deleted.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import ReleaseError
from ..model.manifest import MANIFEST, SUMS, parse_manifest

#: names of foreign files listed in a refusal
SHOWN = 5


def folder(out: str | Path) -> Path:
    """The folder a build into `out` replaces: `out` made absolute, where a symlink leads.

    A symlinked `out` stays a symlink: the release is swapped in beside its target, so no
    renamed link is left behind.
    """
    path = Path(out).absolute()
    return path.resolve() if path.is_symlink() else path


def _sibling(out: Path, suffix: str) -> Path:
    return out.with_name(f".{out.name}{suffix}")


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold the lock on `out` (fail at once if another live build holds it); recover first."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReleaseError(f"cannot create {out.parent}: {exc.strerror or exc}") from None
    lock = _sibling(out, ".lock")
    _acquire(lock, out)
    try:
        recover(out)
        yield
    finally:
        lock.unlink(missing_ok=True)


def _acquire(lock: Path, out: Path) -> None:
    owner = f"{os.getpid()} {socket.gethostname()}\n"
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            holder = _holder(lock)
            if holder is not None:
                raise ReleaseError(
                    f"another build into {out} is running ({holder}; lock {lock}); wait for it "
                    f"to finish, or delete {lock} if no build is running"
                ) from None
            lock.unlink(missing_ok=True)  # its builder is gone: a stale lock
            continue
        except OSError as exc:
            raise ReleaseError(f"cannot create {lock}: {exc.strerror or exc}") from None
        with os.fdopen(fd, "w") as stream:
            stream.write(owner)
        return
    raise ReleaseError(f"cannot take the lock {lock}: another build took it meanwhile")


def _holder(lock: Path) -> str | None:
    """Who holds `lock` ("pid N on HOST"), or None when its process is gone from this host."""
    try:
        pid_text, _, host = lock.read_text(encoding="utf-8").strip().partition(" ")
        pid = int(pid_text)
    except (OSError, ValueError):
        return "a build that is starting"  # being written right now, or unreadable
    if host != socket.gethostname():
        return f"pid {pid} on {host}"
    if os.name == "nt":  # os.kill would terminate it: take it as alive
        return f"pid {pid}"
    try:
        os.kill(pid, 0)
    except OSError as exc:
        if exc.errno == errno.ESRCH:
            return None
    return f"pid {pid}"


def recover(out: Path) -> None:
    """Undo what a killed build left beside `out` (hold the lock)."""
    name = re.escape(out.name)
    olds = sorted(out.parent.glob(f".{out.name}.old-*"))
    for old in olds:
        if not re.fullmatch(rf"\.{name}\.old-[0-9a-f]{{8}}", old.name):
            continue
        if not out.exists():
            os.rename(old, out)  # the swap was cut between its two renames: put it back
        else:
            _remove(old)
    for tmp in out.parent.glob(f".{out.name}.*.tmp"):
        if re.fullmatch(rf"\.{name}\.[0-9a-f]{{8}}\.tmp", tmp.name):
            _remove(tmp)


def _remove(path: Path) -> None:
    """Delete a folder this module left, or a symlink in its place (never what it leads to)."""
    if path.is_symlink():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


def check(out: Path, *, force: bool) -> None:
    """Refuse an `out` that is not a folder, or not empty unless `force` and a release."""
    if out.exists() and not out.is_dir():
        raise ReleaseError(f"{out} exists and is not a folder")
    if not out.is_dir() or not any(out.iterdir()):
        return
    if not force:
        raise ReleaseError(f"{out} is not empty; pass force=True to replace the release there")
    try:
        manifest = parse_manifest(out / MANIFEST, None, str(out / MANIFEST))
    except ReleaseError as exc:
        raise ReleaseError(
            f"{out} is not empty and holds no expo-data release ({exc}); refusing to replace it"
        ) from None
    allowed = {entry["name"] for entry in manifest["files"]} | {MANIFEST, SUMS}
    foreign = sorted(
        p.name for p in out.iterdir() if p.name not in allowed or p.is_symlink() or not p.is_file()
    )
    if foreign:
        more = f" and {len(foreign) - SHOWN} more" if len(foreign) > SHOWN else ""
        raise ReleaseError(
            f"{out} holds files that are not part of the release its {MANIFEST} lists "
            f"({', '.join(foreign[:SHOWN])}{more}); refusing to replace it"
        )


def scratch(out: Path) -> Path:
    """A new hidden folder beside `out` to write the release in."""
    tmp = _sibling(out, f".{secrets.token_hex(4)}.tmp")
    tmp.mkdir()
    return tmp


def publish(tmp: Path, out: Path) -> None:
    """Move the finished release to `out`, replacing what is there.

    At every instant either `out` or `.<out>.old-<hex>` holds the previous release; a build
    killed between the two renames is undone by `recover`.
    """
    if not out.exists():
        os.rename(tmp, out)
        return
    old = _sibling(out, f".old-{secrets.token_hex(4)}")
    os.rename(out, old)
    try:
        os.rename(tmp, out)
    except OSError:
        os.rename(old, out)
        raise
    _remove(old)
