"""Describing resources for people: fields, types, constraints, row counts."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..display import render_table
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
    rows: list[tuple[str, str, str]] = []
    for f in schema.fields:
        constraints = ", ".join(
            f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in f.constraints.items()
        )
        rows.append((f.name, f.type, f.title))
        if constraints:
            rows.append(("", "", f"constraints: {constraints}"))
    lines += render_table(("", "", ""), rows).splitlines()[2:]  # aligned by display width
    return "\n".join(line for line in lines if line is not None)
