"""Row sources: inline `data` and JSON / NDJSON files (arrays with a header row, or objects)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ..errors import DataError
from .stream import open_bytes

if TYPE_CHECKING:
    from ..model.descriptor import Resource

#: the largest JSON or NDJSON table read whole (bytes, after decompression)
MAX_JSON_BYTES = 1 << 30


def inline_strings(resource: Resource, package: object = None) -> pa.Table:
    """The resource's inline `data` as a table of strings (null = missing)."""
    return rows_to_strings(resource, list(resource.data or ()))


def json_strings(resource: Resource, package: object = None) -> pa.Table:
    """A JSON file (an array of rows) or NDJSON (one row a line) as a table of strings."""
    with open_bytes(resource) as stream:
        raw = stream.read(MAX_JSON_BYTES + 1)
    if len(raw) > MAX_JSON_BYTES:
        raise DataError(f"is larger than {MAX_JSON_BYTES} bytes", path=resource.path)
    try:
        text = raw.decode(resource.encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise DataError(f"is not valid {resource.encoding}: {exc}", path=resource.path) from None
    if resource.format in ("ndjson", "jsonl"):
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                rows.append(_parse(line, resource, number))
    else:
        rows = _parse(text, resource, None)
        if not isinstance(rows, list):
            raise DataError("a JSON table must be an array of rows", path=resource.path)
    return rows_to_strings(resource, rows)


def data_row(resource: Resource, index: int) -> int:
    """The row number of data row `index`: the header (or the first object) is row 1 + 1."""
    return index + 2


def rows_to_strings(resource: Resource, rows: list) -> pa.Table:
    """Rows (a header row then arrays, or objects) as the schema's columns of strings.

    Cells are written as frictionless reads them back: strings as they are (the schema's
    missingValues mean missing), numbers and booleans in their JSON form, JSON null missing,
    objects and arrays as JSON text.
    """
    schema, where = resource.schema, resource.path or resource.name
    names = schema.names
    missing = {f.name: frozenset(schema.field_missing_values(f)) for f in schema.fields}
    if rows and all(isinstance(r, dict) for r in rows):
        columns = [[_cell(r.get(n), missing[n]) for r in rows] for n in names]
    elif rows and all(isinstance(r, list) for r in rows):
        headed = resource.dialect.get("header", True) is not False
        header, body = (rows[0], rows[1:]) if headed else (names, rows)
        if [str(h) for h in header] != names and schema.fields_match == "exact":
            raise DataError(
                f"header {header} does not match the schema's fields {names}", path=where, row=1
            )
        position = {str(h): i for i, h in enumerate(header)}
        columns = []
        for n in names:
            i = position.get(n)
            columns.append(
                [_cell(r[i] if i is not None and i < len(r) else None, missing[n]) for r in body]
            )
    elif rows:
        raise DataError("rows must be all arrays (a header row first) or all objects", path=where)
    else:
        columns = [[] for _ in names]
    return pa.table([pa.array(c, pa.string()) for c in columns], names=names)


def _cell(value: Any, missing: frozenset[str]) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return None if value in missing else value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return json.dumps(value, ensure_ascii=False)


def _parse(text: str, resource: Resource, line: int | None) -> Any:
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise DataError(f"is not valid JSON: {exc}", path=resource.path, row=line) from None
