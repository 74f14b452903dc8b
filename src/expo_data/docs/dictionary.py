"""The data dictionary: an ER diagram, then every resource, key and field of a package."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .common import GENERATED, DocData, code, plural, table
from .escape import anchor, mermaid_id, mermaid_label, text

if TYPE_CHECKING:
    from ..model.descriptor import Field, Package, Resource

EXAMPLE_LENGTH = 48


# --- the data dictionary ------------------------------------------------------------------


def data_dictionary(data: DocData) -> str:
    """Markdown: an ER diagram, then every resource with its keys and every field."""
    package = data.package
    lines = [
        f"# Data dictionary: {text(data.title)}",
        "",
        GENERATED,
        "",
        f"Package {code(package.name)}, version {text(package.version)}: "
        f"{plural(len(package.resources), 'resource')}, {plural(data.total, 'row')}. "
        "Types are [Table Schema](https://datapackage.org/standard/table-schema/) types; "
        "see the [dataset card](dataset-card.md) for the source, coverage and licence.",
        "",
        *table(
            ("Resource", "Title", "Rows"),
            [
                (f"[{code(r.name)}]({anchor(r.name)})", text(r.title), data.count(r))
                for r in package.resources
            ],
        ),
        "",
        "## Relationships",
        "",
        *er_diagram(package),
    ]
    for resource in package.resources:
        lines += ["", *_resource_section(data, resource)]
    return "\n".join(lines) + "\n"


def er_diagram(package: Package) -> list[str]:
    """A Mermaid erDiagram: each resource with its key fields, each foreign key as a line."""
    lines = ["```mermaid", "erDiagram"]
    for resource in package.resources:
        schema = resource.schema
        in_fk = {name for fk in schema.foreign_keys for name in fk.fields}
        lines.append(f"    {mermaid_id(resource.name)} {{")
        for f in schema.fields:
            keys = [
                k for k, on in (("PK", f.name in schema.primary_key), ("FK", f.name in in_fk)) if on
            ]
            if keys:
                lines.append(f"        {mermaid_id(f.type)} {mermaid_id(f.name)} {', '.join(keys)}")
        lines.append("    }")
    for resource in package.resources:
        for fk in resource.schema.foreign_keys:
            required = all(resource.schema.field(name).required for name in fk.fields)
            link = "}o--||" if required else "}o--o|"  # exactly one parent, or zero or one
            label = mermaid_label(", ".join(fk.fields))
            parent = mermaid_id(fk.resource or resource.name)
            lines.append(f'    {mermaid_id(resource.name)} {link} {parent} : "{label}"')
    return [*lines, "```"]


def _resource_section(data: DocData, resource: Resource) -> list[str]:
    schema = resource.schema
    strings = data.strings(resource)
    rows = strings.num_rows
    fks = []
    for fk in schema.foreign_keys:
        target = fk.resource or resource.name
        fks.append(
            f"{', '.join(map(code, fk.fields))} → [{code(target)}]({anchor(target)})"
            f".{', '.join(map(code, fk.reference_fields))}"
        )
    missing = ", ".join(code(json.dumps(v, ensure_ascii=False)) for v in schema.missing_values)
    lines = [f"## {text(resource.name)}", ""]
    if resource.title or resource.description:
        lines += [f"**{text(resource.title)}.** {text(resource.description)}".strip(), ""]
    lines += [
        f"- Rows: {rows}",
        f"- File: {code(resource.path)}"
        + (f" (schema {code(resource.schema_path)})" if resource.schema_path else ""),
        f"- Primary key: {', '.join(map(code, schema.primary_key)) or 'none'}",
        f"- Foreign keys: {'; '.join(fks) or 'none'}",
        f"- Missing values: {missing or 'none'}",
        "",
    ]
    fields = []
    for f in schema.fields:
        example = next((v for v in strings.column(f.name).to_pylist() if v is not None), None)
        fields.append(
            (
                code(f.name),
                text(f.type if f.format == "default" else f"{f.type} ({f.format})"),
                _constraints(f),
                f"{data.filled(resource, f.name)}/{rows}",
                text(f.title),
                text(f.description),
                "" if example is None else code(_shorten(example)),
            )
        )
    header = ("Field", "Type", "Constraints", "Filled", "Title", "Description", "Example")
    return lines + table(header, fields)


def _constraints(f: Field) -> str:
    parts = []
    if f.categories is not None:  # v2: a property of the field, not a constraint
        order = "ordered categories" if f.categories_ordered else "categories"
        parts.append(f"{order} " + ", ".join(code(v) for v in f.categories))
    for key, value in f.constraints.items():
        if value is True:
            parts.append(text(key))
        elif key == "enum":
            parts.append("one of " + ", ".join(code(v) for v in value))
        else:
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            parts.append(f"{text(key)} {code(shown)}")
    return "; ".join(parts)


def _shorten(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= EXAMPLE_LENGTH else value[: EXAMPLE_LENGTH - 1] + "…"
