"""Deciding simple `pattern` constraints from a string column's bytes, without a regex engine.

`recognise` reads a small family of patterns: a character class C of ASCII characters repeated
(`C+`, `C*`, `C?`, `C{n}`, `C{n,}`, `C{n,m}`) or a separated list `C+(sC+)*` (s one ASCII
character), anchored or not (the constraint is matched as `^(?:P)$`, as RE2 reads it).
`Simple.misses` decides such a pattern with numpy over the column's data and offsets buffers;
the cells it cannot decide from ASCII bytes (a non-ASCII character where the class holds every
non-ASCII character: `.`, `[^…]`, `\\D`…) are left to RE2, as is every other pattern.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np
import pyarrow as pa

from ..read.buffers import StringBytes, to_bools

#: bytes scanned at a time (the temporaries stay in the cache)
CHUNK = 1 << 18
#: a class of more runs of bytes than this is looked up in a table, not compared run by run
MOST_RUNS = 4
#: RE2's Perl classes, ASCII as RE2 reads them (\s is not \v)
PERL = {"d": string.digits, "w": string.digits + string.ascii_letters + "_", "s": "\t\n\f\r "}
#: escapes that name one control character
CONTROLS = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v"}
#: characters RE2 gives a meaning outside a class
META = frozenset("\\.+*?()|[]{}^$")
#: punctuation RE2 reads escaped as itself (not `_`: a word character)
ESCAPED = frozenset(string.punctuation) - {"_"}
#: RE2's largest repetition count
MOST_REPEATS = 1000
ASCII = frozenset(range(128))


class NotSimple(Exception):
    """The pattern is not of the family `recognise` reads (RE2 decides it)."""


@dataclass(frozen=True)
class Simple:
    """`C{low,high}`, or with a separator `C+(sC+)*`: C's ASCII members and whether it is wide."""

    members: frozenset[int]  # the ASCII characters of C
    wide: bool  # C also holds every non-ASCII character (a negated class)
    low: int = 1
    high: int | None = None  # None: no bound
    separator: int | None = None

    @cached_property
    def runs(self) -> list[tuple[int, int]]:
        """The bytes a cell may hold (C's and the separator) as (first, count) runs."""
        allowed = sorted(self.members | ({self.separator} - {None}))
        out: list[tuple[int, int]] = []
        for byte in allowed:
            if out and out[-1][0] + out[-1][1] == byte:
                out[-1] = (out[-1][0], out[-1][1] + 1)
            else:
                out.append((byte, 1))
        return out

    @cached_property
    def table(self) -> np.ndarray:
        """Whether each byte value may appear in a cell."""
        table = np.zeros(256, bool)
        for first, count in self.runs:
            table[first : first + count] = True
        return table

    def scan(self, data: np.ndarray, low: int, high: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions in data[low:high] of the bytes no cell may hold (non-ASCII ones included),
        and of the first of each two separators in a row."""
        size = min(CHUNK + 1, high - low)
        inside, hit, work = np.empty(size, bool), np.empty(size, bool), np.empty(size, np.uint8)
        bad, doubled = [], []
        for at in range(low, high, CHUNK):
            chunk = data[at : min(at + CHUNK + 1, high)]  # and the next chunk's first byte
            n = len(chunk)
            if not self.inside(chunk, inside[:n], hit[:n], work[:n]).all():
                bad.append(np.flatnonzero(~inside[:n]) + at)
            if self.separator is not None:
                sep = np.equal(chunk, np.uint8(self.separator), out=hit[:n])
                pairs = np.logical_and(sep[:-1], sep[1:], out=inside[: n - 1])
                if pairs.any():
                    doubled.append(np.flatnonzero(pairs) + at)
        return _joined(bad), _joined(doubled)

    def inside(
        self, chunk: np.ndarray, out: np.ndarray, hit: np.ndarray, work: np.ndarray
    ) -> np.ndarray:
        """Whether each byte may be in a cell, into `out` (`hit`, `work`: scratch space)."""
        if not 0 < len(self.runs) <= MOST_RUNS:
            return self.table.take(chunk, out=out)
        for k, (first, count) in enumerate(self.runs):  # a run: one subtraction, one comparison
            np.subtract(chunk, np.uint8(first), out=work)
            np.less(work, np.uint8(count), out=hit if k else out)
            if k:
                np.logical_or(out, hit, out=out)
        return out

    def misses(self, column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
        """Which cells of a string column miss, and the positions of the cells left to RE2.

        A null cell never misses; a cell left to RE2 is not counted as a miss here.
        """
        cells = StringBytes(column)
        data, offsets = cells.data, cells.offsets
        lengths = cells.ends - cells.starts
        found, doubled = self.scan(data, int(offsets[0]), int(offsets[-1]))
        unsure = np.zeros(cells.size, bool)
        if self.wide:  # a non-ASCII character may be one of C's: RE2 decides its cell
            unsure[cells.cells_of(found[data[found] >= 0x80])] = True
        miss = np.zeros(cells.size, bool)
        miss[cells.cells_of(found)] = True
        miss[cells.cells_of(doubled)] = True
        if self.separator is None:
            miss |= lengths < self.low
            if self.high is not None:
                miss |= lengths > self.high
        else:  # empty, or a separator first or last
            first = data.take(cells.starts, mode="clip")
            last = data.take(cells.ends - 1, mode="clip")
            miss |= (lengths == 0) | (first == self.separator) | (last == self.separator)
        if column.null_count:
            valid = to_bools(column.is_valid())
            miss &= valid
            unsure &= valid
        miss &= ~unsure
        return miss, np.flatnonzero(unsure)


def _joined(positions: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(positions) if positions else np.zeros(0, np.int64)


@cache
def recognise(pattern: str) -> Simple | None:
    """The pattern as a `Simple`, or None where it is not of the family (RE2 decides it)."""
    try:
        return _Reader(pattern).simple()
    except NotSimple:
        return None


class _Reader:
    """A recursive-descent reader of the family, raising NotSimple at anything else."""

    def __init__(self, pattern: str) -> None:
        self.text, self.at = pattern, 0

    def simple(self) -> Simple:
        """The whole pattern: `^`? C quantifier `$`?, or `^`? C+(sC+)* `$`?."""
        self.skip("^")
        members, wide = self.atom()
        low, high = self.quantifier()
        separator = None
        if (low, high) == (1, None) and self.skip("("):
            self.skip("?:")
            literal = self.literal()
            if len(literal) != 1 or self.atom() != (members, wide):
                raise NotSimple
            if not (self.skip("+") and self.skip(")") and self.skip("*")):
                raise NotSimple
            (separator,) = literal
            if separator in members:  # then C+(sC+)* holds exactly the cells of C+
                separator = None
        self.skip("$")
        if self.at != len(self.text):  # a lazy or repeated quantifier included
            raise NotSimple
        return Simple(members, wide, low, high, separator)

    def skip(self, text: str) -> bool:
        """Read `text` if it comes next."""
        if self.text.startswith(text, self.at):
            self.at += len(text)
            return True
        return False

    def read(self) -> str:
        """The next character."""
        if self.at >= len(self.text):
            raise NotSimple
        self.at += 1
        return self.text[self.at - 1]

    def atom(self) -> tuple[frozenset[int], bool]:
        """A class: `[…]`, `.`, a Perl class, or one character; (ASCII members, wide)."""
        if self.skip("["):
            return self.bracket()
        if self.skip("."):
            return ASCII - {ord("\n")}, True
        for negated in ("\\D", "\\W", "\\S"):
            if self.skip(negated):
                return ASCII - _codes(PERL[negated[1].lower()]), True
        return self.literal(), False

    def literal(self) -> frozenset[int]:
        """One character outside a class (or a Perl class \\d \\w \\s)."""
        c = self.read()
        if c == "\\":
            return self.escape()
        if c in META:
            raise NotSimple
        return _codes(c)

    def escape(self) -> frozenset[int]:
        """After a backslash: a Perl class, or an escaped punctuation or control character."""
        c = self.read()
        if c in PERL:
            return _codes(PERL[c])
        if c in CONTROLS:
            return _codes(CONTROLS[c])
        if c in ESCAPED:
            return _codes(c)
        raise NotSimple

    def bracket(self) -> tuple[frozenset[int], bool]:
        """A bracketed class after its `[`: literals, ranges, \\d \\w \\s; `^` negates."""
        negated = self.skip("^")
        if self.text.startswith("]", self.at):
            raise NotSimple  # `[]…]`: a literal `]` first; not in the family
        members: set[int] = set()
        first = True
        while not self.skip("]"):
            codes = self.member(first)
            first = False
            ahead = self.text[self.at : self.at + 2]
            if len(codes) == 1 and ahead.startswith("-") and ahead != "-]":  # a range
                self.at += 1
                end = self.member(False)
                if len(end) != 1 or min(end) < min(codes) or end == _codes("-"):
                    raise NotSimple
                codes = frozenset(range(min(codes), min(end) + 1))
            members |= codes
        if negated:
            return ASCII - members, True
        return frozenset(members), False

    def member(self, first: bool) -> frozenset[int]:
        """One character of a bracketed class, or the characters of \\d \\w \\s."""
        c = self.read()
        if c == "\\":
            return self.escape()
        if c == "[" or (c == "-" and not first and not self.text.startswith("]", self.at)):
            raise NotSimple  # POSIX classes, a `-` between ranges
        return _codes(c)

    def quantifier(self) -> tuple[int, int | None]:
        """`+`, `*`, `?`, `{n}`, `{n,}`, `{n,m}` or none, as (low, high)."""
        if self.skip("+"):
            return 1, None
        if self.skip("*"):
            return 0, None
        if self.skip("?"):
            return 0, 1
        if not self.skip("{"):
            return 1, 1
        end = self.text.find("}", self.at)
        bounds = self.text[self.at : end].split(",") if end >= 0 else []
        self.at = end + 1
        if not 1 <= len(bounds) <= 2 or not all(_count(b) for b in bounds[:1]):
            raise NotSimple
        if len(bounds) == 2 and bounds[1] and not _count(bounds[1]):
            raise NotSimple
        low = int(bounds[0])
        high = low if len(bounds) == 1 else int(bounds[1]) if bounds[1] else None
        if low > MOST_REPEATS or (high is not None and not low <= high <= MOST_REPEATS):
            raise NotSimple
        return low, high


def _count(text: str) -> bool:
    """Whether `text` is a repetition count (ASCII digits)."""
    return text.isascii() and text.isdigit()


def _codes(characters: str) -> frozenset[int]:
    codes = frozenset(map(ord, characters))
    if max(codes) >= 128:
        raise NotSimple
    return codes
