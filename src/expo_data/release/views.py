"""The release's `views.sql`: DuckDB views over its Parquet files, enums and categories as ENUMs."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model.descriptor import Field, Package
    from .files import ReleaseFiles

VIEWS = "views.sql"


def duckdb_views(package: Package, files: ReleaseFiles) -> str:
    """One `CREATE OR REPLACE VIEW` per resource, run from the release folder.

    DuckDB reads a Parquet dictionary column as VARCHAR, so `ORDER BY` would sort an enum or
    a category alphabetically; the views cast those columns to an ENUM of the schema's
    values, in the schema's order (an ENUM sorts in its declaration order).
    """
    lines = [
        f"-- {package.name} {package.version}: DuckDB views over the release's Parquet files.",
        "-- Run in the release folder: duckdb -c '.read views.sql' (or duckdb -init views.sql).",
        "-- Enum and category columns are ENUMs in the schema's order, so ORDER BY follows it.",
    ]
    for resource in files.tables(package):
        parts = files.parts[resource.name]
        source = _literal(parts[0]) if len(parts) == 1 else f"[{', '.join(map(_literal, parts))}]"
        columns = ",\n  ".join(_column(f) for f in resource.schema.fields)
        lines += [
            "",
            f"CREATE OR REPLACE VIEW {_name(resource.name)} AS SELECT",
            f"  {columns}",
            f"FROM read_parquet({source});",
        ]
    return "\n".join(lines) + "\n"


def _column(field: Field) -> str:
    values = field.categories if field.categories is not None else field.enum
    if field.type != "string" or not values:
        return _name(field.name)
    enum = ", ".join(_literal(v) for v in values)
    return f"CAST({_name(field.name)} AS ENUM({enum})) AS {_name(field.name)}"


def _name(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"
