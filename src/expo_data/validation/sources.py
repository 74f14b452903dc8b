"""Where every engine gets a resource's data: raw bytes, string batches, Parquet tables.

The one seam between validation and the files: the engines read nothing else (DuckDB's own
CSV reader aside, which reads only plain local files and falls back to `csv_batches`). A
source layer that reads more forms of resource replaces these bodies.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.csv as pcsv

from ..read.csvfile import compression, open_csv_bytes
from ..read.source import open_source

if TYPE_CHECKING:
    from pathlib import Path

    from ..model.descriptor import Resource


def is_text(resource: Resource) -> bool:
    """Whether the resource is read as string batches (`csv_batches`): the lexical checks apply."""
    return resource.format == "csv"


def is_typed(resource: Resource) -> bool:
    """Whether the resource is read as a typed table (`parquet_table`): its schema is checked."""
    return resource.format == "parquet"


def open_bytes(resource: Resource) -> Any:
    """A binary stream of the resource's (decompressed) bytes; OSError when it cannot be opened."""
    if compression(resource):  # the checks read the text, not the compressed bytes
        return open_csv_bytes(resource)
    if resource.is_remote:
        from urllib.request import urlopen

        with urlopen(resource.location, timeout=60) as response:
            return io.BytesIO(response.read())
    return open(str(resource.location), "rb")


def csv_batches(
    stream: Any,
    resource: Resource,
    *,
    block: int,
    width: int,
    nulls: bool,
    skip: Callable[[Any], str],
) -> Iterator[list[pa.Array]]:
    """The CSV's records as string columns, batch by batch, the header as the first row.

    `width` columns at most are named; `nulls`: "" is read as null; `skip` is told each record
    of another width than the header's (pyarrow's invalid-row handler). Nothing for an empty
    file. Raises pyarrow.ArrowInvalid (a record longer than `block`…), UnicodeDecodeError.
    """
    names = [f"f{j}" for j in range(width)]
    dialect = resource.dialect
    try:
        reader = pcsv.open_csv(
            stream,
            read_options=pcsv.ReadOptions(
                encoding=_pyarrow_encoding(resource.encoding),
                block_size=block,
                autogenerate_column_names=True,
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
                check_utf8=True,
            ),
        )
    except pa.ArrowInvalid as exc:
        if "Empty CSV" not in str(exc):
            raise
        return
    for batch in reader:
        yield batch.columns


def _pyarrow_encoding(encoding: str) -> str:
    normal = encoding.lower().replace("_", "-")
    return "utf8" if normal in ("utf-8", "utf8", "utf-8-sig") else encoding


def parts(resource: Resource) -> tuple[Path | str, ...]:
    """Every file of the resource, in order (one, unless its `path` is a list)."""
    return resource.parts or (resource.location,)


def parquet_table(resource: Resource) -> pa.Table:
    """The resource's rows as one Arrow table: every part, in order.

    Raises DataError (a file cannot be opened), OSError or ArrowException (not Parquet, or
    parts whose schemas differ).
    """
    import pyarrow.parquet as pq  # ParquetFile(...).read() never imports pandas

    tables = []
    for part in parts(resource):
        source = open_source(resource if part == resource.location else _part(resource, part))
        tables.append(pq.ParquetFile(source).read())
    return tables[0] if len(tables) == 1 else pa.concat_tables(tables)


def _part(resource: Resource, location: Path | str) -> Resource:
    from dataclasses import replace

    name = location.rsplit("/", 1)[-1] if isinstance(location, str) else location.name
    return replace(resource, location=location, path=name, parts=())
