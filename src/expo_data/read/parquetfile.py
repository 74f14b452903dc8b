"""Reading a Parquet resource: the file's Arrow table, checked against the schema's types."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from ..errors import DataError
from ..model.typemap import arrow_schema
from . import kernels as pc
from .cells import categories
from .source import open_source

if TYPE_CHECKING:
    from ..model.descriptor import Field, Package, Resource


def parquet_rows(resource: Resource) -> int:
    """The number of rows the Parquet file's metadata gives."""
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(open_source(resource)).metadata.num_rows
    except (OSError, pa.ArrowException) as exc:
        raise DataError(f"cannot read it as Parquet: {exc}", path=resource.path) from None


def read_parquet_table(resource: Resource, package: Package | None = None) -> pa.Table:
    """A Parquet resource as an Arrow table typed exactly as the CSV loader types it.

    The file's columns must be the schema's fields, in order; their types are cast to the
    schema's Arrow types (dictionaries for enums, metadata from the schema).
    """
    import pyarrow.parquet as pq  # pq.ParquetFile(...).read() never imports pandas

    expected = arrow_schema(resource, package)
    try:
        if resource.parts:  # a resource in parts: the files' rows, in order
            table = pa.concat_tables([pq.ParquetFile(_open(p)).read() for p in resource.parts])
        else:
            table = pq.ParquetFile(open_source(resource)).read()
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


def _open(location: object) -> pa.NativeFile | object:
    """One part of a multi-file resource: a local file memory-mapped, a URL fetched."""
    if isinstance(location, str):
        from urllib.request import urlopen

        with urlopen(location, timeout=60) as response:
            return pa.BufferReader(response.read())
    return pa.memory_map(str(location))
