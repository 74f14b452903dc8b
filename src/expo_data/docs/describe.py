"""Describing resources for people: fields, types, constraints, row counts."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..model.locate import locate

if TYPE_CHECKING:
    from pathlib import Path


def describe_resource(
    name: str, path: str | Path | None = None, *, trusted: bool = False, release: str | None = None
) -> str:
    """A plain-text description of one resource, in any form of the package (see `locate`)."""
    from ..read.tables import row_count

    package = locate(path, release=release, trusted=trusted)
    resource = package.resource(name)
    schema = resource.schema
    rows = row_count(resource, package)
    lines = [f"{resource.name}: {resource.title}".rstrip(": "), resource.description, ""]
    lines += [
        f"path: {resource.path}",
        f"rows: {rows}",
        f"primary key: {', '.join(schema.primary_key) or '-'}",
    ]
    for fk in schema.foreign_keys:
        target = fk.resource or resource.name
        lines.append(
            f"foreign key: {', '.join(fk.fields)} -> {target}({', '.join(fk.reference_fields)})"
        )
    lines.append(f"missing values: {json.dumps(list(schema.missing_values), ensure_ascii=False)}")
    lines.append("")
    width = max(len(f.name) for f in schema.fields)
    type_width = max(len(f.type) for f in schema.fields)
    for f in schema.fields:
        constraints = ", ".join(
            f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in f.constraints.items()
        )
        lines.append(f"{f.name:<{width}}  {f.type:<{type_width}}  {f.title}".rstrip())
        if constraints:
            lines.append(f"{'':<{width}}  {'':<{type_width}}  constraints: {constraints}")
    return "\n".join(line for line in lines if line is not None)
