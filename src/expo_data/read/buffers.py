"""Arrow arrays and scalars to and from numpy through their buffers, without pandas.

pyarrow's own converters (`pa.array`, `pa.scalar`, `Array.to_numpy`, and compute functions
given plain Python values) import pandas to inspect their argument: half a second that the
validation engine does not otherwise spend.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import numpy as np
import pyarrow as pa

_EPOCH = date(1970, 1, 1)
_NUMPY = {
    pa.int8(): np.int8,
    pa.int16(): np.int16,
    pa.int32(): np.int32,
    pa.int64(): np.int64,
    pa.float64(): np.float64,
    pa.date32(): np.int32,
    pa.timestamp("us", tz="UTC"): np.int64,
    pa.time64("us"): np.int64,
}


def distinct(values: np.ndarray) -> np.ndarray:
    """`np.unique(values)`, by a sort: numpy 2.3's `unique` imports numpy.ma on first use (a
    dozen milliseconds holding the GIL, every thread stopped)."""
    values = np.sort(values)
    if len(values) < 2:
        return values
    return values[np.concatenate(([True], values[1:] != values[:-1]))]


def ints(values: np.ndarray) -> pa.Array:
    """An int64 Arrow array of a numpy array."""
    values = np.ascontiguousarray(values, np.int64)
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])


def bools(values: np.ndarray) -> pa.Array:
    """A boolean Arrow array of a numpy array."""
    bits = np.packbits(np.asarray(values, bool), bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])


def strings(values: list[str | None]) -> pa.Array:
    """A string Arrow array (None: null)."""
    encoded = [b"" if v is None else v.encode("utf-8") for v in values]
    offsets = np.zeros(len(encoded) + 1, np.int32)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    nulls = np.array([v is None for v in values], bool)
    validity = pa.py_buffer(np.packbits(~nulls, bitorder="little")) if nulls.any() else None
    buffers = [validity, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
    return pa.Array.from_buffers(pa.string(), len(encoded), buffers)


def array(values: list, kind: pa.DataType) -> pa.Array:
    """An Arrow array of Python values (as the readers return them) of a plain type."""
    if kind == pa.string():
        return strings(values)
    if kind == pa.bool_():
        out = bools(np.array([bool(v) for v in values], bool))
    else:
        raw = np.array([0 if v is None else _number(v, kind) for v in values], _NUMPY[kind])
        out = pa.Array.from_buffers(kind, len(raw), [None, pa.py_buffer(raw)])
    nulls = np.array([v is None for v in values], bool)
    if nulls.any():
        valid = pa.py_buffer(np.packbits(~nulls, bitorder="little"))
        out = pa.Array.from_buffers(kind, len(values), [valid, *out.buffers()[1:]])
    return out


def scalar(value: Any, kind: pa.DataType) -> pa.Scalar:
    """An Arrow scalar of a Python value (None: null)."""
    return array([value], kind)[0]


def _number(value: Any, kind: pa.DataType) -> float | int:
    if kind == pa.date32():
        return (value - _EPOCH).days
    if kind == pa.time64("us"):
        return ((value.hour * 60 + value.minute) * 60 + value.second) * 10**6 + value.microsecond
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
        return (aware - epoch) // timedelta(microseconds=1)
    return value


def to_bools(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean array as numpy, null as False."""
    if isinstance(values, pa.ChunkedArray):
        chunks = [to_bools(c) for c in values.chunks]
        return np.concatenate(chunks) if chunks else np.zeros(0, bool)
    size, offset = len(values), values.offset
    if size == 0:
        return np.zeros(0, bool)
    validity, data = values.buffers()[:2]
    out = _bits(data, offset, size)
    if validity is not None:
        out &= _bits(validity, offset, size)
    return out


def to_ints(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """An integer array without nulls as int64 numpy."""
    if isinstance(values, pa.ChunkedArray):
        chunks = [to_ints(c) for c in values.chunks]
        return np.concatenate(chunks) if chunks else np.zeros(0, np.int64)
    if len(values) == 0:
        return np.zeros(0, np.int64)
    data = np.frombuffer(values.buffers()[1], _NUMPY[values.type])
    return data[values.offset : values.offset + len(values)].astype(np.int64)


def valid_at(values: pa.Array, at: np.ndarray) -> np.ndarray:
    """Whether each value at positions `at` is valid (not null), only their bits read."""
    validity = values.buffers()[0]
    if validity is None or not len(at):
        return np.ones(len(at), bool)
    bit = at + values.offset
    return ((np.frombuffer(validity, np.uint8)[bit >> 3] >> (bit & 7)) & 1).astype(bool)


def _bits(buffer: pa.Buffer, offset: int, size: int) -> np.ndarray:
    bits = np.unpackbits(np.frombuffer(buffer, np.uint8), bitorder="little")
    return bits[offset : offset + size].astype(bool)


FALSE = bools(np.zeros(1, bool))[0]
NULL_STRING = pa.nulls(1, pa.string())[0]
ZERO = array([0], pa.int32())[0]
ZERO_FLOAT = array([0.0], pa.float64())[0]


class StringBytes:
    """A string column's cells as byte ranges of its data buffer (numpy views, no copy)."""

    @staticmethod
    def reads(column: object) -> bool:
        """Whether `column` is what this reads: one string or large_string array."""
        return isinstance(column, pa.Array) and column.type in (pa.string(), pa.large_string())

    def __init__(self, column: pa.Array) -> None:
        self.column = column
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
        #: the bytes of the column's cells (null cells' too, if they hold any)
        self.low = int(offsets[0]) if size else 0
        self.span = self.data[self.low : int(offsets[-1])] if size else self.data[:0]
        self._first: np.ndarray | None = None

    def first(self) -> np.ndarray:
        """Each cell's first byte (meaningless where the cell is empty)."""
        if self._first is None:
            self._first = self.byte(self.starts)
        return self._first

    def byte(self, at: np.ndarray) -> np.ndarray:
        """The bytes at positions `at` of the data buffer (clipped to it)."""
        return self.data.take(at, mode="clip")

    def cells_of(self, positions: np.ndarray) -> np.ndarray:
        """The cell (position in the column) holding each byte position of the data buffer."""
        return np.searchsorted(self.offsets, positions, side="right") - 1
