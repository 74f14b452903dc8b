"""The one mapping from Table Schema types to Arrow types and pandas dtypes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ..errors import PackageError

if TYPE_CHECKING:
    from .descriptor import Field, Package, Resource

#: Table Schema type → Arrow type of its values as read (see `arrow_type` for the loaded type:
#: enum strings and v2 categories become dictionaries, v2 lists Arrow lists)
ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us", tz="UTC"),
    "time": pa.time64("us"),
    "year": pa.int16(),
    # kept as their lexical form: no lossless Arrow equivalent
    "yearmonth": pa.string(),
    "duration": pa.string(),
    "geopoint": pa.string(),
    "geojson": pa.string(),
    "object": pa.string(),
    "array": pa.string(),
    "list": pa.string(),  # read as written; loaded as an Arrow list of its itemType
    "any": pa.string(),
}
#: the item types a v2 `list` field may declare
LIST_ITEM_TYPES = ("string", "integer", "boolean", "number", "datetime", "date", "time")

METADATA_PREFIX = "expo_data."


def arrow_type(field: Field) -> pa.DataType:
    """Arrow type for a schema field."""
    try:
        base = ARROW_TYPES[field.type]
    except (KeyError, TypeError):  # TypeError: not even a string (a list, say)
        raise PackageError(f"field {field.name!r} has unsupported type {field.type!r}") from None
    if field.type == "list":
        item = field.descriptor.get("itemType", "string")
        if item not in LIST_ITEM_TYPES:
            raise PackageError(f"field {field.name!r} has unsupported itemType {item!r}")
        return pa.list_(ARROW_TYPES[item])
    if field.categories is not None and field.type in ("string", "integer"):
        return pa.dictionary(pa.int32(), base, ordered=field.categories_ordered)
    if field.enum is not None and base == pa.string():
        return pa.dictionary(pa.int32(), pa.string(), ordered=True)
    return base


def arrow_field(field: Field) -> pa.Field:
    """Arrow field with the schema field's title, description and type as metadata."""
    metadata = {
        "title": field.title,
        "description": field.description,
        "table_schema_type": field.type,
    }
    if field.enum is not None:
        metadata["enum"] = "\n".join(map(str, field.enum))
    if field.categories is not None:
        metadata["categories"] = "\n".join(map(str, field.categories))
    return pa.field(
        field.name,
        arrow_type(field),
        nullable=not field.required,
        metadata={k: v for k, v in metadata.items() if v},
    )


def arrow_schema(resource: Resource, package: Package | None = None) -> pa.Schema:
    """Arrow schema of a resource, carrying resource and package names as metadata."""
    metadata = {"resource.name": resource.name}
    if package is not None:
        metadata |= {"package.name": package.name, "package.version": package.version}
    try:
        fields = [arrow_field(f) for f in resource.schema.fields]
    except PackageError as exc:
        where = resource.schema_path or f"resource {resource.name!r}"
        raise PackageError(f"{where}: {exc}", resource=resource.name) from None
    return pa.schema(fields, metadata={METADATA_PREFIX + k: v for k, v in metadata.items()})


def pandas_types_mapper() -> Any:
    """A `types_mapper` for `pyarrow.Table.to_pandas` giving nullable pandas dtypes.

    Numbers are `double[pyarrow]` (`pd.ArrowDtype(pa.float64())`), not `Float64`: pandas'
    `Float64` turns NaN into <NA>, and a number cell "NaN" is a value, not a missing one.
    Lists are `list<…>[pyarrow]`; dictionaries become categoricals (Arrow decides `ordered`).
    """
    import pandas as pd

    mapping = {
        pa.string(): pd.StringDtype(),
        pa.large_string(): pd.StringDtype(),
        pa.int64(): pd.Int64Dtype(),
        pa.int16(): pd.Int16Dtype(),
        pa.float64(): pd.ArrowDtype(pa.float64()),
        pa.bool_(): pd.BooleanDtype(),
        pa.date32(): pd.ArrowDtype(pa.date32()),
        pa.time64("us"): pd.ArrowDtype(pa.time64("us")),
    }

    def mapper(kind: pa.DataType) -> Any:
        if pa.types.is_list(kind):
            return pd.ArrowDtype(kind)
        return mapping.get(kind)

    return mapper
