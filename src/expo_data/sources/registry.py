"""The one dispatch on a resource's form: which source reads it (a new format: one entry here)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import PackageError

if TYPE_CHECKING:
    import pyarrow as pa

    from ..model.descriptor import Package, Resource


@dataclass(frozen=True)
class Source:
    """How one form of resource is read: its cells as strings, and its rows' numbers."""

    #: (resource, package) → the schema's columns as strings (null = missing)
    strings: Callable[[Resource, Package | None], pa.Table]
    #: (resource, data row index) → its row number (header = 1, as frictionless counts)
    row_of: Callable[[Resource, int], int]
    #: "delimited", "rows" or "parquet": which readers type it natively
    kind: str


def _delimited() -> Source:
    from .delimited import read_strings, record_number

    return Source(lambda r, p: read_strings(r), record_number, "delimited")


def _json() -> Source:
    from .rows import data_row, json_strings

    return Source(json_strings, data_row, "rows")


def _inline() -> Source:
    from .rows import data_row, inline_strings

    return Source(inline_strings, data_row, "rows")


def _parquet() -> Source:
    from .parquet import parquet_strings
    from .rows import data_row

    return Source(parquet_strings, data_row, "parquet")


#: format → its source (imported when first used)
SOURCES: dict[str, Callable[[], Source]] = {
    "csv": _delimited,
    "tsv": _delimited,
    "json": _json,
    "ndjson": _json,
    "jsonl": _json,
    "inline": _inline,
    "parquet": _parquet,
}


def source(resource: Resource) -> Source:
    """The source that reads `resource`; PackageError for a non-tabular or unknown format."""
    if not resource.tabular:
        raise PackageError(
            f"resource {resource.name!r} is not a table ({_why(resource)}): it is listed and its "
            "bytes checked, never read as a table",
            resource=resource.name,
        )
    make = SOURCES.get("inline" if resource.data is not None else resource.format)
    if make is None:
        raise PackageError(
            f"resource {resource.name!r}: format {resource.format!r} is not supported "
            f"(supported: {', '.join(SOURCES)})",
            resource=resource.name,
        )
    return make()


def _why(resource: Resource) -> str:
    if resource.descriptor.get("schema") is None:
        return "it has no schema"
    return f"format {resource.format!r}"


def readable(resource: Resource) -> bool:
    """Whether a source reads the resource as a table."""
    return resource.tabular and (resource.data is not None or resource.format in SOURCES)
