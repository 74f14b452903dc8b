"""Which cells of a string column could fail a text check, read from its bytes alone.

The profile's text checks (checks.text_hits) run their exact Arrow kernels only on the cells
found here; a cell not found here passes them. The sets are conservative: a cell found
here may still pass (it only costs a kernel call), a failing cell is always found. Arrow's
string type holds valid UTF-8, so a character's first byte says how long it is.

Most columns have no suspect at all, and that is decided from their bytes as a whole (a few
reductions, no copy) before anything is read cell by cell: ASCII bytes above the space
start no whitespace and are NFC without format characters, and so are the CJK ideographs.
"""

from __future__ import annotations

import numpy as np

from ..read.buffers import StringBytes, distinct, valid_at

#: lead bytes of U+4000-U+9FFF (CJK ideographs): always NFC, never whitespace, never in Cf
CJK_LEADS = range(0xE4, 0xEA)
#: the first byte of a multi-byte character
FIRST_LEAD = 0xC0
#: added to every byte (wrapping), it maps the CJK leads to 0-5 and the other leads below
#: them (C0-E3) above every other byte: a column's largest shifted byte says if it has any
SHIFT = 0x100 - CJK_LEADS.start
#: bytes scanned at a time by `CellBytes.inner` (the temporaries stay in the cache)
CHUNK = 1 << 18
#: a column of at most this many bytes a cell has its smallest byte read, a pass over its
#: bytes cheaper than reading every cell's first and last bytes (often it needs neither)
SCAN_PER_CELL = 64
#: the largest ASCII byte that may be whitespace (space; 09-0D and 1C-1F are below it)
SPACE = 0x20
#: lead bytes of the non-ASCII whitespace: C2 (U+0085, U+00A0), E1 (U+1680), E2 (U+2000-
#: U+200A, U+2028, U+2029, U+202F, U+205F), E3 (U+3000); none is longer than three bytes
WHITESPACE_LEADS = (0xC2, range(0xE1, 0xE4))
NOTHING = np.zeros(0, np.int64)


class CellBytes(StringBytes):
    """A string column's cells as byte ranges, with the text checks' byte questions."""

    def present(self, at: np.ndarray) -> np.ndarray:
        """The positions among `at` of the cells with bytes to check: valid and non-empty."""
        at = at[self.ends[at] > self.starts[at]]
        return at[valid_at(self.column, at)] if self.column.null_count else at

    def edges(self, inner: np.ndarray | None = None) -> np.ndarray:
        """Positions of the cells whose first or last character could be whitespace.

        ASCII whitespace is a byte up to the space at the cell's either end. Other whitespace
        has its lead byte where it would be read: first, or two or three bytes from the end
        (a byte of a cell before, where the cell is shorter: a suspect more). Given `inner`
        (what `inner()` found), only those cells can hold one, and only their bytes are read.
        """
        if not len(self.span):
            return NOTHING
        short = len(self.span) <= SCAN_PER_CELL * self.size
        if short and self.span.min() > SPACE:
            ascii = NOTHING
        else:
            ascii = np.flatnonzero((self.first() <= SPACE) | (self.byte(self.ends - 1) <= SPACE))
        if inner is not None:
            other = inner[self._whitespace_leads(inner)] if len(inner) else NOTHING
        elif short and self.span.max() < FIRST_LEAD:
            other = NOTHING
        else:
            other = np.flatnonzero(self._whitespace_leads())
        return self.present(distinct(np.concatenate((ascii, other))) if len(other) else ascii)

    def _whitespace_leads(self, at: np.ndarray | None = None) -> np.ndarray:
        """Whether each cell (or each cell at `at`) has a whitespace lead byte where its first
        or last character would begin."""
        starts, ends = (self.starts, self.ends) if at is None else (self.starts[at], self.ends[at])
        first = self.first() if at is None else self.byte(starts)
        two, three = WHITESPACE_LEADS
        lead = (first == two) | _in(first, three) | (self.byte(ends - 2) == two)
        return lead | _in(self.byte(ends - 3), three)

    def starting(self, prefixes: str) -> np.ndarray | None:
        """Positions of the cells starting with one of `prefixes` (single characters), from
        their first byte; None where a prefix is not a single ASCII byte (the caller asks Arrow)."""
        wanted = [p.encode("utf-8") for p in prefixes]
        if any(len(p) != 1 or p[0] >= 0x80 for p in wanted):
            return None
        first = self.first()
        if not wanted or not _in(first, range(min(wanted)[0], max(wanted)[0] + 1)).any():
            return NOTHING  # no first byte in the prefixes' range (one comparison)
        hit = first == wanted[0][0]
        for p in wanted[1:]:
            hit |= first == p[0]
        return self.present(np.flatnonzero(hit))

    def inner(self) -> np.ndarray:
        """Cells holding a character that may not be NFC or may be a format character.

        ASCII and the CJK ideographs U+4000-U+9FFF (lead bytes E4-E9) are always NFC and
        never in category Cf; any other multi-byte character (U+00AD's lead byte C2
        included) makes its cell a suspect. A stretch of bytes has none where its largest
        byte is below the CJK leads' end and, shifted by `SHIFT`, below the shifted C0.
        """
        found = []
        shifted = np.empty(min(CHUNK, len(self.span)), np.uint8)
        for at in range(0, len(self.span), CHUNK):
            chunk = self.span[at : at + CHUNK]
            top = chunk.max()
            if top < FIRST_LEAD:  # ASCII
                continue
            moved = np.add(chunk, np.uint8(SHIFT), out=shifted[: len(chunk)])
            if top < CJK_LEADS.stop and moved.max() < np.uint8(FIRST_LEAD + SHIFT):
                continue  # ASCII and CJK ideographs only
            lead = (moved >= np.uint8(FIRST_LEAD + SHIFT)) | (chunk >= np.uint8(CJK_LEADS.stop))
            found.append(np.flatnonzero(lead) + (self.low + at))
        if not found:
            return NOTHING
        return distinct(self.cells_of(np.concatenate(found)))


def _in(values: np.ndarray, r: range) -> np.ndarray:
    """Whether each byte is in `r` (one subtraction and one comparison, wrapping as uint8)."""
    return (values - np.uint8(r.start)) < np.uint8(len(r))
