"""Querying the package with SQL: every resource as a typed table in an in-memory DuckDB."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .display import FORMATS, render_csv, render_json, render_table
from .errors import ExpoDataError
from .model.locate import locate
from .read.tables import read_table

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb
    import pyarrow as pa

    from .model.descriptor import Resource

EXTRA = "pip install 'expo-data[sql]'"
_SCRATCH = "_expo_data_arrow"
#: the result renderers (`display`), by format name, for `expo-data sql --format`
__all__ = ["FORMATS", "SQLError", "connect", "query", "render_csv", "render_json", "render_table"]


class SQLError(ExpoDataError, ValueError):
    """A SQL statement failed: syntax, unknown table or column, type mismatch…"""


def _duckdb() -> Any:
    try:
        import duckdb
    except ImportError:
        raise ModuleNotFoundError(
            f"SQL needs duckdb, which is not installed: {EXTRA}", name="duckdb"
        ) from None
    return duckdb


#: rows a query may return (`query(limit=)`, `expo-data sql --limit`)
ROW_LIMIT = 100_000
#: rows fetched from DuckDB at a time
BATCH = 10_000
#: memory DuckDB may use for a query beyond what the loaded tables take
MEMORY_HEADROOM = 1 << 30

#: settings that shut DuckDB off from the machine: no files, network, extensions or secrets;
#: no temporary folder (DuckDB's default `.tmp` would stay readable and writable), and a
#: memory limit (set by `connect`) so a query fails instead of exhausting memory
SANDBOX = (
    "SET temp_directory = ''",
    "SET enable_external_access = false",
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    "SET allow_community_extensions = false",
    "SET lock_configuration = true",
)


def connect(
    path: str | Path | None = None,
    *,
    release: str | None = None,
    trusted: bool = False,
    sandbox: bool = True,
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection holding every resource as a table typed by its schema.

    `path` is a CSV package or a Parquet release folder (a datapackage.json or its folder;
    None = the bundled package); `release` is the version of a published release instead.
    Column types follow the Arrow types of `typemap`; enum-constrained strings become DuckDB
    ENUMs in schema order, required fields NOT NULL. Keys are not enforced: run `validate`.
    Table and column comments hold the resource and field titles (see `duckdb_columns()`).

    Once the tables are in, the connection is sandboxed (SANDBOX): no file is read or
    written (`read_csv`, `COPY … TO`, `ATTACH`, `EXPORT`), no extension installed or
    loaded, no network, and the settings are locked. `sandbox=False` leaves DuckDB's
    defaults, with the access of the user running it (only for queries you trust). A
    sandboxed query has no temporary folder to spill to and may use MEMORY_HEADROOM bytes
    beyond the tables: one that needs more fails with SQLError.
    `trusted=True` allows resource paths outside the package folder and remote URLs (only
    for packages you trust); by default they raise UnsafePathError.
    """
    duckdb = _duckdb()
    package = locate(path, release=release, trusted=trusted)
    con = duckdb.connect(":memory:")
    for resource in package.resources:
        _create(con, resource, read_table(resource, package))
    if sandbox:
        (used,) = con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchone()
        con.execute(f"SET memory_limit = '{int(used or 0) + MEMORY_HEADROOM}B'")
        for statement in SANDBOX:
            con.execute(statement)
    return con


def query(
    sql: str,
    path: str | Path | None = None,
    *,
    release: str | None = None,
    trusted: bool = False,
    sandbox: bool = True,
    limit: int | None = ROW_LIMIT,
) -> tuple[list[str], list[tuple]]:
    """Run `sql` on a fresh `connect(path, release=…)`; (column names, rows) of its last result.

    Rows are fetched in batches: a result of more than `limit` rows (None: no bound) raises
    SQLError once the bound is passed, before it can fill memory (0 or None: no bound).
    `trusted=True` allows resource paths outside the package folder and remote URLs (only
    for packages you trust); by default they raise UnsafePathError.
    """
    duckdb = _duckdb()
    if not sql.strip():
        raise SQLError("the query is empty: pass a SQL statement, e.g. SELECT * FROM <resource>")
    with connect(path, release=release, trusted=trusted, sandbox=sandbox) as con:
        try:
            cursor = con.execute(sql)
            if cursor is None or cursor.description is None:
                return [], []
            return [d[0] for d in cursor.description], _fetch(cursor, limit)
        except duckdb.OutOfMemoryException:
            raise SQLError(
                f"the query needs more memory than the {MEMORY_HEADROOM >> 20} MiB it may use "
                "beyond the tables; narrow it (WHERE, LIMIT, fewer columns)"
            ) from None
        except duckdb.Error as exc:
            raise SQLError(_first_lines(str(exc))) from None
        except MemoryError:
            raise SQLError(
                "the result does not fit in memory; add a LIMIT or an aggregate to the query"
            ) from None


def _fetch(cursor: duckdb.DuckDBPyConnection, limit: int | None) -> list[tuple]:
    """Every row of the cursor's result, or SQLError once there are more than `limit`."""
    rows: list[tuple] = []
    while batch := cursor.fetchmany(BATCH):
        rows.extend(batch)
        if limit and len(rows) > limit:
            raise SQLError(
                f"the result has more than {limit} rows; add a LIMIT to the query, or allow "
                "more rows (limit=N, 0 for no bound)"
            )
    return rows


def _first_lines(message: str) -> str:
    """A DuckDB message without its `LINE n: …` excerpt and caret, which need a monospace block."""
    lines = []
    for line in message.splitlines():
        if line.startswith("LINE "):
            break
        if line.strip():
            lines.append(line.strip())
    return " ".join(lines) or message


def _create(con: duckdb.DuckDBPyConnection, resource: Resource, table: pa.Table) -> None:
    """CREATE TABLE from the schema, fill it from the Arrow table, comment it with the titles."""
    import pyarrow as pa

    duck_types = con.from_arrow(table.schema.empty_table()).types
    columns = []
    for field, arrow_field, duck_type in zip(
        resource.schema.fields, table.schema, duck_types, strict=True
    ):
        sql_type = str(duck_type)
        values = field.categories if field.categories is not None else field.enum
        if pa.types.is_dictionary(arrow_field.type) and field.type == "string" and values:
            sql_type = f"ENUM({', '.join(_literal(v) for v in values)})"
        columns.append(
            f"{_name(field.name)} {sql_type}{'' if arrow_field.nullable else ' NOT NULL'}"
        )
    name = _name(resource.name)
    con.execute(f"CREATE TABLE {name} ({', '.join(columns)})")
    con.register(_SCRATCH, table)
    try:
        con.execute(f"INSERT INTO {name} SELECT * FROM {_SCRATCH}")
    finally:
        con.unregister(_SCRATCH)
    if resource.title:
        con.execute(f"COMMENT ON TABLE {name} IS {_literal(resource.title)}")
    for field in resource.schema.fields:
        if field.title:
            con.execute(f"COMMENT ON COLUMN {name}.{_name(field.name)} IS {_literal(field.title)}")


def _name(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"
