"""Where a chunk of CSV bytes has its quotes and line feeds: the strict scan's numpy passes.

A chunk is looked at a slice at a time, so each slice stays in the cache from the memchr calls
(NUL, CR) through the numpy passes, whose buffers are reused from slice to slice: one pass
finds the quotes and line feeds together, and their positions are what the scan works on.
"""

from __future__ import annotations

import numpy as np

#: the bytes of a chunk looked at in one numpy pass (its buffers stay in the cache)
SLICE = 1 << 18
_LF, _CR = 10, 13


class Marker:
    """Finds one dialect's quotes and line feeds in the chunks given, and checks the quotes."""

    def __init__(self, quote: int, delimiter: int) -> None:
        self.quote = quote  # -1: none
        #: the bytes that end a cell outside quotes (a quote before or after one is fine)
        self.separator = np.zeros(256, bool)
        self.separator[[delimiter, _LF, _CR]] = True
        #: one mask and one compare find the quote and the line feed (and at most two others)
        self.mask = _mask(quote, _LF) if quote >= 0 else None
        self.bits = np.empty(SLICE, np.uint8)
        self.marks, self.other = np.empty(SLICE, bool), np.empty(SLICE, bool)
        self.words = np.empty(SLICE // 8 + 1, bool)

    def find(self, raw: bytes, data: np.ndarray) -> tuple[np.ndarray, np.ndarray, int] | None:
        """The positions of the quotes and line feeds of `raw` (`data`: its numpy view), with
        a few other bytes; the bytes at those positions; and how many CRs it holds.

        None if a NUL is. Where the quote and the line feed differ in at most two bits, one
        mask and one compare find both, and the two other bytes they let through, which the
        caller leaves out by the bytes returned.
        """
        needle = bytes([self.quote]) if self.quote >= 0 else None
        found, kinds, returns = [], [], 0
        for at in range(0, len(data), SLICE):
            if raw.find(b"\0", at, at + SLICE) >= 0:  # memchr
                return None
            part = data[at : at + SLICE]
            if raw.find(b"\r", at, at + SLICE) >= 0:  # memchr
                returns += np.count_nonzero(np.equal(part, _CR, out=self.other[: len(part)]))
            marks = self.marks[: len(part)]
            quote = self.quote if needle and raw.find(needle, at, at + SLICE) >= 0 else -1
            if quote < 0:  # no quote in the slice: its line feeds alone
                np.equal(part, _LF, out=marks)
            elif self.mask is not None:
                bits = np.bitwise_and(part, self.mask, out=self.bits[: len(part)])
                np.equal(bits, _LF & self.mask, out=marks)
            else:
                np.equal(part, quote, out=marks)
                marks |= np.equal(part, _LF, out=self.other[: len(part)])
            where = nonzero(marks, self.words)
            kinds.append(part[where])
            found.append(where + at if at else where)
        if len(found) == 1:
            return found[0], kinds[0], returns
        return np.concatenate(found), np.concatenate(kinds), returns

    def paired(
        self, data: np.ndarray, quotes: np.ndarray, start: int, *, first: bool, last: bool
    ) -> bool:
        """Whether every quote opens a cell, closes one or doubles one, paired by parity.

        `start`: the chunk starts inside a quoted cell; `first`: its first byte starts a cell;
        `last`: its last byte ends the file. An opening quote follows a separator (or the
        other half of a doubled quote), a closing one is followed by one; doubled quotes are
        looked for only where a quote needs them.
        """
        size, separator = len(data), self.separator
        opening, closing = slice(start, None, 2), slice(1 - start, None, 2)
        at = quotes[opening]
        opens = separator[data[at - 1]]  # at 0 it reads the last byte: replaced below
        if len(at) and at[0] == 0:
            opens[0] = first
        at = quotes[closing]
        if len(at) and at[-1] == size - 1:
            closes = separator[data[np.minimum(at + 1, size - 1)]]
            closes[-1] |= last
        else:
            closes = separator[data[at + 1]]
        if opens.all() and closes.all():
            return True
        adjacent = np.diff(quotes) == 1  # quote i and quote i + 1 side by side
        opens |= np.concatenate(([False], adjacent))[opening]  # the second of a doubled quote
        closes |= np.concatenate((adjacent, [False]))[closing]  # the first of a doubled quote
        return bool(opens.all() and closes.all())


def nonzero(marks: np.ndarray, words: np.ndarray) -> np.ndarray:
    """np.flatnonzero of a sparse boolean array, its words of 8 bytes looked at first.

    `words`: a buffer of at least len(marks) // 8 booleans.
    """
    if len(marks) % 8:
        return np.flatnonzero(marks)
    lanes = marks.view(np.uint64)
    hit = np.flatnonzero(np.not_equal(lanes, 0, out=words[: len(lanes)]))
    at = np.flatnonzero(lanes[hit].view(bool))
    return (hit[at >> 3] << 3) | (at & 7)


def _mask(a: int, b: int) -> int | None:
    """The bits `a` and `b` share (as a mask), if they differ in at most two bits."""
    differ = a ^ b
    return 0xFF & ~differ if differ.bit_count() <= 2 else None
