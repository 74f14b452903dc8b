"""Loading resources as typed tables: Arrow from each declared format, then pandas."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import PackageError
from ..model.locate import locate
from ..model.typemap import pandas_types_mapper

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd
    import pyarrow as pa

    from ..model.descriptor import Package, Resource

#: the formats the readers know
FORMATS = ("csv", "parquet")


def read_table(resource: Resource, package: Package | None = None) -> pa.Table:
    """The resource as an Arrow table typed by its schema, read as its `format` says."""
    if resource.format == "csv":
        from .csvfile import read_csv_table

        return read_csv_table(resource, package)
    if resource.format == "parquet":
        from .parquetfile import read_parquet_table

        return read_parquet_table(resource, package)
    raise PackageError(
        f"resource {resource.name!r}: format {resource.format!r} is not supported "
        f"(supported: {', '.join(FORMATS)})",
        resource=resource.name,
    )


def read_cells(resource: Resource, package: Package | None = None) -> pa.Table:
    """The resource's cells as strings (null = missing), whatever its format.

    A CSV's cells as written; a Parquet file's typed values in their lexical form
    (`true`, `2023-11-15`, `1.5`), enums decoded.
    """
    if resource.format == "csv":
        from .csvfile import read_strings

        return read_strings(resource)
    import pyarrow as pa

    from . import kernels as pc

    table = read_table(resource, package)
    columns = [
        pc.cast(column, pa.string()) if column.type != pa.string() else column
        for column in table.columns
    ]
    return pa.table(columns, names=table.column_names)


def row_count(resource: Resource, package: Package | None = None) -> int:
    """The resource's number of rows (for Parquet, from the file's metadata alone)."""
    if resource.format == "parquet":
        from .parquetfile import parquet_rows

        return parquet_rows(resource)
    return read_cells(resource, package).num_rows


def load_arrow(
    name: str,
    path: str | Path | None = None,
    *,
    trusted: bool = False,
    release: str | None = None,
    url: str | Path | None = None,
) -> pa.Table:
    """Load one resource as a pyarrow Table typed by its Table Schema.

    `path` is a datapackage.json (or its folder) of a CSV package or a Parquet release; None
    means the bundled package. Field titles and descriptions travel as Arrow field metadata,
    package name and version as schema metadata. With `release="V"` the table comes from
    Parquet release V instead (see `download_release`). `trusted=True` allows resource paths
    outside the package folder and remote URLs (only for packages you trust).
    """
    package = locate(path, release=release, url=url, trusted=trusted)
    return read_table(package.resource(name), package)


def to_pandas(table: pa.Table, *, index: list[str] | tuple[str, ...] = ()) -> pd.DataFrame:
    """An Arrow table as a DataFrame with nullable dtypes (string, Int64, Float64, boolean…)."""
    frame = table.to_pandas(types_mapper=pandas_types_mapper())
    return frame.set_index(list(index)) if index else frame


def load(
    name: str,
    path: str | Path | None = None,
    *,
    index: bool = False,
    trusted: bool = False,
    release: str | None = None,
    url: str | Path | None = None,
) -> pd.DataFrame:
    """Load one resource as a pandas DataFrame with dtypes from its Table Schema.

    Only the schema's missingValues become <NA>: "NA", "null", "None" and "0755" stay as
    written. With `index=True` the primary key becomes the index. With `release="V"` the
    table comes from Parquet release V of that package instead (fetched from `url`, else
    from where its descriptor says, see `load_arrow`), with the same dtypes.
    `trusted=True` allows resource paths outside the package folder and remote URLs (only
    for packages you trust); by default they raise UnsafePathError.
    """
    package = locate(path, release=release, url=url, trusted=trusted)
    resource = package.resource(name)
    table = read_table(resource, package)
    return to_pandas(table, index=resource.schema.primary_key if index else ())


def load_all(
    path: str | Path | None = None,
    *,
    trusted: bool = False,
    release: str | None = None,
    url: str | Path | None = None,
) -> dict[str, pd.DataFrame]:
    """Every resource of the package (or of its release `release`, as for `load`) as
    DataFrames, by resource name.

    `trusted=True` allows resource paths outside the package folder and remote URLs (only
    for packages you trust); by default they raise UnsafePathError.
    """
    package = locate(path, release=release, url=url, trusted=trusted)
    return {r.name: to_pandas(read_table(r, package)) for r in package.resources}
