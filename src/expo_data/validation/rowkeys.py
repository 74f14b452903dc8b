"""Keys over whole columns: rows that repeat an earlier key, and keys missing from a lookup.

Values compare as frictionless compares the Python values it reads: typed (so "01" and "1"
are the same integer), None equal to None inside a composite key, NaN equal to nothing.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..read.buffers import ZERO_FLOAT, bools, to_bools, to_ints

_NUMERIC = (pa.int16(), pa.int64(), pa.float64())


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
    same key), by record number.
    """
    part = np.flatnonzero(take_part)
    sub, at = code[part], numbers[part]
    if not len(sub):
        return part, part
    first = np.full(int(sub.max()) + 1, np.iinfo(np.int64).max)
    np.minimum.at(first, sub, at)
    repeat = at > first[sub]
    if not repeat.any():
        return part[:0], part[:0]
    involved = np.flatnonzero(np.isin(sub, sub[repeat]))  # rows of the repeated keys only
    order = involved[np.lexsort((at[involved], sub[involved]))]
    same = np.concatenate([[False], sub[order][1:] == sub[order][:-1]])
    previous = np.full(len(sub), -1, np.int64)
    previous[order] = np.where(same, np.concatenate([[-1], order[:-1]]), -1)
    rows = np.flatnonzero(repeat)
    return part[rows], part[previous[rows]]


def lookup_misses(local: list[pa.Array], reference: list[pa.Array]) -> np.ndarray:
    """Rows of `local` whose (not all-null) key is not among the keys of `reference`."""
    size = len(local[0])
    all_null = np.ones(size, bool)
    for column in local:
        all_null &= to_bools(column.is_null())
    ref_all_null = np.ones(len(reference[0]), bool)
    for column in reference:
        ref_all_null &= to_bools(column.is_null())
    keep = bools(~ref_all_null)
    reference = [column.filter(keep) for column in reference]
    pairs = [_comparable(a, b) for a, b in zip(local, reference, strict=True)]
    if any(pair is None for pair in pairs):  # different types: nothing can match
        return ~all_null
    if len(local) == 1:
        a, b = pairs[0]
        found = to_bools(pc.is_in(a, value_set=b))
        return ~all_null & ~found
    joint = codes([pa.concat_arrays([a, b]) for a, b in pairs])
    return ~all_null & ~np.isin(joint[:size], joint[size:])


def _comparable(a: pa.Array, b: pa.Array) -> tuple[pa.Array, pa.Array] | None:
    if a.type == b.type:
        pass
    elif a.type in _NUMERIC and b.type in _NUMERIC:
        a, b = a.cast(pa.float64()), b.cast(pa.float64())
    else:
        return None
    if pa.types.is_floating(a.type):
        a, b = pc.add(a, ZERO_FLOAT), pc.add(b, ZERO_FLOAT)
    return a, b
