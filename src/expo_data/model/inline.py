"""A Table Schema for inline `data` that declares none, inferred from its JSON values."""

from __future__ import annotations

from typing import Any


def inferred_schema(data: list) -> dict | None:
    """The schema frictionless infers for rows of JSON values; None when they are not rows.

    Fields come from the header row (arrays) or the keys, in order of first appearance
    (objects); a column whose values are all booleans is `boolean`, all integers `integer`,
    all numbers `number`, anything else `string` (missing values aside).
    """
    if data and all(isinstance(r, dict) for r in data):
        names = list(dict.fromkeys(k for r in data for k in r))
        columns = [[r.get(n) for r in data] for n in names]
    elif data and all(isinstance(r, list) for r in data) and data[0]:
        names = [str(h) for h in data[0]]
        columns = [[r[i] if i < len(r) else None for r in data[1:]] for i in range(len(names))]
    else:
        return None
    return {"fields": [{"name": n, "type": _type(c)} for n, c in zip(names, columns, strict=True)]}


def _type(values: list[Any]) -> str:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return "boolean"
    if any(isinstance(v, bool) for v in present):
        return "string"
    if present and all(isinstance(v, int) for v in present):
        return "integer"
    if present and all(isinstance(v, int | float) for v in present):
        return "number"
    return "string"
