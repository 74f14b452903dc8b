"""Where every engine gets a resource's data: raw bytes, string batches, Parquet tables.

The one seam between validation and the files: the engines read nothing else (DuckDB's own
CSV reader aside, which reads only plain local files and falls back to `csv_batches`). The
bodies are the source layer's (`expo_data.sources`): every form it reads, engines read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.csv as pcsv

from ..sources.delimited import dialect_of, direct, open_csv_bytes
from ..sources.registry import readable, source
from .workers import each

if TYPE_CHECKING:
    from pathlib import Path

    from ..model.descriptor import Resource


def is_text(resource: Resource) -> bool:
    """Whether the resource is read as string batches (`csv_batches`): the lexical checks apply."""
    return readable(resource) and source(resource).kind == "delimited"


def is_typed(resource: Resource) -> bool:
    """Whether the resource is read as a typed table (`parquet_table`): its schema is checked."""
    return readable(resource) and source(resource).kind == "parquet"


def open_bytes(resource: Resource) -> Any:
    """A binary stream of the resource's text: decompressed, parts joined, URLs fetched (bounded).

    The source layer's (`expo_data.sources`); one plain local file is opened as it is.
    """
    if direct(resource):
        return open(str(resource.location), "rb")
    return open_csv_bytes(resource)


def line_of(resource: Resource, offset: int) -> int:
    """The physical line (from 1) of the resource's byte at `offset`, its text read again."""
    lines, left = 1, max(offset, 0)
    with open_bytes(resource) as stream:
        while left > 0 and (data := stream.read(min(left, 1 << 22))):
            lines, left = lines + data.count(b"\n"), left - len(data)
    return lines


def csv_batches(
    stream: Any,
    resource: Resource,
    *,
    block: int,
    width: int,
    nulls: bool,
    skip: Callable[[Any], str],
    batch: int = 0,
    check_utf8: bool = True,
) -> Iterator[list[pa.RecordBatch]]:
    """The CSV's records as string columns, in groups of record batches, the header first.

    pyarrow parses `block` bytes at a time (a small block parses faster, its data in the
    CPU's cache); its batches come in groups of `batch` bytes or more, to be `joined` into
    one batch to check (a big batch costs fewer kernel calls). `width` columns at most are
    named; `nulls`: "" is read as null; `skip` is told each record of another width than the
    header's (pyarrow's invalid-row handler); `check_utf8=False` leaves the cells' UTF-8 to
    the caller (pyarrow checks it cell by cell: a third of its parse). Nothing for an empty
    file. Raises pyarrow.ArrowInvalid (a record longer than `block`…), UnicodeDecodeError.
    """
    names = [f"f{j}" for j in range(width)]
    dialect = dialect_of(resource)
    try:
        reader = pcsv.open_csv(
            stream,
            read_options=pcsv.ReadOptions(
                encoding=_pyarrow_encoding(resource.encoding),
                block_size=block,
                autogenerate_column_names=True,
                # read in this thread (the caller's read-ahead thread): pyarrow then numbers
                # the rows it skips (`skip` is given row.number), and a Python stream's error
                # never leaves one of its threads waiting (see sources.delimited.read_strings)
                use_threads=False,
            ),
            parse_options=pcsv.ParseOptions(
                delimiter=dialect.get("delimiter", ","),
                quote_char=dialect.get("quoteChar", '"'),
                double_quote=dialect.get("doubleQuote", True),
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=skip,
            ),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                null_values=[""],
                strings_can_be_null=nulls,
                quoted_strings_can_be_null=nulls,
                check_utf8=check_utf8,
            ),
        )
    except pa.ArrowInvalid as exc:
        if "Empty CSV" not in str(exc):
            raise
        return
    parts: list[pa.RecordBatch] = []
    size = 0
    for part in reader:
        parts.append(part)
        size += part.nbytes
        if size >= batch:
            yield parts
            parts, size = [], 0
    if parts:
        yield parts


def joined(parts: list[pa.RecordBatch]) -> list[pa.Array]:
    """The columns of consecutive record batches, each joined into one array (on the worker
    threads: a copy of the batch's bytes, which the checks of the batch wait for)."""
    if len(parts) == 1:
        return parts[0].columns
    return each(
        lambda j: pa.concat_arrays([p.column(j) for p in parts]), range(parts[0].num_columns)
    )


def is_utf8(resource: Resource) -> bool:
    """Whether pyarrow reads the resource's text as UTF-8 (as it is, not transcoded)."""
    return _pyarrow_encoding(resource.encoding) == "utf8"


def _pyarrow_encoding(encoding: str) -> str:
    normal = encoding.lower().replace("_", "-")
    return "utf8" if normal in ("utf-8", "utf8", "utf-8-sig") else encoding


def parts(resource: Resource) -> tuple[Path | str, ...]:
    """Every file of the resource, in order (one, unless its `path` is a list)."""
    return resource.files


def parquet_table(resource: Resource) -> pa.Table:
    """The resource's rows as one Arrow table: every part, in order.

    Raises DataError (a file cannot be opened), OSError or ArrowException (not Parquet, or
    parts whose schemas differ).
    """
    from ..sources.parquet import parquet_files

    return parquet_files(resource)
