"""The entity-relationship diagram as inline SVG, laid out at build time (no script, no CDN)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .html import esc, file_name

if TYPE_CHECKING:
    from ...model.descriptor import Package, Resource

HEADER, ROW, PAD, GAP_X, GAP_Y, MARGIN = 26, 18, 10, 96, 22, 16
INK, MUTED, LINE, FILL, HEAD = "#1a202c", "#4a5568", "#cbd5e0", "#ffffff", "#ebf4ff"
COLOURS = ("#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b83280", "#2c7a7b", "#975a16")
FONT = "system-ui, -apple-system, 'Segoe UI', 'Noto Sans CJK SC', sans-serif"


@dataclass
class Box:
    """One resource's box: its key fields as rows, placed in a column."""

    resource: Resource
    lines: list[tuple[str, str]]  # (field name, "PK", "FK → target" or both) per shown row
    column: int = 0
    x: int = 0
    y: int = 0
    width: int = 0
    edges: list[tuple[int, Box]] = field(default_factory=list)  # (row, referenced box)

    @property
    def height(self) -> int:
        return HEADER + ROW * max(1, len(self.lines)) + 6

    def row_y(self, name: str) -> int:
        """The vertical middle of a field's row (the header for a field not shown)."""
        for i, (shown, _) in enumerate(self.lines):
            if shown == name:
                return self.y + HEADER + ROW * i + ROW // 2 + 3
        return self.y + HEADER // 2


def _width(text: str) -> int:
    """Text width in pixels at 12px: wide (CJK) characters count double."""
    return sum(12 if unicodedata.east_asian_width(c) in "WF" else 7 for c in text)


def _boxes(package: Package) -> dict[str, Box]:
    boxes = {}
    for r in package.resources:
        schema = r.schema
        targets = {
            n: fk.resource or r.name for fk in reversed(schema.foreign_keys) for n in fk.fields
        }
        lines = []
        for f in schema.fields:
            keys = ["PK"] if f.name in schema.primary_key else []
            keys += [f"FK → {targets[f.name]}"] if f.name in targets else []
            if keys:
                lines.append((f.name, ", ".join(keys)))
        width = max([_width(r.name) + 16, *(_width(n) + _width(k) + 24 for n, k in lines), 120])
        boxes[r.name] = Box(r, lines, width=width + 2 * PAD)
    return boxes


def hubs(package: Package) -> list[str]:
    """Resources most others reference (e.g. a sources table): their lines would drown the rest.

    A hub is referenced by at least 4 other resources and by at least half of them; the
    diagram names it in the referencing rows and draws no line to it.
    """
    names = package.resource_names
    referrers: dict[str, set[str]] = {}
    for r in package.resources:
        for fk in r.schema.foreign_keys:
            if fk.resource and fk.resource != r.name:
                referrers.setdefault(fk.resource, set()).add(r.name)
    limit = max(4, (len(names) - 1) / 2)
    return [n for n in names if len(referrers.get(n, ())) >= limit]


def _columns(boxes: dict[str, Box]) -> list[list[Box]]:
    """Referenced resources left of those referencing them (longest path; cycles broken)."""
    depth: dict[str, int] = {}

    def visit(name: str, path: tuple[str, ...]) -> int:
        if name in depth:
            return depth[name]
        parents = [
            fk.resource
            for fk in boxes[name].resource.schema.foreign_keys
            if fk.resource and fk.resource != name and fk.resource in boxes
        ]
        level = max([-1, *(visit(p, (*path, name)) for p in parents if p not in path)]) + 1
        depth[name] = level
        return level

    for name in boxes:
        visit(name, ())
    columns: list[list[Box]] = [[] for _ in range(max(depth.values()) + 1)]
    for name, box in boxes.items():
        box.column = depth[name]
        columns[depth[name]].append(box)
    order = {}
    for column in columns:  # barycentre of the referenced boxes, stable
        column.sort(key=lambda b: _barycentre(b, boxes, order))
        order.update({b.resource.name: i for i, b in enumerate(column)})
    return columns


def _barycentre(box: Box, boxes: dict[str, Box], order: dict[str, int]) -> float:
    places = [order[fk.resource] for fk in box.resource.schema.foreign_keys if fk.resource in order]
    return sum(places) / len(places) if places else -1.0


def er_svg(package: Package, *, root: str = "") -> str:
    """An SVG of every resource (its key fields) and every foreign key, boxes linking to pages."""
    boxes = _boxes(package)
    columns = _columns(boxes)
    x = MARGIN
    for column in columns:
        y = MARGIN + 22
        for box in column:
            box.x, box.y = x, y
            y += box.height + GAP_Y
        x += max(b.width for b in column) + GAP_X
    width = x - GAP_X + MARGIN + 40
    height = max(b.y + b.height for b in boxes.values()) + MARGIN
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="erd" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{esc(FONT)}" font-size="12" '
        'role="group" aria-labelledby="erd-title">',
        '<title id="erd-title">Entity-relationship diagram: each resource with its key fields; '
        "a line runs from a foreign key to the resource it references</title>",
        f'<rect width="{width}" height="{height}" fill="{FILL}"/>',
        f'<text x="{MARGIN}" y="{MARGIN + 4}" fill="{MUTED}">solid: required key · dashed: '
        "optional · the dot marks the referenced side</text>",
    ]
    hidden = hubs(package)
    if hidden:
        parts[-1] = parts[-1].replace(
            "</text>",
            f" · no lines to {esc(', '.join(hidden))} (most resources reference it: see the"
            " FK rows)</text>",
        )
    colour = {name: COLOURS[i % len(COLOURS)] for i, name in enumerate(boxes)}
    for box in boxes.values():
        parts += _edges(box, boxes, colour, hidden)
    for box in boxes.values():
        parts.append(_box(box, root))
    return "\n".join([*parts, "</svg>"])


def _edges(box: Box, boxes: dict[str, Box], colour: dict[str, str], hidden: list[str]) -> list[str]:
    out = []
    schema = box.resource.schema
    for fk in schema.foreign_keys:
        target = boxes.get(fk.resource or box.resource.name)
        if target is None or not fk.fields or (target is not box and fk.resource in hidden):
            continue
        y1 = box.row_y(fk.fields[0])
        y2 = target.row_y(fk.reference_fields[0] if fk.reference_fields else "")
        if target is box or target.column >= box.column:  # a loop on the right side
            x1, x2 = box.x + box.width, target.x + target.width
            bend = max(x1, x2) + 28
            d = f"M{x1} {y1} C{bend} {y1} {bend} {y2} {x2} {y2}"
        else:
            x1, x2 = box.x, target.x + target.width
            d = f"M{x1} {y1} C{x1 - GAP_X // 2} {y1} {x2 + GAP_X // 2} {y2} {x2} {y2}"
        required = all(f.required for f in schema.fields if f.name in fk.fields)
        dash = "" if required else ' stroke-dasharray="5 3"'
        stroke = colour[target.resource.name]
        label = (
            f"{box.resource.name}.{', '.join(fk.fields)} → "
            f"{target.resource.name}.{', '.join(fk.reference_fields)}"
        )
        out.append(
            f'<path d="{d}" fill="none" stroke="{stroke}" stroke-width="1.5"{dash}>'
            f"<title>{esc(label)}</title></path>"
            f'<circle cx="{x2}" cy="{y2}" r="3.5" fill="{stroke}"/>'
        )
    return out


def _box(box: Box, root: str) -> str:
    x, y, w = box.x, box.y, box.width
    name = box.resource.name
    out = [
        f'<a href="{root}resources/{esc(file_name(name))}" class="erd-box">',
        f"<title>{esc(name)}: {esc(box.resource.title or 'resource page')}</title>",
        f'<rect x="{x}" y="{y}" width="{w}" height="{box.height}" rx="4" fill="{FILL}" '
        f'stroke="{MUTED}"/>',
        f'<rect x="{x}" y="{y}" width="{w}" height="{HEADER}" rx="4" fill="{HEAD}" '
        f'stroke="{MUTED}"/>',
        f'<text x="{x + PAD}" y="{y + 17}" fill="{INK}" font-weight="bold">{esc(name)}</text>',
    ]
    if not box.lines:
        out.append(f'<text x="{x + PAD}" y="{y + HEADER + 13}" fill="{MUTED}">no keys</text>')
    for i, (field_name, keys) in enumerate(box.lines):
        ty = y + HEADER + ROW * i + 13
        out.append(f'<text x="{x + PAD}" y="{ty}" fill="{INK}">{esc(field_name)}</text>')
        out.append(
            f'<text x="{x + w - PAD}" y="{ty}" fill="{MUTED}" text-anchor="end">{esc(keys)}</text>'
        )
    return "\n".join([*out, "</a>"])


def relationships(package: Package) -> list[tuple[Resource, tuple[str, ...], str, tuple[str, ...]]]:
    """Every foreign key as (resource, fields, referenced resource, referenced fields)."""
    return [
        (r, fk.fields, fk.resource or r.name, fk.reference_fields)
        for r in package.resources
        for fk in r.schema.foreign_keys
    ]
