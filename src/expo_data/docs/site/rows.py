"""The rows a site shows: each resource's first rows as text, their anchors, foreign-key links."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...errors import ExpoDataError
from .html import anchor, cell_text, file_name

if TYPE_CHECKING:
    from ...model.descriptor import ForeignKey, Package, Resource

#: the id of the note on a page whose resource has more rows than the page shows
OMITTED = "rows-omitted"


@dataclass
class Rows:
    """One resource's rows as shown: the first `limit` as display text, counts over all."""

    resource: Resource
    total: int = 0
    texts: list[list[str | None]] = field(default_factory=list)
    filled: list[int] = field(default_factory=list)  # per field: rows with a value
    error: str = ""  # why the rows could not be read ("" when they could)

    @property
    def truncated(self) -> bool:
        return self.total > len(self.texts)

    @property
    def anchors(self) -> list[str]:
        """Each shown row's id: its primary key, else its row number (1 = first data row).

        A key that repeats (the package does not validate) anchors its first row only: "".
        """
        names = self.resource.schema.names
        key = [names.index(k) for k in self.resource.schema.primary_key if k in names]
        if not key:
            return [anchor([str(n)]) for n in range(1, len(self.texts) + 1)]
        seen: set[str] = set()
        out = []
        for row in self.texts:
            a = anchor([row[i] for i in key])
            out.append("" if a in seen else a)
            seen.add(a)
        return out


def read_rows(package: Package, limit: int) -> dict[str, Rows]:
    """Every resource's rows (a resource that cannot be read keeps the error as text)."""
    from ...read.tables import read_table

    out = {}
    for resource in package.resources:
        rows = Rows(resource)
        try:
            table = read_table(resource, package)
        except (ExpoDataError, OSError) as exc:
            rows.error = " ".join(str(exc).split())
        else:
            head = table.slice(0, limit)
            columns = [
                [cell_text(v) for v in head.column(n).to_pylist()] for n in table.column_names
            ]
            rows.total = table.num_rows
            rows.texts = [list(row) for row in zip(*columns, strict=True)] if columns else []
            rows.filled = [table.num_rows - table.column(n).null_count for n in table.column_names]
        out[resource.name] = rows
    return out


@dataclass(frozen=True)
class Link:
    """Where a foreign key's cells link to: the referenced row's anchor on its page."""

    fields: tuple[int, ...]  # the key's field positions in the referencing resource
    page: str  # the referenced resource's page ("" for the same page)
    targets: dict[tuple[str | None, ...], str]  # key values → anchor
    truncated: bool  # the referenced page omits rows: unknown keys link to the note

    def href(self, row: list[str | None]) -> str:
        values = tuple(row[i] for i in self.fields)
        if None in values:
            return ""
        target = self.targets.get(values) or (OMITTED if self.truncated else "")
        return f"{self.page}#{target}" if target else ""


def links(resource: Resource, rows: dict[str, Rows]) -> list[Link]:
    """The resource's foreign keys as links (keys whose resource could not be read: none)."""
    names = resource.schema.names
    out = []
    for fk in resource.schema.foreign_keys:
        target = rows.get(fk.resource or resource.name)
        if target is None or target.error or not _known(fk, names, target):
            continue
        ref_names = target.resource.schema.names
        ref = [ref_names.index(name) for name in fk.reference_fields]
        targets: dict[tuple[str | None, ...], str] = {}
        for row, a in zip(target.texts, target.anchors, strict=True):
            if a:
                targets.setdefault(tuple(row[i] for i in ref), a)
        page = "" if target.resource is resource else file_name(target.resource.name)
        out.append(Link(tuple(names.index(n) for n in fk.fields), page, targets, target.truncated))
    return out


def _known(fk: ForeignKey, names: list[str], target: Rows) -> bool:
    ref_names = target.resource.schema.names
    return (
        len(fk.fields) == len(fk.reference_fields) > 0
        and all(n in names for n in fk.fields)
        and all(n in ref_names for n in fk.reference_fields)
    )


def referenced_by(package: Package, name: str) -> list[tuple[str, ForeignKey]]:
    """The (resource, foreign key) pairs that reference resource `name`, in package order."""
    return [
        (r.name, fk)
        for r in package.resources
        for fk in r.schema.foreign_keys
        if (fk.resource or r.name) == name
    ]
