"""CSV records as frictionless counts them: which are ragged, which are empty lines, their numbers.

Only needed when pyarrow skipped rows (a row with too few or too many cells) or an empty line
matters: then every kept row needs its record number (header = 1), and the skipped rows
their cells. A vectorized byte scan answers for plain RFC 4180 files; anything it cannot be
sure of (stray quotes, escape characters, other encodings) goes to Python's csv module, the
reader frictionless itself uses.
"""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .workers import each

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..model.descriptor import Resource

CHUNK = 1 << 23
_LF, _CR = 10, 13


@dataclass
class RecordLayout:
    """Data records (header excluded) split the way pyarrow splits them."""

    kept: np.ndarray  # record numbers of the rows pyarrow returns, in order
    ragged: list[tuple[int, list[str]]] = field(default_factory=list)  # the rows it skips
    empty: set[int] = field(default_factory=set)  # empty lines among the kept rows


def record_layout(data, resource: Resource, texts: list[str]) -> RecordLayout | None:
    """The layout from a byte scan, given the text of each row pyarrow skipped, in order.

    Returns None where only Python's csv module can tell (stray quotes, other encodings, a
    skipped row not found at a record start).
    """
    dialect = resource.dialect
    encoding = resource.encoding.lower().replace("_", "-")
    if encoding not in ("utf-8", "utf8", "utf-8-sig") or dialect.get("doubleQuote", True) is False:
        return None
    delimiter, quote = dialect.get("delimiter", ","), dialect.get("quoteChar", '"')
    if len(delimiter.encode()) != 1 or len(quote.encode()) != 1:
        return None
    bytes_ = np.frombuffer(data, np.uint8)
    start = 3 if bytes(bytes_[:3]) == b"\xef\xbb\xbf" else 0
    has_quotes, has_returns = data.find(quote.encode()) >= 0, data.find(b"\r") >= 0  # memchr
    records = _records(bytes_, start, ord(delimiter), ord(quote), has_quotes, has_returns)
    if records is None:
        return None
    starts, ends = records
    skipped, cursor = [], start
    for text in texts:
        needle = text.encode("utf-8")
        while True:
            at = data.find(needle, cursor)
            if at < 0:
                return None
            index = int(np.searchsorted(starts, at))
            if index < len(starts) and starts[index] == at and index > 0:
                break
            cursor = at + 1
        skipped.append(index)
        cursor = at + 1
    kept = np.ones(len(starts), bool)
    kept[0] = False  # the header
    kept[skipped] = False
    numbers = np.arange(1, len(starts) + 1, dtype=np.int64)
    layout = RecordLayout(
        kept=numbers[kept], empty=set(numbers[1:][starts[1:] == ends[1:]].tolist())
    )
    for index in skipped:
        text = bytes(bytes_[starts[index] : ends[index]]).decode("utf-8", errors="replace")
        layout.ragged.append((index + 1, _cells(text, dialect)))
    return layout


def numbered_layout(
    rows: int, skipped: list[tuple[int | None, str]], dialect: Mapping, empty: np.ndarray
) -> RecordLayout | None:
    """The layout from the record numbers pyarrow gave the rows it skipped (header = 1).

    `rows`: how many rows it kept; `skipped`: (record number, text) of each row it skipped, in
    order; `empty`: the record numbers of the empty lines (pyarrow keeps them as rows of empty
    cells; only the bytes tell them from such rows). Only for a file both readers split into
    the same records: the kept rows are every other record. None where a number is missing
    (pyarrow read on its own threads), out of order, or not where it can be.
    """
    numbers = np.array([-1 if n is None else n for n, _ in skipped], np.int64)
    total = rows + len(skipped) + 1  # records, the header among them
    if len(numbers) and (numbers[0] < 2 or numbers[-1] > total or (np.diff(numbers) <= 0).any()):
        return None
    if len(empty) and (empty.min() < 2 or empty.max() > total or np.isin(empty, numbers).any()):
        return None
    kept = np.ones(total + 1, bool)
    kept[:2] = False  # no record 0; record 1 is the header
    kept[numbers] = False
    ragged = [
        (int(n), _cells(text, dialect)) for n, (_, text) in zip(numbers, skipped, strict=True)
    ]
    return RecordLayout(kept=np.flatnonzero(kept), ragged=ragged, empty=set(empty.tolist()))


def _records(
    data: np.ndarray, start: int, delimiter: int, quote: int, has_quotes=True, has_returns=True
):
    """(start, end) byte offsets of every record, quotes read as Python's csv reads them.

    Quotes are paired by parity, which is exact when every quote opens a field or closes one;
    a quote anywhere else makes the scan give up (None).
    """
    size = len(data)

    def marks(offset: int) -> tuple[np.ndarray, np.ndarray]:
        """A chunk's quotes and line breaks (memchr said which scans can be skipped)."""
        chunk = data[offset : offset + CHUNK]
        quotes = np.flatnonzero(chunk == quote) + offset if has_quotes else np.zeros(0, np.intp)
        breaks = np.flatnonzero(chunk == _LF)
        if has_returns:
            returns = np.flatnonzero(chunk == _CR)
            if len(returns):
                breaks = np.sort(np.concatenate([breaks, returns]))
        return quotes, breaks + offset

    found = each(marks, range(start, size, CHUNK))  # the chunks on the worker threads
    quotes = np.concatenate([q for q, _ in found]) if found else np.array([], np.intp)
    lines = np.concatenate([b for _, b in found]) if found else np.array([], np.int64)
    if len(quotes):
        before = data[np.maximum(quotes - 1, 0)]
        after = data[np.minimum(quotes + 1, size - 1)]
        opening = np.arange(len(quotes)) % 2 == 0
        at_field_start = (
            (quotes == start) | (before == delimiter) | (before == _LF) | (before == _CR)
        )
        at_field_end = (quotes == size - 1) | (after == delimiter) | (after == _LF) | (after == _CR)
        fine = np.where(
            opening, at_field_start | (before == quote), at_field_end | (after == quote)
        )
        if not fine.all():
            return None
        lines = lines[np.searchsorted(quotes, lines) % 2 == 0]  # line ends outside quotes
    # CR LF is one line end: drop the LF right after a CR
    crlf = (data[lines] == _LF) & np.isin(lines - 1, lines[data[lines] == _CR])
    ends = lines[~crlf]
    starts = np.concatenate([[start], _next_line(data, ends)])
    if starts[-1] >= size:
        starts = starts[:-1]
    else:  # a last record without a line end
        ends = np.concatenate([ends, [size]])
    return starts, ends


def _next_line(data: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """Where the record after each line end starts (past the LF of a CR LF)."""
    after = lines + 1
    crlf = (data[lines] == _CR) & (after < len(data))
    crlf[crlf] = data[after[crlf]] == _LF
    return after + crlf


def python_records(
    data: bytes, resource: Resource, width: int, *, everything: bool = False
) -> RecordLayout:
    """The layout from Python's csv module; with `everything`, every row comes with its cells."""
    encoding = resource.encoding
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"
    text = bytes(data).decode(encoding, errors="replace")
    kept, layout = [], RecordLayout(kept=np.array([], np.int64))
    old = csv.field_size_limit()
    csv.field_size_limit(sys.maxsize)
    try:
        for number, record in enumerate(
            _reader(io.StringIO(text, newline=""), resource.dialect), 1
        ):
            if number == 1:
                continue
            if everything:
                layout.ragged.append((number, record))
            elif not record:
                kept.append(number)
                layout.empty.add(number)
            elif len(record) == width:
                kept.append(number)
            else:
                layout.ragged.append((number, record))
    finally:
        csv.field_size_limit(old)
    layout.kept = np.array(kept, np.int64)
    return layout


def _cells(text: str, dialect: Mapping) -> list[str]:
    return next(_reader(io.StringIO(text, newline=""), dialect), [])


def _reader(stream: io.StringIO, dialect: Mapping):
    return csv.reader(
        stream,
        delimiter=dialect.get("delimiter", ","),
        quotechar=dialect.get("quoteChar", '"'),
        doublequote=dialect.get("doubleQuote", True),
    )


def plain_records(data, delimiter: str, quote: str) -> tuple[int, int] | None:
    """(records, end of the header) of a plain file, streamed; None where it is not plain.

    Plain: every quote opens or closes a field (paired by parity), no CR, no empty line, no
    quoted field left open at the end. Such a file's records are exactly its LF-ended lines
    outside quotes, so any reader that refuses ragged rows numbers them right. Memory stays
    bounded: the file is scanned in chunks, only counts are kept.
    """
    data = np.frombuffer(data, np.uint8)
    size, d, q = len(data), ord(delimiter), ord(quote)
    if size == 0 or data[0] == _LF:
        return None
    records, parity, header_end = 0, 0, -1
    for offset in range(0, size, CHUNK):
        chunk = data[offset : offset + CHUNK]
        if (chunk == _CR).any():
            return None
        quotes = np.flatnonzero(chunk == q) + offset
        if len(quotes):
            before = data[np.maximum(quotes - 1, 0)]
            after = data[np.minimum(quotes + 1, size - 1)]
            opening = (np.arange(len(quotes)) + parity) % 2 == 0
            at_start = (quotes == 0) | (before == d) | (before == _LF)
            at_end = (quotes == size - 1) | (after == d) | (after == _LF)
            if not np.where(opening, at_start | (before == q), at_end | (after == q)).all():
                return None
        lines = np.flatnonzero(chunk == _LF) + offset
        inside = (np.searchsorted(quotes, lines) + parity) % 2 == 1
        lines = lines[~inside]
        if len(lines) > 1 and (np.diff(lines) == 1).any():
            return None  # an empty line
        if len(lines) and offset and lines[0] == offset and data[offset - 1] == _LF:
            return None  # an empty line across the chunk boundary
        if header_end < 0 and len(lines):
            header_end = int(lines[0])
        records += len(lines)
        parity = (parity + len(quotes)) % 2
    if parity:
        return None  # a quoted field never closed
    if data[size - 1] != _LF:
        records += 1
    return records, header_end if header_end >= 0 else size
