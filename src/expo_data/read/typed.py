"""Typing string cells by the schema (the one cell grammar); the first unreadable cell named."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pyarrow as pa

from ..errors import DataError, show
from ..model.typemap import arrow_schema
from . import cells
from . import kernels as pc

if TYPE_CHECKING:
    from ..model.descriptor import Field, Package, Resource


def typed_table(
    resource: Resource,
    strings: pa.Table,
    package: Package | None,
    row_of: Callable[[Resource, int], int],
) -> pa.Table:
    """The table of strings typed column by column; the first bad cell raises DataError.

    `row_of(resource, index)` is the row number (header = 1) of data row `index`.
    """
    schema = arrow_schema(resource, package)
    columns = []
    for field, arrow_field in zip(resource.schema.fields, schema, strict=True):
        column, problem = typed(field, strings.column(field.name))
        if problem:
            row = row_of(resource, problem[0])
            raise DataError(
                problem[1], path=resource.path or resource.name, row=row, field=field.name
            )
        columns.append(column.cast(arrow_field.type) if column.type != arrow_field.type else column)
    return pa.Table.from_arrays(columns, schema=schema)


def typed(field: Field, raw: pa.ChunkedArray) -> tuple[pa.ChunkedArray, tuple[int, str] | None]:
    """The column typed, and (index, problem) of its first cell that cannot be loaded.

    Only a cell the type cannot hold stops loading; constraints (required, enum, pattern,
    ranges) are validation's to check, never the loader's.
    """
    column, bad = cells.parse(field, raw)
    if not pc.any(bad).as_py():
        return column, None
    problem = f"cannot read {show(raw.filter(bad)[0].as_py())} as {field.type}"
    return column, (pc.index(bad, True).as_py(), problem)
