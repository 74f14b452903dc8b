"""Parsing string cells into typed Arrow arrays, with the rows that do not parse."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from .typemap import arrow_type

if TYPE_CHECKING:
    from .package import Field


def parse(field: Field, strings: pa.ChunkedArray) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """Cast a string column to the field's Arrow type.

    Returns the typed column (null where a cell does not parse) and a boolean mask that is
    true where a non-null cell does not parse (a frictionless `type-error`).
    """
    target = arrow_type(field)
    if pa.types.is_dictionary(target):
        enum = pa.array([str(v) for v in field.enum], pa.string())
        indices = pc.index_in(strings, value_set=enum)
        typed = pa.chunked_array(
            [pa.DictionaryArray.from_arrays(c, enum, ordered=True) for c in indices.chunks],
            target,
        )
        return typed, _none(strings)  # not a type error: the enum constraint reports it
    if target == pa.string():
        return strings, _none(strings)
    if field.type == "boolean":
        true = pc.is_in(strings, value_set=pa.array(field.true_values, pa.string()))
        false = pc.is_in(strings, value_set=pa.array(field.false_values, pa.string()))
        typed = pc.if_else(true, True, pc.if_else(false, False, pa.scalar(None, pa.bool_())))
        return typed, pc.and_(pc.is_valid(strings), pc.invert(pc.or_(true, false)))
    typed = _cast(strings, target)
    return typed, pc.and_(pc.is_valid(strings), pc.is_null(typed))


def _none(strings: pa.ChunkedArray) -> pa.ChunkedArray:
    """An all-false mask as long as the column."""
    return pc.and_(pc.is_valid(strings), pa.scalar(False))


def _cast(strings: pa.ChunkedArray, target: pa.DataType) -> pa.ChunkedArray:
    """Element-wise safe cast: cells that do not parse become null."""
    try:
        return pc.cast(strings, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    out = []
    for value in strings.to_pylist():
        try:
            out.append(pc.cast(pa.scalar(value, pa.string()), target).as_py())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            out.append(None)
    return pa.chunked_array([pa.array(out, target)], target)
