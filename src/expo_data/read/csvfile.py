"""Reading a CSV resource: every cell as a string, then typed by the one cell grammar."""

from __future__ import annotations

import codecs
import csv
import io
import re
import sys
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.csv as pcsv

from ..errors import DataError, PackageError, show
from ..model.typemap import arrow_schema
from . import cells
from . import kernels as pc
from .source import open_source

if TYPE_CHECKING:
    from ..model.descriptor import Field, Package, Resource, Schema


def csv_options(schema: Schema, dialect: dict, encoding: str = "utf-8") -> tuple:
    """pyarrow (read, parse, convert) options that read every column as a string.

    Only the schema's missingValues become null; nothing else is interpreted.
    """
    if dialect.get("header", True) is False:
        raise PackageError("CSV files without a header row are not supported")
    read = pcsv.ReadOptions(encoding=encoding, block_size=1 << 24)
    parse = pcsv.ParseOptions(
        delimiter=dialect.get("delimiter", ","),
        quote_char=dialect.get("quoteChar", '"'),
        double_quote=dialect.get("doubleQuote", True),
        escape_char=dialect.get("escapeChar", False),
        newlines_in_values=True,
    )
    convert = pcsv.ConvertOptions(
        column_types={name: pa.string() for name in schema.names},
        null_values=list(schema.missing_values),
        strings_can_be_null=bool(schema.missing_values),
        quoted_strings_can_be_null=bool(schema.missing_values),
        check_utf8=True,
    )
    return read, parse, convert


def read_strings(resource: Resource) -> pa.Table:
    """The resource as a table of strings (null = a missing value), header checked.

    Columns are the schema's fields in order: by position (`fieldsMatch` "exact", the
    default), else by name, with fields the file lacks all null (v2 "superset", "partial").
    A field's own (v2) missingValues replace the schema's for its column.
    """
    schema = resource.schema
    own = any(f.missing_values is not None for f in schema.fields)
    read, parse, convert = csv_options(
        _without_missing(schema) if own else schema, dict(resource.dialect), resource.encoding
    )
    try:
        table = pcsv.read_csv(open_csv_bytes(resource), read, parse, convert)
        table.column_names  # noqa: B018 (labels that are not UTF-8 fail here)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise _parse_error(resource, exc) from None
    expected = schema.names
    if schema.fields_match != "exact":
        table = _match_by_name(resource, table)
    elif table.column_names != expected:
        raise DataError(_header_message(expected, table.column_names), path=resource.path, row=1)
    if own:
        table = pa.Table.from_arrays(
            [
                _null_where(table.column(f.name), schema.field_missing_values(f))
                for f in schema.fields
            ],
            names=expected,
        )
    return table


def _without_missing(schema: Schema) -> Schema:
    from dataclasses import replace

    return replace(schema, missing_values=())


def _null_where(column: pa.ChunkedArray, missing: tuple[str, ...]) -> pa.ChunkedArray:
    if not missing:
        return column
    import pyarrow.compute as pcompute

    nulls = pcompute.is_in(column, value_set=pa.array(list(missing), pa.string()))
    return pc.if_else(pcompute.fill_null(nulls, False), pa.scalar(None, pa.string()), column)


def _match_by_name(resource: Resource, table: pa.Table) -> pa.Table:
    """The schema's columns by name, as v2 `fieldsMatch` says (frictionless reads them so)."""
    schema, got = resource.schema, table.column_names
    expected = schema.names
    missing = [n for n in expected if n not in got]
    extra = [n for n in got if n not in expected]
    rule = schema.fields_match
    if (rule in ("equal", "subset") and missing) or (rule in ("equal", "superset") and extra):
        raise DataError(_header_message(expected, got), path=resource.path, row=1)
    if rule == "partial" and len(missing) == len(expected):
        raise DataError("no column matches a field of the schema", path=resource.path, row=1)
    if len(set(got)) != len(got):
        raise DataError(f"the header repeats a label: {got}", path=resource.path, row=1)
    columns = [
        table.column(n).cast(pa.string())
        if n in got
        else pa.chunked_array([pa.nulls(table.num_rows, pa.string())])
        for n in expected
    ]
    return pa.Table.from_arrays(columns, names=expected)


def open_csv_bytes(resource: Resource) -> pa.NativeFile:
    """The resource's bytes, decompressed as its `compression` (or its path's suffix) says.

    A pyarrow stream in every case (pyarrow's readers read it in their own threads): gzip is
    decompressed as it is read; a zip archive's one member is read whole.
    """
    kind = compression(resource)
    source = open_source(resource)
    if kind == "gz":
        return pa.CompressedInputStream(source, "gzip")
    if kind == "zip":
        import zipfile

        try:
            with zipfile.ZipFile(source) as archive:
                names = [n for n in archive.namelist() if not n.endswith("/")]
                if len(names) != 1:
                    raise DataError(
                        f"a zip resource must hold exactly one file, it holds {len(names)}",
                        path=resource.path,
                    )
                return pa.BufferReader(archive.read(names[0]))
        except (zipfile.BadZipFile, EOFError) as exc:
            raise DataError(
                f"not a readable zip archive ({exc}); check its `compression` (gz or zip)",
                path=resource.path,
            ) from None
    if kind:
        raise DataError(f"compression {kind!r} is not supported (gz, zip)", path=resource.path)
    return source


def compression(resource: Resource) -> str:
    """ "gz", "zip" or "" (none): as declared, else as the path's suffix says (as frictionless)."""
    if resource.compression:
        return resource.compression.lower().removeprefix(".")
    path = str(resource.path).lower().split("?", 1)[0]
    return next((kind for kind in ("gz", "zip") if path.endswith("." + kind)), "")


def _header_message(expected: list[str], got: list[str]) -> str:
    missing = [n for n in expected if n not in got]
    extra = [n for n in got if n not in expected]
    if missing or extra:
        parts = [
            f"missing column(s) {missing}" if missing else "",
            f"extra column(s) {extra}" if extra else "",
        ]
        return "header does not match the schema: " + "; ".join(p for p in parts if p)
    return f"columns are out of order: expected {expected}, got {got}"


def _parse_error(resource: Resource, exc: Exception) -> DataError:
    """Turn a pyarrow CSV error into a DataError that names the row where it can."""
    message = str(exc).splitlines()[0]
    # bytes that are not UTF-8 (UTF-16, Big5…) often surface as ragged rows: look first
    row = _first_bad_utf8_row(resource) if resource.encoding.lower() in ("utf-8", "utf8") else None
    if row is not None or "invalid UTF8" in message or "UTF-8" in message:
        return DataError("the file is not valid UTF-8", path=resource.path, row=row)
    ragged = re.search(r"Expected (\d+) columns, got (\d+)", message)
    if ragged:
        expected, got = ragged.groups()
        return DataError(
            f"expected {expected} cells, got {got}",
            path=resource.path,
            row=_first_ragged_row(resource),
        )
    return DataError(message, path=resource.path)


def _records(resource: Resource, end: int | None = None):
    """(record number, cells) for every CSV record, header = 1, as frictionless counts.

    The file is decoded as it is read (never held whole as text); `end` stops at that byte.
    """
    source = open_csv_bytes(resource)
    if end is not None:
        source = io.BytesIO(source.read(end))
    text = io.TextIOWrapper(source, encoding=resource.encoding, errors="replace", newline="")
    old = csv.field_size_limit()
    csv.field_size_limit(sys.maxsize)
    try:
        dialect = resource.dialect
        reader = csv.reader(
            text,
            delimiter=dialect.get("delimiter", ","),
            quotechar=dialect.get("quoteChar", '"'),
        )
        yield from enumerate(reader, start=1)
    finally:
        csv.field_size_limit(old)


def _first_ragged_row(resource: Resource) -> int | None:
    width = len(resource.schema.fields)
    for number, record in _records(resource):
        if record and len(record) != width:
            return number
    return None


def _first_bad_utf8_row(resource: Resource) -> int | None:
    """The CSV record holding the file's first byte that is not UTF-8; None if there is none."""
    source, decoder, start = open_csv_bytes(resource), codecs.getincrementaldecoder("utf-8")(), 0
    while True:  # decode chunk by chunk: find the offset without holding the text
        chunk, pending = source.read(1 << 24), len(decoder.getstate()[0])
        try:
            decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            bad = start - pending + exc.start
            break
        if not chunk:
            return None
        start += len(chunk)
    records = max((n for n, _ in _records(resource, end=bad)), default=0)
    at_line_start = bad == 0 or open_csv_bytes(resource).read(bad)[bad - 1 : bad] == b"\n"
    return records + 1 if at_line_start else records


def record_numbers(resource: Resource) -> list[int]:
    """The CSV record number (header = 1) of every data row pyarrow reads, in order."""
    return [n for n, record in _records(resource) if n > 1 and record]


def _record_number(resource: Resource, index: int) -> int:
    """The CSV record number (header = 1) of data row `index`, as frictionless counts.

    pyarrow skips blank lines, frictionless counts them; an error path, so one more
    record-by-record pass over the file is fine.
    """
    records = (n for n, record in _records(resource) if n > 1 and record)
    return next(islice(records, index, None))


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
        or compression(resource)
        or any(f.missing_values is not None for f in schema.fields)
    ):
        return _typed_table(resource, read_strings(resource), package)
    block = STREAM_BLOCK
    while True:
        try:
            return _read_typed(resource, package, block)
        except pa.ArrowInvalid as exc:
            if "straddling" in str(exc) and block < _size(resource):
                block *= 4  # a record longer than a block: read again in bigger blocks
                continue
            raise _parse_error(resource, exc) from None


def _typed_table(resource: Resource, strings: pa.Table, package: Package | None) -> pa.Table:
    """The table of strings typed column by column; the first bad cell raises DataError."""
    schema = arrow_schema(resource, package)
    columns = []
    for field, arrow_field in zip(resource.schema.fields, schema, strict=True):
        typed, problem = _typed(field, strings.column(field.name))
        if problem:
            row = _record_number(resource, problem[0])
            raise DataError(problem[1], path=resource.path, row=row, field=field.name)
        columns.append(typed.cast(arrow_field.type) if typed.type != arrow_field.type else typed)
    return pa.Table.from_arrays(columns, schema=schema)


def _size(resource: Resource) -> int:
    return Path(resource.location).stat().st_size if not resource.is_remote else 0


def _read_typed(resource: Resource, package: Package | None, block: int) -> pa.Table:
    read, parse, convert = csv_options(resource.schema, dict(resource.dialect), resource.encoding)
    read.block_size = block
    schema = arrow_schema(resource, package)
    source = open_source(resource)
    if not resource.is_remote:  # read, not mapped: the file's pages stay out of this process
        source = pa.OSFile(str(resource.location))
    reader = pcsv.open_csv(source, read, parse, convert)
    expected = resource.schema.names
    if reader.schema.names != expected:
        raise DataError(_header_message(expected, reader.schema.names), path=resource.path, row=1)
    batches, first, offset = [], {}, 0  # first: field position → (row index, problem)
    for batch in reader:
        columns = []
        for j, (field, arrow_field) in enumerate(zip(resource.schema.fields, schema, strict=True)):
            raw = pa.chunked_array([batch.column(j)])
            typed, problem = _typed(field, raw)
            if problem and j not in first:
                first[j] = (offset + problem[0], problem[1])
            if not first:
                columns.append(
                    typed.cast(arrow_field.type) if typed.type != arrow_field.type else typed
                )
        if not first:
            batches.append(pa.Table.from_arrays(columns, schema=schema))
        offset += batch.num_rows
    if first:
        j = min(first)
        index, problem = first[j]
        row = _record_number(resource, index)
        raise DataError(problem, path=resource.path, row=row, field=resource.schema.fields[j].name)
    return pa.concat_tables(batches) if batches else schema.empty_table()


def _typed(field: Field, raw: pa.ChunkedArray) -> tuple[pa.ChunkedArray, tuple[int, str] | None]:
    """The column typed, and (index, problem) of its first cell that cannot be loaded."""
    typed, bad = cells.parse(field, raw)
    problem = ""
    if pc.any(bad).as_py():
        problem = f"cannot read {show(raw.filter(bad)[0].as_py())} as {field.type}"
    elif pa.types.is_dictionary(typed.type) and typed.null_count != raw.null_count:
        bad = pc.and_(pc.is_valid(raw), pc.is_null(typed))
        allowed = field.categories if field.categories is not None else field.enum
        problem = f"{show(raw.filter(bad)[0].as_py())} is not one of {allowed}"
    elif field.required and raw.null_count:
        bad = pc.is_null(raw)
        problem = "a required value is missing"
    return typed, (pc.index(bad, True).as_py(), problem) if problem else None
