"""A resource's bytes: local or trusted remote files, parts joined, decompressed with bounds."""

from __future__ import annotations

import io
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, BinaryIO

from ..errors import DataError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..model.descriptor import Resource

#: bytes read at a time
CHUNK = 1 << 20
#: a compressed file may expand to this many times its size (never less than the floor below)
MAX_EXPANSION = 100
#: …and to this many bytes whatever its size: beyond both it is refused as a bomb
EXPANSION_FLOOR = 64 << 20
#: the compressions read (the declared `compression`, else the path's suffix)
COMPRESSIONS = ("gz", "zip")


def compression(resource: Resource, location: Path | str | None = None) -> str:
    """ "gz", "zip" or "" (none): as declared, else as the path's suffix says (as frictionless)."""
    if resource.compression:
        return resource.compression.lower().removeprefix(".")
    path = str(resource.path if location is None else location).lower().split("?", 1)[0]
    return next((kind for kind in COMPRESSIONS if path.endswith("." + kind)), "")


def is_plain(resource: Resource) -> bool:
    """Whether the resource is one uncompressed local file (readable by mapping it)."""
    return (
        resource.data is None
        and len(resource.files) == 1
        and not resource.is_remote
        and not compression(resource)
    )


def open_file(location: Path | str, name: str) -> BinaryIO:
    """One file's raw bytes: a local file opened, a trusted URL fetched (bounded)."""
    if isinstance(location, str):
        from ..model.transfer import read_url

        return io.BytesIO(read_url(location, what=f"resource file {name!r}"))
    try:
        return open(location, "rb")
    except FileNotFoundError:
        raise DataError("file not found", path=name) from None
    except OSError as exc:
        raise DataError(f"cannot read: {exc.strerror or exc}", path=name) from None


def open_part(resource: Resource, location: Path | str) -> BinaryIO:
    """One file of the resource, decompressed as a stream with its expansion bounded."""
    name = _name(resource, location)
    kind = compression(resource, location)
    raw = open_file(location, name)
    if not kind:
        return raw
    size = _size(raw)
    limit = max(EXPANSION_FLOOR, MAX_EXPANSION * size)
    if kind == "gz":
        import gzip

        return Bounded(gzip.GzipFile(fileobj=raw, mode="rb"), limit, name)
    if kind == "zip":
        import zipfile

        try:
            archive = zipfile.ZipFile(raw)
        except (zipfile.BadZipFile, OSError) as exc:
            raise DataError(f"cannot read it as a zip archive: {exc}", path=name) from None
        members = [i for i in archive.infolist() if not i.is_dir()]
        if len(members) != 1:
            raise DataError(
                f"a zip resource must hold exactly one file, it holds {len(members)}", path=name
            )
        return Bounded(archive.open(members[0]), limit, name)
    raise DataError(f"compression {kind!r} is not supported ({', '.join(COMPRESSIONS)})", path=name)


def open_bytes(resource: Resource) -> BinaryIO:
    """The resource's data bytes as one stream: its files in order, each decompressed.

    A `path` array is joined as frictionless joins it: a CSV's later parts lose their first
    line (each part repeats the header) unless the dialect says there is no header.
    """
    files = resource.files
    if not files:
        raise DataError("has inline data, not a file", path=resource.name)
    if len(files) == 1:
        return open_part(resource, files[0])
    for location in files:  # a missing part fails here, before any reader has started
        if not isinstance(location, str) and not Path(location).is_file():
            raise DataError("file not found", path=_name(resource, location))
    skip = resource.format == "csv" and resource.dialect.get("header", True) is not False
    return io.BufferedReader(_Joined(_joined(resource, files, skip)), CHUNK)


def uncommented(stream: BinaryIO, comment: bytes) -> BinaryIO:
    """`stream` without the lines that start with `comment` (a dialect's `commentChar`)."""
    return io.BufferedReader(_Joined(_uncommented(stream, comment)), CHUNK)


def _uncommented(stream: BinaryIO, comment: bytes) -> Iterator[bytes]:
    with stream:
        for line in stream:
            if not line.startswith(comment):
                yield line


def tap(stream: BinaryIO, seen: object) -> BinaryIO:
    """`stream`, showing every chunk read to `seen(chunk)` (hashing, strict byte checks)."""
    return io.BufferedReader(_Joined(_tapped(stream, seen)), CHUNK)


def _tapped(stream: BinaryIO, seen: object) -> Iterator[bytes]:
    with stream:
        while chunk := stream.read(CHUNK):
            seen(chunk)  # type: ignore[operator]
            yield chunk


def _joined(resource: Resource, files: tuple, skip_header: bool) -> Iterator[bytes]:
    for number, location in enumerate(files):
        with open_part(resource, location) as part:
            dropping = skip_header and number > 0
            while chunk := part.read(CHUNK):
                if dropping:
                    end = chunk.find(b"\n")
                    if end < 0:
                        continue
                    chunk, dropping = chunk[end + 1 :], False
                yield chunk


def _name(resource: Resource, location: Path | str) -> str:
    """The file as the descriptor names it (a part's own path for a resource in parts)."""
    if resource.parts and isinstance(resource.descriptor.get("path"), list):
        index = resource.parts.index(location)
        return str(resource.descriptor["path"][index])
    return str(resource.path) or str(PurePosixPath(str(location)).name)


def _size(raw: BinaryIO) -> int:
    try:
        end = raw.seek(0, io.SEEK_END)
        raw.seek(0)
        return end
    except OSError:
        return 0


class _Joined(io.RawIOBase):
    """A readable raw stream over an iterator of byte chunks."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks, self._pending = chunks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            self._pending = next(self._chunks, b"")
            if not self._pending:
                return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n], self._pending = self._pending[:n], self._pending[n:]
        return n


class Bounded(io.RawIOBase):
    """A decompressing stream that refuses to give more than `limit` bytes (a bomb)."""

    def __init__(self, inner: BinaryIO, limit: int, name: str):
        self._inner, self.limit, self.name, self.size = inner, limit, name, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            data = self._inner.read(len(buffer))
        except (OSError, EOFError, ValueError) as exc:
            raise DataError(f"cannot decompress it: {exc}", path=self.name) from None
        self.size += len(data)
        if self.size > self.limit:
            raise DataError(
                f"decompresses to more than {self.limit} bytes (over {MAX_EXPANSION} times its "
                "size): refused as a compression bomb",
                path=self.name,
            )
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()
