"""Loading resources as typed tables: Arrow from each declared format, then pandas."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model.locate import locate
from ..model.typemap import pandas_types_mapper

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd
    import pyarrow as pa

    from ..model.descriptor import Package, Resource


def read_table(resource: Resource, package: Package | None = None) -> pa.Table:
    """The resource as an Arrow table typed by its schema, read by its form's source."""
    from ..sources.registry import source

    form = source(resource)
    if form.kind == "parquet":
        from ..sources.parquet import read_parquet_table

        return read_parquet_table(resource, package)
    if form.kind == "delimited":
        from .csvfile import read_csv_table

        return read_csv_table(resource, package)
    from .typed import typed_table

    return typed_table(resource, form.strings(resource, package), package, form.row_of)


def read_cells(resource: Resource, package: Package | None = None) -> pa.Table:
    """The resource's cells as strings (null = missing), whatever its form.

    A CSV's cells as written; a Parquet file's typed values in their lexical form
    (`true`, `2023-11-15`, `1.5`), enums decoded; inline and JSON values as JSON writes them.
    """
    from ..sources.registry import source

    return source(resource).strings(resource, package)


def row_count(resource: Resource, package: Package | None = None) -> int:
    """The resource's number of rows (for Parquet, from the files' metadata alone)."""
    from ..sources.registry import source

    if source(resource).kind == "parquet":
        from ..sources.parquet import parquet_rows

        return parquet_rows(resource, package)
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
    """Every table of the package (or of its release `release`, as for `load`) as
    DataFrames, by resource name (non-tabular ones left out).

    `trusted=True` allows resource paths outside the package folder and remote URLs (only
    for packages you trust); by default they raise UnsafePathError.
    """
    package = locate(path, release=release, url=url, trusted=trusted)
    return {r.name: to_pandas(read_table(r, package)) for r in package.resources if r.tabular}
