"""Copying one published file into a local file: bounded in size and time, over HTTP or from a folder."""

from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlparse

from ..errors import ReleaseError

#: HTTP (connect, read) timeouts in seconds: each wait for the server is at most this long
TIMEOUT = (10, 60)
#: bytes read at a time
CHUNK = 1 << 16


class Missing(Exception):
    """The file is not at the release location (HTTP 404, no such file)."""


class Transient(Exception):
    """A failure worth another try: server error, timeout, broken or cut-short transfer."""


def disk_error(path: Path, exc: OSError, doing: str = "write") -> ReleaseError:
    """A ReleaseError naming the local file and the OS's cause (no space, read-only…)."""
    cause = exc.strerror or str(exc)
    errno = f" [errno {exc.errno}]" if exc.errno and f"errno {exc.errno}]" not in cause else ""
    fix = "; free some space and try again" if exc.errno == 28 else ""  # ENOSPC
    return ReleaseError(f"cannot {doing} {path}: {cause}{errno}{fix}")


class Sink:
    """A new local file that takes at most `limit` bytes before `deadline` (monotonic)."""

    def __init__(self, tmp: Path, target: Path, source: str, limit: int, deadline: float):
        self.target, self.source, self.limit, self.deadline = target, source, limit, deadline
        self.seconds = max(0.0, deadline - time.monotonic())
        self.size = 0
        try:
            self._stream: BinaryIO = open(tmp, "xb")  # noqa: SIM115 (closed by close())
        except OSError as exc:
            raise disk_error(target, exc) from None

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise ReleaseError(
                f"{self.source} sends more than the {self.limit} bytes its release manifest "
                "declares; stopped reading and deleted what arrived"
            )
        try:
            self._stream.write(chunk)
        except OSError as exc:
            raise disk_error(self.target, exc) from None
        if time.monotonic() > self.deadline:
            raise ReleaseError(
                f"fetching {self.source} took longer than its deadline of {self.seconds:.0f} s "
                f"(deadline=); stopped after {self.size} bytes and deleted them"
            )

    def close(self) -> None:
        try:
            self._stream.close()
        except OSError as exc:
            raise disk_error(self.target, exc) from None


def copy_file(source: Path, sink: Sink) -> None:
    """Copy a published file from a folder; only a regular file is read."""
    try:
        info = source.stat()
    except FileNotFoundError:
        raise Missing from None
    except OSError as exc:
        raise ReleaseError(f"cannot read {source}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise ReleaseError(f"cannot read {source}: not a regular file")
    try:
        with open(source, "rb") as stream:
            while chunk := stream.read(CHUNK):
                sink.write(chunk)
    except OSError as exc:
        raise ReleaseError(f"cannot read {source}: {exc.strerror or exc}") from None


def http_get(url: str, sink: Sink, *, progress: object = None) -> None:
    """Stream `url` into `sink`; HTTP and network failures become Missing, Transient or ReleaseError.

    `progress` is a bar with `total`, `update(n)` (see progress.ProgressBar).
    """
    import requests
    import urllib3

    try:
        with requests.get(
            url, stream=True, timeout=TIMEOUT, headers={"Accept-Encoding": "identity"}
        ) as response:
            status = response.status_code
            if status in (404, 410):
                raise Missing
            if status >= 500 or status == 429:
                raise Transient(f"server error {status} fetching {url}")
            if status >= 400:
                raise ReleaseError(f"HTTP error {status} fetching {url}")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > sink.limit:
                raise ReleaseError(
                    f"{url} announces {declared} bytes, more than the {sink.limit} its release "
                    "manifest declares; not downloaded"
                )
            if progress is not None:
                progress.total = int(declared) if declared.isdigit() else sink.limit
            # read1 returns what has arrived (at most CHUNK), so the size and the deadline
            # are checked after every read of the socket, however slowly it drips
            while chunk := response.raw.read1(CHUNK, decode_content=True):
                sink.write(chunk)
                if progress is not None:
                    progress.update(len(chunk))
    except (requests.Timeout, urllib3.exceptions.TimeoutError):
        raise Transient(f"timed out fetching {url}") from None
    except (requests.exceptions.ChunkedEncodingError, urllib3.exceptions.ProtocolError):
        raise Transient(
            f"transfer of {url} was cut short (the connection closed before the whole file arrived)"
        ) from None
    except requests.ConnectionError as exc:
        raise Transient(
            f"cannot connect to {urlparse(url).netloc} ({_reason(exc)}); check the network, "
            "or use offline mode with a filled cache"
        ) from None
    except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
        raise ReleaseError(f"cannot fetch {url}: {exc}") from None


def _reason(exc: Exception) -> str:
    """The OS-level cause inside a requests connection error, e.g. 'Connection refused'."""
    found = re.search(r"\[Errno -?\d+\] ([^'\"()]+)", str(exc))
    return found.group(1).strip() if found else type(exc).__name__


def remove(path: Path) -> None:
    """Delete a file if it is there; a failure is a ReleaseError naming it."""
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise disk_error(path, exc, "delete") from None


def replace_file(tmp: Path, target: Path) -> None:
    try:
        os.replace(tmp, target)
    except OSError as exc:
        raise disk_error(target, exc) from None
