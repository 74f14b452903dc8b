"""Strict reading: what two common CSV parsers would read differently, found in one byte scan.

frictionless (Python's csv) and pyarrow agree on RFC 4180 files, and quietly disagree, or
quietly repair, elsewhere. Both engines report here, at its CSV record (header = 1): a quote
inside a quoted cell not doubled and not closing it (`"Smart "City" Expo"`), a quote left
open at the end of the file, NUL bytes, a carriage return not followed by a line feed, a
cell over the size limit, header labels with surrounding whitespace (both parsers' readers
strip them before comparing), and bytes that are not in the declared encoding (one
`encoding-error` naming the file and the line of the first bad byte). Compressed resources
are scanned decompressed. The scan is vectorised per chunk (`marks` finds a chunk's quotes
and line feeds); memory stays at a few chunks.
"""

from __future__ import annotations

import codecs
import csv
import io
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from . import catalogue as c
from .catalogue import finding
from .encoding import Decoder
from .marks import Marker
from .report import Finding
from .sources import is_text, line_of, open_bytes

if TYPE_CHECKING:
    from ..model.descriptor import Package, Resource

#: the default per-cell size limit (bytes): a bigger cell is a finding, never memory
MAX_CELL_BYTES = 1 << 20
CHUNK = 1 << 22
#: where a chunk is not all for the vectorised pass, the bytes it tries first, and the fewest
#: (a run of whole lines; shorter, the byte machine reads the next line)
FIRST_RUN, SHORTEST_RUN = 1 << 16, 1 << 10
#: the most empty lines whose record numbers a scan keeps (beyond: not kept, None)
MAX_EMPTY_LINES = 1 << 20
_LF, _CR, _NUL = 10, 13, 0
#: the codes only this scan reports (the engines' other findings never use them)
CODES = (c.STRAY_QUOTE, c.UNCLOSED_QUOTE, c.NUL_BYTE, c.BARE_CARRIAGE_RETURN, c.CELL_TOO_LARGE)


def strict_findings(package: Package, *, max_cell_bytes: int = MAX_CELL_BYTES) -> list[Finding]:
    """Every CSV resource's strict-reading findings (at most one of each code per resource)."""
    out: list[Finding] = []
    for resource in package.resources:
        if is_text(resource):
            out += resource_findings(resource, max_cell_bytes=max_cell_bytes)
    return out


def resource_findings(
    resource: Resource,
    *,
    max_cell_bytes: int = MAX_CELL_BYTES,
    stop: threading.Event | None = None,
    decoded: Callable[[int, bool], None] | None = None,
    empty_lines: Callable[[np.ndarray | None], None] | None = None,
) -> list:
    """The strict findings of one resource; `decoded(bytes, bad)` is told after each chunk
    how many bytes from the start are known to be in the encoding, and whether one is not;
    `empty_lines` is given the record numbers of its empty lines once its bytes are scanned
    (None: too many to keep; never called where they are not read as ASCII's, as UTF-16's)."""
    try:
        stream = open_bytes(resource)  # read, not memory-mapped: the pages stay out of RSS
    except Exception:  # a missing or unreadable file: the engines' scheme-error says so
        return []
    if '",\n'.encode(resource.encoding) != b'",\n':  # UTF-16, UTF-32: not bytes like ASCII's
        return _undecodable(resource, stream)  # the byte checks would misread every byte
    try:
        scan = _Scan(resource, max_cell_bytes)
        for chunk in _chunks(stream):
            if stop is not None and stop.is_set():
                return []
            scan.feed(chunk)
            if decoded is not None:
                decoded(scan.decoder.done, scan.decoder.error is not None)
        found = scan.finish()
        if empty_lines is not None:
            empty_lines(scan.empty_lines())
        return found
    except Exception as exc:  # a corrupt archive
        return [_finding(c.SOURCE_ERROR, resource, None, "", note=f"cannot be read: {exc}")]
    finally:
        stream.close()


def _undecodable(resource: Resource, stream: Any) -> list[Finding]:
    """One `encoding-error` if the bytes are not in the declared encoding, else nothing."""
    decoder = codecs.getincrementaldecoder(resource.encoding)()
    try:
        with stream:
            for chunk in _chunks(stream):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        note = f"the file is not valid {resource.encoding} (the declared encoding): {exc.reason}"
        return [_finding(c.ENCODING_ERROR, resource, None, "", note=note)]
    except Exception as exc:  # a corrupt archive
        return [_finding(c.SOURCE_ERROR, resource, None, "", note=f"cannot be read: {exc}")]
    return []


def _chunks(stream) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK):
        yield chunk


def _finding(code: str, resource: Resource, row: int | None, field: str, **values: str) -> Finding:
    return finding(code, resource.name, row, field, resource.path, **values)


class _Scan:
    """The state of one resource's byte scan, carried from chunk to chunk."""

    def __init__(self, resource: Resource, limit: int) -> None:
        self.resource, self.limit = resource, limit
        dialect = resource.dialect
        self.delimiter = ord(dialect.get("delimiter", ","))
        quote = dialect.get("quoteChar", '"')
        self.quote = ord(quote) if len(quote.encode()) == 1 else -1
        self.doubled = dialect.get("doubleQuote", True) is not False
        self.marker = Marker(self.quote, self.delimiter)
        self.names = resource.schema.names
        self.decoder = Decoder(resource.encoding)
        self.record = 1  # the record the next byte is in
        self.column = 0  # the column the next byte is in
        self.quoted = False  # inside a quoted cell
        self.after_quote = False  # the previous byte closed a quote (or opened a doubled one)
        self.field_start = True  # the next byte starts a cell
        self.cell = 0  # bytes of the current cell so far
        self.cr = False  # the previous byte was a CR
        self.open_at = 0  # the record of the quote left open
        self.line_start = True  # no byte since the last line end (or the file's start)
        self.empty: list[np.ndarray] | None = []  # record numbers of empty lines (None: too many)
        self.empties = 0
        self.header = b""
        self.carry = b""  # the last chunk's trailing quotes and CRs
        self.final = False  # the last bytes of the file
        self.found: dict[str, Finding] = {}

    def feed(self, chunk: bytes) -> None:
        self.decoder.feed(chunk)
        if len(self.header) < (1 << 16) and self.record == 1:
            self.header += chunk[: 1 << 16]
        data = self.carry + chunk
        # a chunk ending on a quote or a CR is cut before them: the next byte decides
        cut = len(data.rstrip(bytes([self.quote, _CR]) if self.quote >= 0 else b"\r"))
        if len(data) - cut > CHUNK:
            cut = len(data)
        self.carry = data[cut:]
        self._scan(data[:cut])

    def _scan(self, data: bytes) -> None:
        """The chunk by the vectorised pass where it can, the byte machine where it cannot.

        Where the chunk is not all for the vectorised pass, the pass takes runs of whole lines
        (a run twice as long after one it took, half as long after one it could not); where
        even a short run is not for it, the byte machine reads the next lines, twice as many
        each time in a row, so a chunk of odd lines costs little more than the machine alone.
        """
        if c.NUL_BYTE in self.found:  # reported once: NULs read as ordinary bytes from now on
            data = data.replace(b"\0", b"\1")
        if self._fast(data):
            return
        at, span, slow = 0, FIRST_RUN, SHORTEST_RUN
        while at < len(data):
            end = len(data) if at + span >= len(data) else data.rfind(b"\n", at, at + span) + 1
            if end > at and self._fast(data[at:end]):
                at, span, slow = end, span * 2, SHORTEST_RUN
            elif span > SHORTEST_RUN:
                span //= 2
            else:  # at least `slow` bytes of whole lines to the byte machine
                end = data.find(b"\n", min(at + slow, len(data)) - 1) + 1 or len(data)
                self._slow(data[at:end])
                at, span, slow = end, 4 * SHORTEST_RUN, slow * 2

    def _fast(self, raw: bytes) -> bool:
        """The chunk's state in a few vectorised passes; False where it needs the slow one.

        Quotes are paired by parity, which is exact while every quote opens a cell, closes
        one or doubles one; anything else (and NULs, bare CRs, a cell over the limit, a chunk
        ending on a quote or a CR) goes to the exact state machine, which reports it. One
        pass over the chunk finds its quotes and line feeds together; all else works on
        their positions. Cells are measured by their lines; only a line over the limit has
        its cells measured.
        """
        if self.after_quote or self.cr:
            return False
        size, start = len(raw), int(self.quoted)
        if not size:
            return True
        if raw[-1] == _CR or (raw[-1] == self.quote and not self.final):
            return False
        data = np.frombuffer(raw, np.uint8)
        found = self.marker.find(raw, data)
        if found is None:  # a NUL
            return False
        marks, kinds, returns = found
        is_quote = kinds == self.quote
        quotes = marks[is_quote]
        feeds = kinds == _LF
        if len(quotes):
            if not self.marker.paired(data, quotes, start, first=self.field_start, last=self.final):
                return False
            # a line feed ends a line where the quotes before it (and `start`) are even
            feeds &= np.bitwise_xor.accumulate(is_quote.view(np.uint8)) == start
        elif start:
            feeds[:] = False
        ends = marks[feeds]
        if returns and self._bare_return(data, marks[kinds == _LF], quotes, start, returns):
            return False
        if c.CELL_TOO_LARGE not in self.found and self._too_long(data, ends, quotes, start):
            return False
        if len(ends) and self.empty is not None:  # the chunk is done: no return False below
            self._empty_lines(data, ends)
        last = int(ends[-1]) if len(ends) else -1
        # the delimiters after the last line end (a CR there would be a bare one)
        tail = _outside(
            np.flatnonzero(data[last + 1 :] == self.delimiter) + last + 1, quotes, start
        )
        self.column = len(tail) if len(ends) else self.column + len(tail)
        cut = max(last, int(tail[-1]) if len(tail) else -1)  # the last separator (-1: none)
        self.cell = (self.cell if cut < 0 else 0) + _value_bytes(quotes, start, cut, size)
        quoted = (len(quotes) + start) % 2 == 1
        if quoted and len(quotes):  # the last quote opened a cell left open: no line end after
            self.open_at = self.record + len(ends)
        self.record += len(ends)
        self.line_start = bool(len(ends)) and int(ends[-1]) == size - 1
        self.quoted = quoted
        self.field_start = not quoted and cut == size - 1
        return True

    def _empty_lines(self, data: np.ndarray, ends: np.ndarray) -> None:
        """Keep the numbers of the records the line feeds `ends` end with no byte (but a CR)."""
        before = np.empty_like(ends)
        before[1:] = ends[:-1]
        before[0] = -1 if self.line_start else -3  # -3: the first line is not empty
        gaps = ends - before
        empty = (gaps == 1) | ((gaps == 2) & (data[ends - 1] == _CR))
        if empty.any():
            self._keep_empty(self.record + np.flatnonzero(empty))

    def _keep_empty(self, numbers: np.ndarray) -> None:
        if self.empty is not None:
            self.empty.append(numbers)
            self.empties += len(numbers)
            if self.empties > MAX_EMPTY_LINES:
                self.empty = None

    def empty_lines(self) -> np.ndarray | None:
        """The record numbers of the empty lines scanned (None: too many were found)."""
        if self.empty is None:
            return None
        return np.concatenate(self.empty) if self.empty else np.zeros(0, np.int64)

    def _bare_return(
        self, data: np.ndarray, feeds: np.ndarray, quotes: np.ndarray, start: int, returns: int
    ) -> bool:
        """Whether a CR outside quoted cells is not followed by a line feed.

        Every CR of the chunk (`returns` of them) is before a line feed where as many CRs
        precede its line feeds (`feeds`: all of them); else each is looked at.
        """
        if returns == np.count_nonzero(data[feeds - 1] == _CR):  # feeds[0] - 1 reads no CR
            return False
        returns = _outside(np.flatnonzero(data == _CR), quotes, start)
        return not (data[returns + 1] == _LF).all()

    def _too_long(self, data: np.ndarray, ends: np.ndarray, quotes: np.ndarray, start: int) -> bool:
        """Whether a cell of the chunk may be over the limit: its bytes, quotes included, are.

        Lines bound their cells; only where a line is over the limit are its cells measured.
        A cell whose bytes are over it goes to the byte machine, which counts its value.
        """
        size = len(data)
        if len(ends):
            # the first line continues the cell the chunk starts in, `self.cell` bytes so far
            longest = max(self.cell + int(ends[0]), size - int(ends[-1]) - 1)
            if len(ends) > 1:
                longest = max(longest, int(np.diff(ends).max()) - 1)
            if longest <= self.limit:
                return False
        elif self.cell + size <= self.limit:
            return False
        seps = (data == self.delimiter) | (data == _LF) | (data == _CR)
        seps = _outside(np.flatnonzero(seps), quotes, start)
        if not len(seps):
            return self.cell + size > self.limit
        cells = np.diff(seps, prepend=-1) - 1
        cells[0] += self.cell
        return max(int(cells.max()), size - int(seps[-1]) - 1) > self.limit

    def _slow(self, chunk: bytes) -> None:
        """The exact state machine, byte by byte over the chunk's special bytes."""
        quote, delimiter = self.quote, self.delimiter
        for byte in chunk:
            line_start, self.line_start = self.line_start, False
            if self.cr and byte != _LF:
                self._once(
                    c.BARE_CARRIAGE_RETURN,
                    self.record - 1,
                    "",
                    "a carriage return "
                    "not followed by a line feed ends a line for some parsers only",
                )
            if byte == _NUL:
                self._once(c.NUL_BYTE, self.record, self._field(), "a NUL byte in a cell")
            if self.quoted:
                if byte == quote:
                    self.quoted, self.after_quote = False, True
                else:
                    self._grow()
                self.cr = False
                continue
            if self.after_quote:
                self.after_quote = False
                if byte == quote and self.doubled:  # a doubled quote inside the cell
                    self.quoted = True
                    self._grow()
                    self.cr = False
                    continue
                if byte not in (delimiter, _LF, _CR):
                    self._once(
                        c.STRAY_QUOTE,
                        self.record,
                        self._field(),
                        "a quote inside a quoted cell is neither doubled nor closing it",
                    )
            if byte == delimiter:
                self.column, self.cell, self.field_start = self.column + 1, 0, True
            elif byte in (_LF, _CR):
                if not (byte == _LF and self.cr):
                    if line_start:
                        self._keep_empty(np.array([self.record], np.int64))
                    self.record += 1
                self.line_start = True
                self.column, self.cell, self.field_start = 0, 0, True
            elif byte == quote and self.field_start:
                self.quoted, self.field_start, self.open_at = True, False, self.record
            else:
                self.field_start = False
                self._grow()
            self.cr = byte == _CR

    def _grow(self) -> None:
        self.cell += 1
        if self.cell == self.limit + 1:
            self._once(
                c.CELL_TOO_LARGE,
                self.record,
                self._field(),
                f"a cell over the limit of {self.limit} bytes (--max-cell-bytes)",
            )

    def _field(self) -> str:
        return self.names[self.column] if self.record > 1 and self.column < len(self.names) else ""

    def _once(self, code: str, row: int, field: str, note: str) -> None:
        if code not in self.found:
            self.found[code] = _finding(code, self.resource, row, field, note=note)

    def _encoding_finding(self) -> Finding | None:
        if self.decoder.error is None:
            return None
        offset, byte = self.decoder.error
        note = (
            f"the file is not valid {self.resource.encoding} (the declared encoding): "
            f"byte {byte!r} at line {line_of(self.resource, offset)}"
        )
        return _finding(c.ENCODING_ERROR, self.resource, None, "", note=note)

    def finish(self) -> list[Finding]:
        self.final = True
        self._scan(self.carry)
        self.decoder.feed(b"", final=True)
        bad_encoding = self._encoding_finding()
        if bad_encoding is not None:
            return [bad_encoding]  # the rest of the scan read the bytes as what they are not
        if self.cr:
            self._once(
                c.BARE_CARRIAGE_RETURN,
                self.record - 1,
                "",
                "a carriage return not followed by a line feed ends a line for some parsers only",
            )
        if self.quoted:
            self._once(c.UNCLOSED_QUOTE, self.open_at, "", "a quote is opened and never closed")
        return self._labels() + list(self.found.values())

    def _labels(self) -> list[Finding]:
        """Header labels with surrounding whitespace (the readers strip them before comparing)."""
        text = self.header.decode(self.decoder.python, errors="replace")
        dialect = self.resource.dialect
        reader = csv.reader(
            io.StringIO(text, newline=""),
            delimiter=dialect.get("delimiter", ","),
            quotechar=dialect.get("quoteChar", '"'),
        )
        labels = next(reader, [])
        out = []
        for number, label in enumerate(labels, 1):
            if label != label.strip() and label.strip():
                name = label.strip() if label.strip() in self.names else ""
                note = (
                    f'Label "{label}" in the header at position "{number}" has surrounding '
                    "whitespace: labels are compared exactly"
                )
                out.append(_finding(c.INCORRECT_LABEL, self.resource, 1, name, message=note))
        return out


def _outside(at: np.ndarray, quotes: np.ndarray, start: int) -> np.ndarray:
    """The positions `at` outside quoted cells (`start`: the chunk starts inside one)."""
    if len(quotes):
        return at[(np.searchsorted(quotes, at) + start) % 2 == 0]
    return at[:0] if start else at


def _value_bytes(quotes: np.ndarray, start: int, cut: int, size: int) -> int:
    """The value bytes of the chunk after position `cut`: less its quotes, a doubled one kept."""
    at = int(np.searchsorted(quotes, cut, side="right")) if len(quotes) else 0
    inner = quotes[at:]
    closing = (np.arange(at, len(quotes)) + start) % 2 == 1
    doubled = int(np.count_nonzero(closing[:-1] & (np.diff(inner) == 1)))
    return size - cut - 1 - len(inner) + doubled
