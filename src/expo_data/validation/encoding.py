"""Whether a file's bytes are in its declared encoding, checked chunk by chunk.

UTF-8 is checked by Arrow's validator (about six times faster than Python's decoder); a chunk
it rejects, and every other encoding, goes through Python's incremental decoder, which says
where the first bad byte is.
"""

from __future__ import annotations

import codecs

import numpy as np
import pyarrow as pa


class Decoder:
    """Feeds a file's chunks in order; `error` is the first bad byte's (offset, byte), or None."""

    def __init__(self, encoding: str) -> None:
        self.python = python_encoding(encoding)
        self.utf8 = codecs.lookup(self.python).name in ("utf-8", "utf-8-sig")
        self.decoder = codecs.getincrementaldecoder(self.python)()
        self.done = 0  # bytes fed before the carry
        self.carry = b""  # a character cut by the chunk's end (UTF-8 only)
        self.error: tuple[int, bytes] | None = None

    def feed(self, chunk: bytes, *, final: bool = False) -> None:
        if self.error is not None:
            return
        if not self.utf8:
            self._python(chunk, final=final)
            self.done += len(chunk)
            return
        data = self.carry + chunk
        cut = len(data) if final else _complete(data)
        if _valid_utf8(data[:cut]):
            self.done += cut
            self.carry = data[cut:]
            return
        self.decoder = codecs.getincrementaldecoder("utf-8")()  # from the carry's first byte
        self._python(data, final=final)
        self.done += len(data)
        self.carry = b""

    def _python(self, chunk: bytes, *, final: bool) -> None:
        try:
            self.decoder.decode(chunk, final=final)
        except UnicodeDecodeError as exc:
            pending = len(self.decoder.getstate()[0])
            offset = self.done + exc.start - pending
            self.error = (offset, exc.object[exc.start : exc.start + 1])


def _complete(data: bytes) -> int:
    """The length of `data` without a UTF-8 character its end cuts short."""
    end = len(data)
    for back in range(1, min(4, end) + 1):
        byte = data[end - back]
        if byte < 0x80:  # ASCII: nothing cut
            return end
        if byte >= 0xC0:  # the last character's lead byte
            needed = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return end - back if back < needed else end
    return end  # only continuation bytes: invalid either way, the validator says so


def _valid_utf8(data: bytes) -> bool:
    if data.isascii():
        return True
    offsets = pa.py_buffer(np.array([0, len(data)], np.int64))
    cells = pa.Array.from_buffers(pa.large_utf8(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        cells.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def python_encoding(encoding: str) -> str:
    """The Python codec of a declared encoding (UTF-8 with its optional BOM)."""
    normal = encoding.lower().replace("_", "-")
    return "utf-8-sig" if normal in ("utf-8", "utf8") else encoding
