"""Parquet sources: every part's rows as one Arrow table, checked against the schema's types."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from ..errors import DataError
from ..model.typemap import arrow_schema
from ..read import kernels as pc
from ..read.cells import categories
from .stream import open_file

if TYPE_CHECKING:
    from ..model.descriptor import Field, Package, Resource


def parquet_rows(resource: Resource, package: Package | None = None) -> int:
    """The number of rows the Parquet files' metadata gives (every part)."""
    import pyarrow.parquet as pq

    try:
        return sum(
            pq.ParquetFile(_open(p, resource.path)).metadata.num_rows for p in resource.files
        )
    except (OSError, pa.ArrowException) as exc:
        raise DataError(f"cannot read it as Parquet: {exc}", path=resource.path) from None


def read_parquet_table(resource: Resource, package: Package | None = None) -> pa.Table:
    """A Parquet resource as an Arrow table typed exactly as the CSV loader types it.

    The file's columns must be the schema's fields, in order; their types are cast to the
    schema's Arrow types (dictionaries for enums, metadata from the schema).
    """
    expected = arrow_schema(resource, package)
    try:
        table = parquet_files(resource)
    except (OSError, pa.ArrowException) as exc:
        raise DataError(f"cannot read it as Parquet: {exc}", path=resource.path) from None
    if table.column_names != expected.names:
        raise DataError(
            f"columns {table.column_names} do not match the schema's fields {expected.names}",
            path=resource.path,
        )
    try:  # kernels by name: Table.cast would import pyarrow.compute (slow)
        columns = [
            _dictionary(column, field, kind)
            if pa.types.is_dictionary(kind.type)
            else column
            if column.type == kind.type
            else pc.cast(column, kind.type)
            for column, field, kind in zip(
                table.columns, resource.schema.fields, expected, strict=True
            )
        ]
        return pa.Table.from_arrays(columns, schema=expected)
    except (pa.ArrowException, ValueError, NotImplementedError) as exc:
        raise DataError(f"does not match its schema: {exc}", path=resource.path) from None


def parquet_files(resource: Resource) -> pa.Table:
    """Every file of the resource read as it is (untyped), rows in order: parts joined.

    Raises OSError or ArrowException when a file is not Parquet; DataError when missing.
    """
    import pyarrow.parquet as pq  # pq.ParquetFile(...).read() never imports pandas

    tables = [pq.ParquetFile(_open(p, resource.path)).read() for p in resource.files]
    return pa.concat_tables(tables) if len(tables) > 1 else tables[0]


def parquet_strings(resource: Resource, package: Package | None = None) -> pa.Table:
    """The typed values in their lexical form (`true`, `2023-11-15`, `1.5`), enums decoded."""
    table = read_parquet_table(resource, package)
    columns = [
        pc.cast(column, pa.string()) if column.type != pa.string() else column
        for column in table.columns
    ]
    return pa.table(columns, names=table.column_names)


def _dictionary(column: pa.ChunkedArray, field: Field, kind: pa.Field) -> pa.ChunkedArray:
    """An enum or category column over the schema's values, in the schema's order.

    Parquet keeps a dictionary only for strings (integer categories come back plain), and a
    file's dictionary need not list the values in the schema's order.
    """
    values = categories(field)
    if pa.types.is_dictionary(column.type):
        column = pc.cast(column, column.type.value_type)
    chunks = [
        pa.DictionaryArray.from_arrays(
            pc.index_in(pc.cast(c, values.type), value_set=values),
            values,
            ordered=kind.type.ordered,
        )
        for c in column.chunks
    ]
    return pa.chunked_array(chunks, kind.type)


def _open(location: object, name: str) -> pa.NativeFile | object:
    """One file: a local one memory-mapped, a trusted URL fetched (bounded)."""
    if isinstance(location, str):
        return open_file(location, name)
    try:
        return pa.memory_map(str(location))
    except FileNotFoundError:
        raise DataError("file not found", path=name) from None
