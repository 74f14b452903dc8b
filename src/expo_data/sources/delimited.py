"""CSV and TSV sources: every cell as a string (null = missing), header checked, records numbered."""

from __future__ import annotations

import codecs
import csv
import io
import re
import sys
from itertools import islice
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.csv as pcsv

from ..errors import DataError
from .stream import is_plain, open_bytes, uncommented

if TYPE_CHECKING:
    from ..model.descriptor import Resource, Schema


def csv_options(schema: Schema, dialect: dict, encoding: str = "utf-8") -> tuple:
    """pyarrow (read, parse, convert) options that read every column as a string.

    Only the schema's missingValues become null; nothing else is interpreted.
    """
    read = pcsv.ReadOptions(encoding=encoding, block_size=1 << 24)
    if dialect.get("header", True) is False:  # no header row: the schema names the columns
        read.column_names = list(schema.names)
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


def dialect_of(resource: Resource) -> dict:
    """The resource's CSV dialect, a TSV's tab delimiter included (as frictionless reads it)."""
    dialect = dict(resource.dialect)
    if resource.format == "tsv" and "delimiter" not in dialect:
        dialect["delimiter"] = "\t"
    return dialect


def read_strings(resource: Resource) -> pa.Table:
    """The resource as a table of strings (null = a missing value), header checked.

    Columns are the schema's fields in order: by position (`fieldsMatch` "exact", the
    default), else by name, with fields the file lacks all null (v2 "superset", "partial").
    A field's own (v2) missingValues replace the schema's for its column.
    """
    schema = resource.schema
    space = _skips_space(dialect_of(resource))  # cells and labels lose their leading spaces
    own = space or any(f.missing_values is not None for f in schema.fields)
    read, parse, convert = csv_options(
        _without_missing(schema) if own else schema, dialect_of(resource), resource.encoding
    )
    # a Python stream (parts, archives, URLs) is read in this thread: an error it raises in
    # one of pyarrow's would leave that thread waiting for the interpreter at exit
    read.use_threads = direct(resource)
    try:
        table = pcsv.read_csv(open_csv_bytes(resource), read, parse, convert)
        table.column_names  # noqa: B018 (labels that are not UTF-8 fail here)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise parse_error(resource, exc) from None
    if space:
        import pyarrow.compute as pcompute

        table = pa.Table.from_arrays(
            [pcompute.utf8_ltrim(column, characters=" ") for column in table.columns],
            names=[name.lstrip(" ") for name in table.column_names],
        )
    expected = schema.names
    if schema.fields_match != "exact":
        table = _match_by_name(resource, table)
    elif table.column_names != expected:
        raise DataError(header_message(expected, table.column_names), path=resource.path, row=1)
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

    from ..read import kernels

    nulls = pcompute.is_in(column, value_set=pa.array(list(missing), pa.string()))
    return kernels.if_else(pcompute.fill_null(nulls, False), pa.scalar(None, pa.string()), column)


def _match_by_name(resource: Resource, table: pa.Table) -> pa.Table:
    """The schema's columns by name, as v2 `fieldsMatch` says (frictionless reads them so)."""
    schema, got = resource.schema, table.column_names
    expected = schema.names
    missing = [n for n in expected if n not in got]
    extra = [n for n in got if n not in expected]
    rule = schema.fields_match
    if (rule in ("equal", "subset") and missing) or (rule in ("equal", "superset") and extra):
        raise DataError(header_message(expected, got), path=resource.path, row=1)
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
    """The resource's bytes as a pyarrow stream: its files joined, decompressed as they are read.

    One plain local file is memory-mapped; anything else goes through `stream.open_bytes`
    (parts joined as frictionless joins them, gzip and zip streamed with a bounded expansion).
    """
    if direct(resource):
        try:
            return pa.memory_map(str(resource.location))
        except FileNotFoundError:
            raise DataError("file not found", path=resource.path) from None
        except OSError as exc:
            raise DataError(f"cannot read: {exc}", path=resource.path) from None
    comment = dialect_of(resource).get("commentChar")
    stream = open_bytes(resource)
    return pa.PythonFile(uncommented(stream, comment.encode()) if comment else stream, mode="r")


def direct(resource: Resource) -> bool:
    """Whether pyarrow reads the file as it is: one plain local file, a dialect it knows."""
    dialect = dialect_of(resource)
    return is_plain(resource) and not dialect.get("commentChar") and not _skips_space(dialect)


def _skips_space(dialect: dict) -> bool:
    return dialect.get("skipInitialSpace") is True


def header_message(expected: list[str], got: list[str]) -> str:
    missing = [n for n in expected if n not in got]
    extra = [n for n in got if n not in expected]
    if missing or extra:
        parts = [
            f"missing column(s) {missing}" if missing else "",
            f"extra column(s) {extra}" if extra else "",
        ]
        return "header does not match the schema: " + "; ".join(p for p in parts if p)
    return f"columns are out of order: expected {expected}, got {got}"


def parse_error(resource: Resource, exc: Exception) -> DataError:
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
        dialect = dialect_of(resource)
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
    first = _first_data_record(resource)
    return [n for n, record in _records(resource) if n >= first and record]


def record_number(resource: Resource, index: int) -> int:
    """The CSV record number (header = 1) of data row `index`, as frictionless counts.

    pyarrow skips blank lines, frictionless counts them; an error path, so one more
    record-by-record pass over the file is fine.
    """
    first = _first_data_record(resource)
    records = (n for n, record in _records(resource) if n >= first and record)
    return next(islice(records, index, None))


def _first_data_record(resource: Resource) -> int:
    """1 when the dialect says there is no header row, else 2 (the header is record 1)."""
    return 1 if resource.dialect.get("header", True) is False else 2
