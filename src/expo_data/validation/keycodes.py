"""Rows as key codes: one integer per row, equal for equal keys, and what codes tell.

Keys compare as frictionless compares them (see `keys`): null equal to null, -0.0 equal to
0.0; NaN rows are masked apart (`nan_mask`). A long text key is encoded in two halves, one
per core (`halves`, `joined_codes`).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..read.buffers import ZERO_FLOAT, StringBytes, to_bools, to_ints

#: a text key column this long is encoded in two halves at once (`halves`)
SPLIT_ROWS = 1 << 17


def codes(columns: list[pa.Array]) -> np.ndarray:
    """One code per row, equal for equal keys (null equal to null)."""
    code = None
    for column in columns:
        if pa.types.is_floating(column.type):
            column = pc.add(column, ZERO_FLOAT)  # -0.0 and 0.0 are one key
        encoded = pc.dictionary_encode(column, null_encoding="encode")
        part = to_ints(encoded.indices)
        if code is None:
            code = part
        else:
            combined = code * (int(part.max(initial=0)) + 1) + part
            code = np.unique(combined, return_inverse=True)[1].astype(np.int64)
    return code if code is not None else np.array([], np.int64)


def halves(column: pa.Array) -> np.ndarray | None:
    """Which of two halves each row of a long text column goes to, such that equal values
    (and every null) go to the same one: by the parity of a value's length, middle byte and
    last byte together (ids often share a prefix, a suffix or a length, rarely all three).
    Each half is then encoded on its own core (`joined_codes`). None for a short or non-text
    column."""
    if len(column) < SPLIT_ROWS or not StringBytes.reads(column):
        return None
    cells = StringBytes(column)
    size = cells.ends - cells.starts
    mixed = size ^ cells.byte(cells.starts + size // 2) ^ cells.byte(cells.ends - 1)
    return (size > 0) & to_bools(column.is_valid()) & (mixed & 1).astype(bool)


def joined_codes(low: np.ndarray, high: np.ndarray, side: np.ndarray) -> np.ndarray:
    """The codes of a whole column from its halves' codes (`halves`): still dense, as they
    share no value."""
    code = np.empty(len(side), np.int64)
    code[~side] = low
    code[side] = high + (int(low.max()) + 1 if len(low) else 0)
    return code


def nan_mask(columns: list[pa.Array]) -> np.ndarray:
    """Rows holding a NaN in any column (frictionless never finds them equal to anything)."""
    mask = np.zeros(len(columns[0]) if columns else 0, bool)
    for column in columns:
        if pa.types.is_floating(column.type):
            mask |= to_bools(pc.is_nan(column))
    return mask


def duplicates(code: np.ndarray, numbers: np.ndarray, take_part: np.ndarray) -> tuple:
    """Rows (among `take_part`) whose key appeared in an earlier row, and that earlier row.

    `code` is `codes(...)` of the key columns, `numbers` the rows' record numbers (in any
    order). Returns (indices of the repeating rows, index of the latest earlier row with the
    same key, record number of the first row with the key), by record number.
    """
    if not len(code) or int(code.max()) + 1 == len(code):  # every key once (codes are dense)
        none = np.zeros(0, np.int64)
        return none, none, none
    part = np.flatnonzero(take_part)
    sub, at = code[part], numbers[part]
    if not len(sub):
        return part, part, numbers[part]
    first = np.full(int(sub.max()) + 1, np.iinfo(np.int64).max)
    np.minimum.at(first, sub, at)
    repeat = at > first[sub]
    if not repeat.any():
        return part[:0], part[:0], numbers[part[:0]]
    involved = np.flatnonzero(np.isin(sub, sub[repeat]))  # rows of the repeated keys only
    order = involved[np.lexsort((at[involved], sub[involved]))]
    same = np.concatenate([[False], sub[order][1:] == sub[order][:-1]])
    previous = np.full(len(sub), -1, np.int64)
    previous[order] = np.where(same, np.concatenate([[-1], order[:-1]]), -1)
    rows = np.flatnonzero(repeat)
    return part[rows], part[previous[rows]], first[sub[rows]]
