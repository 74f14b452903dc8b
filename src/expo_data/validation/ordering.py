"""A resource's Table Schema findings, as frictionless words and orders them.

From what one pass over the resource found (`scan.Scan`) and what the key store answers
(`keys`): header labels, row findings in the order frictionless' row reading produces them,
the cut at `limit_errors`, and the checks after the last row.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..read.buffers import distinct
from . import catalogue as c
from .catalogue import finding, show
from .fixes import expected, repeated
from .keys import key_positions
from .scan import resource_finding

if TYPE_CHECKING:
    from ..model.descriptor import Field, Resource
    from .batch import CellErrors
    from .keys import KeyErrors, KeyStore, Repeats
    from .report import Finding
    from .scan import Scan


def table_findings(
    scan: Scan,
    byname: dict[str, Scan],
    limit: int,
    store: KeyStore,
) -> list[Finding]:
    """One resource's findings; `store` answers the key checks."""
    resource = scan.resource
    if scan.failure is not None:
        return [scan.failure]
    for fk in resource.schema.foreign_keys:  # frictionless reads every lookup before any row
        target = byname.get(fk.resource or resource.name)
        if target is None:
            note = (
                f'failed to handle a foreign key for resource "{resource.name}" as resource '
                f'"{fk.resource}" does not exist'
            )
            return [resource_finding(c.RESOURCE_ERROR, resource, note)]
        if target.failure is not None:
            return [resource_finding(target.failure.code, resource, c.note_of(target.failure))]
    out = []
    if scan.labels is None:
        out.append(resource_finding(c.SOURCE_ERROR, resource, "the source is empty"))
    else:
        out += _header_findings(scan)
    rows = []
    if limit - len(out) > 0 and scan.labels is not None:
        keyed = store.errors(scan)
        rows = _row_findings(scan, keyed, limit - len(out))
    out += rows
    if len(out) >= limit and scan.found.rows:  # frictionless cuts after a row, if any
        return out[:limit]
    return out + scan.end


def _header_findings(scan: Scan) -> list[Finding]:
    """Label findings, in one pass over the labels (linear in the number of fields)."""
    resource, labels = scan.resource, scan.labels or []
    fields = resource.schema.fields
    out = []

    def label(code: str, name: str, **values: Any) -> None:
        out.append(finding(code, resource.name, 1, name, resource.path, **values))

    for number, text in enumerate(labels[len(fields) :], len(fields) + 1):
        label(c.EXTRA_LABEL, "", label=text, position=number)
    for number, f in enumerate(fields[len(labels) :], len(labels) + 1):
        label(c.MISSING_LABEL, f.name, position=number)
    seen: dict[str, list[str]] = {}  # label → the positions it was seen at
    for number, text in enumerate(labels, 1):
        f = fields[number - 1] if number <= len(fields) else None
        same = seen.setdefault(text, []) if text else []
        if f is not None:
            if not text:
                label(c.BLANK_LABEL, f.name, position=number)
            elif same:
                label(c.DUPLICATE_LABEL, f.name, label=text, position=number, same=", ".join(same))
            elif text != f.name:
                label(c.INCORRECT_LABEL, f.name, label=text, position=number)
        if text:
            same.append(str(number))
    return out


@dataclass
class _Row:
    """Everything wrong with one row, to be told in frictionless' order."""

    cells: dict[int, list[Finding]] = field(default_factory=dict)
    width: int | None = None  # cells in a ragged row
    blank: bool = False
    unique: dict[int, Finding] = field(default_factory=dict)
    primary: Finding | None = None
    foreign: dict[int, Finding] = field(default_factory=dict)


def _row_findings(scan: Scan, keyed: KeyErrors, limit: int) -> list[Finding]:
    """Row findings in frictionless' order, cut at `limit`.

    Within a row frictionless reads the unique, primary-key and foreign-key fields first (as
    it checks them), so their cell errors come first; a key error forces the rest of the row
    to be read before it is added; a blank row replaces all cell errors.
    """
    if limit <= 0 or scan.labels is None:
        return []
    resource, found = scan.resource, scan.found
    fields = scan.fields()
    unique, pk, groups = key_positions(scan)
    # only the rows that can come before the cut: each row with a problem has a finding
    at_keys = [r.rows for r in keyed.unique.values()] + [keyed.all_null, keyed.primary.rows]
    at_keys += [misses.rows for misses in keyed.foreign.values()]
    candidates = [e.rows for e in found.errors] + found.blank
    candidates += [np.array([n for n, _ in found.ragged], np.int64)]
    candidates += [rows for rows in at_keys if len(rows)]
    rows_found = distinct(np.concatenate(candidates)) if candidates else np.zeros(0, np.int64)
    last = rows_found[limit - 1] if len(rows_found) > limit else np.iinfo(np.int64).max
    rows: dict[int, _Row] = {}

    def row(number: int) -> _Row | None:
        return rows.setdefault(int(number), _Row()) if number <= last else None

    for error in found.errors:
        f = fields[error.position]
        for number, cell in zip(error.rows.tolist(), error.cells, strict=True):
            if (r := row(number)) is not None:
                r.cells.setdefault(error.position, []).append(
                    cell_finding(resource, f, error, number, cell)
                )
    for blank in found.blank:
        for number in blank[blank <= last].tolist():
            row(number).blank = True
    for number, width in found.ragged:
        if (r := row(number)) is not None:
            r.width = width
    for j, repeats in keyed.unique.items():
        for k, (number, b, first) in enumerate(_repeats(repeats)):
            if (r := row(number)) is not None:
                r.unique[j] = finding(
                    c.UNIQUE_ERROR,
                    resource.name,
                    number,
                    fields[j].name,
                    resource.path,
                    position=j + 1,
                    before=b,
                    fix=repeated(repeats.shown(k), first, b),
                )
    for number in keyed.all_null.tolist():
        if (r := row(number)) is not None:
            note = 'cells composing the primary keys are all "None"'
            r.primary = _row_error(c.PRIMARY_KEY, resource, number, note)
    for k, (number, b, first) in enumerate(_repeats(keyed.primary)):
        if (r := row(number)) is not None:
            note = f"the same as in the row at position {b}"
            fix = repeated(keyed.primary.shown(k), first, b)
            r.primary = _row_error(c.PRIMARY_KEY, resource, number, note, fix=fix)
    for index, misses in keyed.foreign.items():
        fk = resource.schema.foreign_keys[index]
        for k, number in enumerate(misses.rows.tolist()):
            if (r := row(number)) is not None:
                note = (
                    f'for "{", ".join(fk.fields)}": values "{misses.shown(k)}" not found in the '
                    f'lookup table "{fk.resource}" as "{", ".join(fk.reference_fields)}"'
                )
                name, fix = ",".join(fk.fields), misses.nearest(k)
                r.foreign[index] = _row_error(c.FOREIGN_KEY, resource, number, note, name, fix)
    out: list[Finding] = []
    for number in sorted(rows):
        out += _in_order(rows[number], scan, fields, number, (unique, pk, groups))
        if len(out) >= limit:
            return out[:limit]
    return out


def _in_order(
    r: _Row, scan: Scan, fields: list[Field | None], number: int, keys: tuple
) -> list[Finding]:
    """One row's findings, in the order frictionless' row reading produces them."""
    resource, labels = scan.resource, scan.labels or []
    unique, pk, groups = keys
    path = resource.path
    width = len(fields)
    out: list[Finding] = []
    read: set[int] = set()
    done = False

    def access(j: int) -> None:
        if not done and j not in read:
            read.add(j)
            out.extend(r.cells.get(j, ()))

    def finish() -> None:
        nonlocal out, done
        if done:
            return
        for j in range(width):
            access(j)
        if r.width is not None:
            for n in range(width + 1, r.width + 1):
                out.append(finding(c.EXTRA_CELL, resource.name, number, "", path, position=n))
            for j in range(r.width, width):
                name = fields[j].name if fields[j] else labels[j]
                out.append(
                    finding(c.MISSING_CELL, resource.name, number, name, path, position=j + 1)
                )
        if r.blank:
            out = [finding(c.BLANK_ROW, resource.name, number, "", path)]
        done = True

    for j in unique:
        access(j)
        if j in r.unique:
            finish()
            out.append(r.unique[j])
    for j in pk:
        access(j)
    if r.primary is not None:
        finish()
        out.append(r.primary)
    for index, local in groups:
        for j in local:
            access(j)
        if index in r.foreign:
            finish()
            out.append(r.foreign[index])
    finish()
    return out


def cell_finding(
    resource: Resource, f: Field, error: CellErrors, number: int, cell: Any
) -> Finding:
    """The finding of one cell of `error`: a type error, a constraint's, or out of range."""
    values = {"cell": show(cell), "position": error.position + 1, "type": f.type}
    where = (resource.name, number, f.name, resource.path)
    if not error.constraint:
        return finding(c.TYPE_ERROR, *where, format=f.format, fix=expected(f), **values)
    if error.constraint == c.OUT_OF_RANGE:
        limit = {"integer": "int64", "number": "float64"}.get(f.type, "the years 1-9999 in UTC")
        return finding(c.OUT_OF_RANGE, *where, limit=limit, **values)
    rule = f.categories if error.constraint == "categories" else f.constraints[error.constraint]
    found = finding(c.CONSTRAINT_ERROR, *where, constraint=error.constraint, rule=rule, **values)
    return replace(found, constraint=error.constraint)


def _row_error(
    code: str, resource: Resource, number: int, note: str, name: str = "", fix: str = ""
) -> Finding:
    return finding(code, resource.name, number, name, resource.path, note=note, fix=fix)


def _repeats(repeats: Repeats) -> list[tuple[int, int, int]]:
    """(row, the latest earlier row, the first row) of each repeating row."""
    return list(
        zip(repeats.rows.tolist(), repeats.before.tolist(), repeats.first.tolist(), strict=True)
    )
