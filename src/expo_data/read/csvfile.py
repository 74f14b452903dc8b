"""Reading a CSV resource typed: its cells (sources.delimited) typed by the one cell grammar."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.csv as pcsv

from ..errors import DataError
from ..model.typemap import arrow_schema
from ..sources.delimited import (
    csv_options,
    dialect_of,
    direct,
    header_message,
    parse_error,
    read_strings,
    record_number,
)
from .typed import typed, typed_table

if TYPE_CHECKING:
    from ..model.descriptor import Package, Resource


#: bytes per record batch when loading: memory holds the typed table and about one batch
STREAM_BLOCK = 1 << 22


def read_csv_table(resource: Resource, package: Package | None = None) -> pa.Table:
    """A CSV resource as an Arrow table typed by its schema; the first bad cell raises DataError.

    Streamed: each record batch of strings is typed and dropped, so memory holds the typed
    table and one batch, not the whole file as strings too. The first bad cell is the first
    field's (in schema order) first bad row, as if the whole column were read at once.
    """
    schema = resource.schema
    if (
        schema.fields_match != "exact"
        or not direct(resource)
        or any(f.missing_values is not None for f in schema.fields)
    ):
        return typed_table(resource, read_strings(resource), package, record_number)
    block = STREAM_BLOCK
    while True:
        try:
            return _read_typed(resource, package, block)
        except pa.ArrowInvalid as exc:
            if "straddling" in str(exc) and block < _size(resource):
                block *= 4  # a record longer than a block: read again in bigger blocks
                continue
            raise parse_error(resource, exc) from None


def _size(resource: Resource) -> int:
    return Path(resource.location).stat().st_size if not resource.is_remote else 0


def _read_typed(resource: Resource, package: Package | None, block: int) -> pa.Table:
    read, parse, convert = csv_options(resource.schema, dialect_of(resource), resource.encoding)
    read.block_size = block
    schema = arrow_schema(resource, package)
    # read, not mapped: the file's pages stay out of this process
    try:
        source = pa.OSFile(str(resource.location))
    except FileNotFoundError:
        raise DataError("file not found", path=resource.path) from None
    except OSError as exc:
        raise DataError(f"cannot read: {exc}", path=resource.path) from None
    reader = pcsv.open_csv(source, read, parse, convert)
    expected = resource.schema.names
    if reader.schema.names != expected:
        raise DataError(header_message(expected, reader.schema.names), path=resource.path, row=1)
    batches, first, offset = [], {}, 0  # first: field position → (row index, problem)
    for batch in reader:
        columns = []
        for j, (field, arrow_field) in enumerate(zip(resource.schema.fields, schema, strict=True)):
            raw = pa.chunked_array([batch.column(j)])
            typed_column, problem = typed(field, raw)
            if problem and j not in first:
                first[j] = (offset + problem[0], problem[1])
            if not first:
                columns.append(
                    typed_column.cast(arrow_field.type)
                    if typed_column.type != arrow_field.type
                    else typed_column
                )
        if not first:
            batches.append(pa.Table.from_arrays(columns, schema=schema))
        offset += batch.num_rows
    if first:
        j = min(first)
        index, problem = first[j]
        row = record_number(resource, index)
        raise DataError(problem, path=resource.path, row=row, field=resource.schema.fields[j].name)
    return pa.concat_tables(batches) if batches else schema.empty_table()
