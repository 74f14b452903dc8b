"""The DuckDB engine: DuckDB reads the CSVs as strings, Arrow checks the cells, SQL the keys.

For packages larger than memory. DuckDB streams each CSV as VARCHAR columns (no type is
guessed); its record batches go through the fast engine's per-batch checks (`batch.py`, the
one cell grammar of `read/cells.py`), and the typed key columns go into an on-disk DuckDB
table, so neither the file nor its keys are held in memory. Primary keys and `unique`
fields are checked with `GROUP BY … HAVING count(*) > 1`, foreign keys as anti-joins, under
`memory_limit`, spilling to a temporary directory.

Record numbers: DuckDB's CSV reader cannot tell the record number of a row, and it silently
skips empty lines. A file gets the DuckDB reading only when a streamed byte scan
(`records.plain_records`) shows it is plain (quotes only at field edges, no CR, no empty
line, no quote left open) and DuckDB refuses rows of the wrong width: then every record is
one row, in order, and row k (header = 0) is record k + 1; the scan's record count is checked
against DuckDB's row count at the end. Any other file (ragged rows, empty lines, stray
quotes, CR line ends, other encodings, invalid UTF-8) is read by the fast engine's exact
pyarrow pass, its keys then moved into DuckDB all the same.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...errors import ExpoDataError
from ...read import cells
from ...read.buffers import ZERO_FLOAT
from .. import checks
from ..batch import VECTOR_TYPES, empty_is_missing
from ..keys import SqlKeys, unique_key_findings
from ..ordering import table_findings
from ..records import plain_records
from ..scan import (
    Options,
    Scan,
    batches_for,
    citation_sources,
    end_findings,
    hashers,
    project_findings,
    referenced,
    scan_csv,
    whole,
)
from ..sources import is_text
from . import fast
from .memory import duckdb_share, resolve

if TYPE_CHECKING:
    from ...model.descriptor import Package, Resource
    from ..report import Finding

EXTRA = "pip install 'expo-data[sql]'"
#: rows per record batch DuckDB hands over
BATCH_ROWS = 1 << 16
#: bytes of the longest record DuckDB reads (longer ones: the pyarrow pass); its buffers are 4x
MAX_LINE = 1 << 20


class MissingExtra(ExpoDataError):
    """An optional dependency is not installed."""

    exit_code = 2


class OutOfMemory(ExpoDataError, MemoryError):
    """DuckDB ran out of memory under its limit: the package was not validated."""

    exit_code = 2


def _duckdb() -> Any:
    try:
        import duckdb
    except ImportError:
        raise MissingExtra(
            f"the duckdb engine needs duckdb, which is not installed: {EXTRA}"
        ) from None
    return duckdb


def duckdb_findings(
    package: Package,
    *,
    limit_errors: int,
    trusted: bool = False,
    table: bool = True,
    profile: checks.Profile | None = None,
    memory_limit: str | int | None = None,
    rows: dict[str, int] | None = None,
    temp_directory: str | Path | None = None,
) -> list[Finding]:
    """Table Schema findings (`table`) and the `profile`'s checks, as the fast engine.

    Packages with other than CSV resources, or CSV dialects the fast engine hands to
    frictionless, are checked by the fast engine. `rows` receives each resource's data rows.

    `memory_limit` (a size as DuckDB writes it, "64MB" or "512MiB", or an int of bytes;
    default $EXPO_DATA_DUCKDB_MEMORY_LIMIT, else DuckDB's 80% of RAM; `memory.size_bytes`)
    bounds the engine's memory: DuckDB gets all of it but what Python and Arrow need
    (`memory.duckdb_share`) and runs one thread; it spills to a temporary folder made inside
    `temp_directory` (default $EXPO_DATA_DUCKDB_TEMP_DIRECTORY, else the system's), removed
    afterwards. A size that is not one is a MemoryLimitError (a ValueError).
    """
    limit = resolve(memory_limit)  # checked before anything is read
    duckdb = _duckdb()
    temp_directory = temp_directory or os.environ.get("EXPO_DATA_DUCKDB_TEMP_DIRECTORY") or None
    if table and not (fast.supported(package) and all(is_text(r) for r in package.resources)):
        return fast.findings(
            package,
            limit_errors=limit_errors,
            trusted=trusted,
            table=table,
            profile=profile,
            rows=rows,
        )
    if profile:
        profile = replace(profile, sources=citation_sources(package, profile))
    options = Options(table, profile, limit_errors)
    kept = referenced(package)
    with tempfile.TemporaryDirectory(prefix="expo-duckdb-", dir=temp_directory) as tmp:
        con = duckdb.connect(":memory:")  # spills to temp_directory past memory_limit
        try:
            if limit is not None:  # one thread: every thread holds buffers of its own
                con.execute(f"SET memory_limit = '{duckdb_share(limit[0])}B'")
                con.execute("SET threads = 1")
            con.execute(f"SET temp_directory = {_literal(tmp)}")
            con.execute("SET preserve_insertion_order = true")
            tables: dict[str, tuple[str, dict[int, pa.DataType]]] = {}
            scans = []
            for index, resource in enumerate(package.resources):
                keys = kept.get(resource.name, set())
                scan, types = _scan(con, f"keys_{index}", resource, package, options, keys)
                scans.append(scan)
                tables[resource.name] = (f"keys_{index}", types)
            byname = {s.resource.name: s for s in scans}
            if rows is not None:
                rows.update({s.resource.name: s.found.rows for s in scans if s.failure is None})
            out: list[Finding] = []
            store = SqlKeys(con, tables, byname, limit_errors)
            for scan in scans if table else ():
                out += table_findings(scan, byname, limit_errors, store)
                out += unique_key_findings(scan, store, limit_errors)
            for scan in scans if profile else ():
                out += scan.project
            return out
        except (duckdb.OutOfMemoryException, OSError) as exc:
            if "Out of Memory Error" not in str(exc):
                raise
            note = str(exc).splitlines()[0]
            given = limit[1] if limit else "DuckDB's default memory_limit, 80% of RAM"
            message = f"DuckDB ran out of memory ({given}), nothing validated: {note}"
            raise OutOfMemory(f"{message}; raise the limit") from exc
        finally:
            con.close()


def _literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


# -- reading one resource ---------------------------------------------------------------------


def _scan(
    con: Any, name: str, resource: Resource, package: Package, options: Options, keys: set[str]
) -> tuple[Scan, dict[int, pa.DataType]]:
    """Read one resource (DuckDB where the file is plain, else pyarrow); keys into `name`."""
    scan = _duckdb_scan(con, name, resource, package, options, keys)
    if scan is not None:
        return scan, _types(scan, keys)
    scan = scan_csv(resource, package, options, keys)
    types = _types(scan, keys) if options.table else {}
    _create(con, name, types)
    found = scan.found
    if scan.failure is None and found.key_rows is not None and types:
        columns = {j: found.keys[j][0] for j in types}
        _append(con, name, found.key_rows, columns)
    found.keys = {}
    return scan, types


def _types(scan: Scan, keys: set[str]) -> dict[int, pa.DataType]:
    """The key columns kept, by position, with their typed Arrow type."""
    if scan.labels is None:
        return {}
    out = {}
    for j, f in enumerate(scan.fields()):
        if f is not None and f.name in keys:
            out[j] = cells.ARROW_TYPES[f.type] if f.type in VECTOR_TYPES else pa.string()
    return out


def _create(con: Any, name: str, types: dict[int, pa.DataType]) -> None:
    schema = pa.schema([("row", pa.int64())] + [(f"c{j}", t) for j, t in types.items()])
    con.register("_expo_empty", schema.empty_table())
    try:
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM _expo_empty")
    finally:
        con.unregister("_expo_empty")


def _append(con: Any, name: str, rows: np.ndarray, columns: dict[int, pa.Array]) -> None:
    arrays = [pa.array(np.asarray(rows, np.int64))]
    for column in columns.values():
        if pa.types.is_floating(column.type):
            column = pc.add(column, ZERO_FLOAT)  # -0.0 and 0.0 are one key
        arrays.append(column)
    chunk = pa.Table.from_arrays(arrays, names=["row"] + [f"c{j}" for j in columns])
    con.register("_expo_keys", chunk)
    try:
        con.execute(f"INSERT INTO {name} SELECT * FROM _expo_keys")
    finally:
        con.unregister("_expo_keys")


def _duckdb_scan(
    con: Any, name: str, resource: Resource, package: Package, options: Options, keys: set[str]
) -> Scan | None:
    """The scan of a plain local UTF-8 file read by DuckDB; None where DuckDB may not read it."""
    if resource.is_remote or resource.encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
        return None
    if set("*?[]{}") & set(str(resource.location)):  # DuckDB would read the path as a glob
        return None
    dialect = resource.dialect
    delimiter, quote = dialect.get("delimiter", ","), dialect.get("quoteChar", '"')
    if dialect.get("doubleQuote", True) is False or len(delimiter.encode()) != 1:
        return None
    if len(quote.encode()) != 1:
        return None
    scan = Scan(resource)
    byte_checks, digests = checks.ByteChecks(), hashers(package, resource)
    try:
        with open(str(resource.location), "rb") as stream:
            data = whole(stream)
            size = len(data)
            for offset in range(0, size, 1 << 22):
                piece = data[offset : offset + (1 << 22)]
                byte_checks.feed(piece)
                for hasher in digests.values():
                    hasher.update(piece)
            if byte_checks.bom:
                return None
            layout = plain_records(data, delimiter, quote)
            if layout is None:
                return None
            records, header_end = layout
            header = bytes(data[:header_end]).decode("utf-8")
    except (OSError, ValueError):  # ValueError: an empty file cannot be mapped
        return None
    labels = next(_csv_reader(header, dialect), [])
    scan.labels = [label.strip() for label in labels]
    batches = batches_for(scan, options, keys)
    types = _types(scan, keys) if options.table else {}
    _create(con, name, types)
    try:
        reader = con.cursor().sql(_read_sql(resource, len(labels))).to_arrow_reader(BATCH_ROWS)
        seen = 0
        for batch in reader:
            columns = [c.cast(pa.string()) for c in batch.columns]
            first = seen
            if seen == 0:  # row 0 is the header
                columns = [c.slice(1) for c in columns]
                first = 1
            seen += batch.num_rows
            count = len(columns[0]) if columns else 0
            numbers = np.arange(first, first + count, dtype=np.int64) + 1
            batches.batch(columns, numbers)
            batches.rows += count
            if types and count:
                kept = {j: pa.concat_arrays(batches.found.keys.pop(j)) for j in types}
                _append(con, name, numbers, kept)
    except Exception as exc:  # DuckDB refused the file (a ragged row, bad UTF-8…)
        if not _refused(exc):
            raise
        con.execute(f"DROP TABLE {name}")
        return None
    if seen != records:
        con.execute(f"DROP TABLE {name}")
        return None
    scan.found = batches.found
    scan.found.rows = batches.rows
    if options.project:
        project = options.project
        scan.project = byte_checks.findings(resource, project) + project_findings(scan, project)
    if options.table:
        scan.end = end_findings(package, resource, digests, size)
    return scan


def _refused(exc: Exception) -> bool:
    """Whether DuckDB refused the file's contents (running out of memory is no refusal).

    Errors while the result streams reach Python through Arrow's C stream, as OSError.
    """
    import duckdb

    if isinstance(exc, duckdb.OutOfMemoryException) or "Out of Memory Error" in str(exc):
        return False
    return isinstance(exc, (duckdb.Error, OSError, pa.ArrowException))


def _csv_reader(text: str, dialect: Any):
    """Python's csv reader over `text`, in the resource's dialect."""
    import csv
    import io

    return csv.reader(
        io.StringIO(text, newline=""),
        delimiter=dialect.get("delimiter", ","),
        quotechar=dialect.get("quoteChar", '"'),
        doublequote=dialect.get("doubleQuote", True),
    )


def _read_sql(resource: Resource, width: int) -> str:
    """DuckDB's reading of the CSV: every cell a VARCHAR, header as a row, strict width."""
    dialect = resource.dialect
    names = [f"c{j}" for j in range(width)]
    columns = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"
    quote = dialect.get("quoteChar", '"')
    nulls = (
        "nullstr = '', allow_quoted_nulls = true"
        if empty_is_missing(resource)
        else f"force_not_null = [{', '.join(_literal(n) for n in names)}]"
    )
    return (
        f"SELECT * FROM read_csv({_literal(str(resource.location))}, header = false, "
        f"columns = {columns}, delim = {_literal(dialect.get('delimiter', ','))}, "
        f"quote = {_literal(quote)}, escape = {_literal(quote)}, new_line = '\\n', "
        f"auto_detect = false, strict_mode = true, encoding = 'utf-8', "
        f"max_line_size = {MAX_LINE}, buffer_size = {4 * MAX_LINE}, {nulls})"
    )
