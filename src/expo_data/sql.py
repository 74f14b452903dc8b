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


#: settings that shut DuckDB off from the machine: no files, network, extensions or secrets
SANDBOX = (
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

    A resource that cannot be loaded (and a non-tabular one) is left out; the others are in.
    Once the tables are in, the connection is sandboxed (SANDBOX): no file is read or
    written (`read_csv`, `COPY … TO`, `ATTACH`, `EXPORT`), no extension installed or
    loaded, no network, and the settings are locked. `sandbox=False` leaves DuckDB's
    defaults, with the access of the user running it (only for queries you trust).
    `trusted=True` allows resource paths outside the package folder and remote URLs (only
    for packages you trust); by default they raise UnsafePathError.
    """
    return _connect(path, release=release, trusted=trusted, sandbox=sandbox)[0]


def _connect(
    path: str | Path | None, *, release: str | None, trusted: bool, sandbox: bool
) -> tuple[duckdb.DuckDBPyConnection, dict[str, str]]:
    """`connect`, and the resources left out, each with why it cannot be loaded."""
    duckdb = _duckdb()
    package = locate(path, release=release, trusted=trusted)
    con = duckdb.connect(":memory:")
    broken: dict[str, str] = {}
    for resource in package.resources:
        if not resource.tabular:
            continue
        try:  # one broken resource never keeps the others out
            table = read_table(resource, package)
        except ExpoDataError as exc:
            broken[resource.name] = str(exc)
            continue
        _create(con, resource, table)
    if sandbox:
        for statement in SANDBOX:
            con.execute(statement)
    return con, broken


def query(
    sql: str,
    path: str | Path | None = None,
    *,
    release: str | None = None,
    trusted: bool = False,
    sandbox: bool = True,
) -> tuple[list[str], list[tuple]]:
    """Run `sql` on a fresh `connect(path, release=…)`; (column names, rows) of its last result.

    `trusted=True` allows resource paths outside the package folder and remote URLs (only
    for packages you trust); by default they raise UnsafePathError.
    """
    duckdb = _duckdb()
    con, broken = _connect(path, release=release, trusted=trusted, sandbox=sandbox)
    with con:
        try:
            cursor = con.execute(sql)
            if cursor.description is None:
                return [], []
            return [d[0] for d in cursor.description], cursor.fetchall()
        except duckdb.Error as exc:
            message = _first_lines(str(exc))
            named = [n for n in broken if f"Table with name {n} does not exist" in message]
            if named:
                raise SQLError(
                    f"resource {named[0]!r} cannot be loaded, so it is not a table: "
                    f"{broken[named[0]]}"
                ) from None
            raise SQLError(message) from None


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
        column = table.column(field.name)
        if pa.types.is_dictionary(arrow_field.type) and field.type == "string" and values:
            values = list(values)  # then values outside them, as loaded (never dropped)
            for chunk in column.chunks:
                values += [v for v in chunk.dictionary.to_pylist() if v not in values]
            sql_type = f"ENUM({', '.join(_literal(v) for v in values)})"
        # NOT NULL where the schema requires it and the data hold it (loading keeps a gap)
        required = not arrow_field.nullable and column.null_count == 0
        columns.append(f"{_name(field.name)} {sql_type}{' NOT NULL' if required else ''}")
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
