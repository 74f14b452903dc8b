"""Which cells of a string column could fail a text check, read from its bytes alone.

The profile's text checks (checks.text_hits) run their exact Arrow kernels only on the cells
found here; a cell not found here passes them. The sets are conservative: a cell found
here may still pass (it only costs a kernel call), a failing cell is always found.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..read.buffers import to_bools

#: lead bytes of U+4000-U+9FFF (CJK ideographs): always NFC, never whitespace, never in Cf
CJK_LEADS = range(0xE4, 0xEA)
#: bytes scanned at a time for the characters of `CellBytes.inner`
CHUNK = 1 << 18


def _in(values: np.ndarray, r: range) -> np.ndarray:
    """Whether each byte is in `r` (one subtraction and one comparison, wrapping as uint8)."""
    return (values - np.uint8(r.start)) < np.uint8(len(r))


def _edge(values: np.ndarray) -> np.ndarray:
    """Whether each byte may start a whitespace character: not printable ASCII, not a CJK lead.

    Whitespace is what Arrow's utf8_trim_whitespace trims (Python's str.isspace): ASCII
    09-0D, 1C-20, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F and
    U+3000. Every other control, DEL and non-ASCII byte stays a suspect (continuation bytes
    too: they start nothing in valid UTF-8).
    """
    return ~_in(values, range(0x21, 0x7F)) & ~_in(values, CJK_LEADS)


class CellBytes:
    """A string column's cells as byte ranges of its data buffer (numpy views, no copy)."""

    def __init__(self, column: pa.Array) -> None:
        self.size = size = len(column)
        large = pa.types.is_large_string(column.type) or pa.types.is_large_binary(column.type)
        offsets_buffer, data_buffer = column.buffers()[1:3]
        if offsets_buffer is None or size == 0:
            offsets = np.zeros(size + 1, np.int64)
        else:
            offsets = np.frombuffer(offsets_buffer, np.int64 if large else np.int32)
            offsets = offsets[column.offset : column.offset + size + 1]
        data = np.frombuffer(data_buffer, np.uint8) if data_buffer is not None else None
        self.offsets = offsets
        self.data = data if data is not None and len(data) else np.zeros(1, np.uint8)
        self.starts, self.ends = offsets[:-1], offsets[1:]
        #: cells with bytes to check: valid and non-empty
        self.present = self.ends > self.starts
        if column.null_count:
            self.present &= to_bools(pc.is_valid(column))
        #: each cell's first byte (meaningless where not present)
        self.first = self.data.take(self.starts, mode="clip")

    def edges(self) -> np.ndarray:
        """Positions of the cells whose first or last character could be whitespace.

        The last character is read from the cell's last byte, and where that is not ASCII,
        from the byte two before it: a CJK lead there (E4-E9) begins the last character.
        """
        last = self.data.take(self.ends - 1, mode="clip")
        third = self.data.take(self.ends - 3, mode="clip")
        cjk_last = _in(third, CJK_LEADS) & (last >= 0x80) & (self.ends - self.starts >= 3)
        suspect = _edge(self.first) | (_edge(last) & ~cjk_last)
        return np.flatnonzero(suspect & self.present)

    def starting(self, prefixes: str) -> np.ndarray | None:
        """Whether each cell starts with one of `prefixes` (single characters), from its first
        byte; None where a prefix is not a single ASCII byte (the caller asks Arrow)."""
        wanted = [p.encode("utf-8") for p in prefixes]
        if any(len(p) != 1 or p[0] >= 0x80 for p in wanted):
            return None
        table = np.zeros(256, bool)
        table[[p[0] for p in wanted]] = True
        return table.take(self.first) & self.present

    def inner(self) -> np.ndarray:
        """Cells holding a character that may not be NFC or may be a format character.

        ASCII and the CJK ideographs U+4000-U+9FFF (lead bytes E4-E9) are always NFC and
        never in category Cf; any other multi-byte character (U+00AD's lead byte C2
        included) makes its cell a suspect.
        """
        low, high = int(self.offsets[0]), int(self.offsets[-1])
        if high == low or self.data[low:high].max() < 0xC0:  # ASCII (and continuation bytes)
            return np.array([], np.int64)
        found = []
        for at in range(low, high, CHUNK):  # in chunks: the temporaries stay in the cache
            data = self.data[at : min(at + CHUNK, high)]
            lead = _in(data, range(0xC0, CJK_LEADS.start)) | (data >= CJK_LEADS.stop)
            if lead.any():
                found.append(np.flatnonzero(lead) + at)
        if not found:
            return np.array([], np.int64)
        cells = np.searchsorted(self.offsets, np.concatenate(found), side="right") - 1
        return np.unique(cells)
