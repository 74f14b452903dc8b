"""A resource's Table Schema findings, as frictionless words and orders them.

From what one pass over the resource found (`_fast`): header labels, row findings in the order
frictionless' row reading produces them, primary, unique and foreign keys, the cut at
`limit_errors`, and the checks after the last row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from ..read.buffers import to_bools
from .report import Finding
from .rowkeys import codes, duplicates, lookup_misses, nan_mask

if TYPE_CHECKING:
    from ..model.descriptor import Field, Resource
    from .fast import _Scan

MAX_CELL = 60  # characters of a cell quoted in a message (validate.frictionless_findings cuts so)


def table_findings(
    scan: _Scan,
    byname: dict[str, _Scan],
    limit: int,
    key_errors: Callable[[_Scan, dict[str, _Scan]], KeyErrors] | None = None,
) -> list[Finding]:
    """One resource's findings; `key_errors` runs the key checks (default: in memory)."""
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
            return [resource_finding("resource-error", resource, note)]
        if target.failure is not None:
            return [resource_finding(target.failure.code, resource, _note(target.failure))]
    out = []
    if scan.labels is None:
        out.append(resource_finding("source-error", resource, "the source is empty"))
    else:
        out += _header_findings(scan)
    rows = []
    if limit - len(out) > 0 and scan.labels is not None:
        keyed = (key_errors or array_key_errors)(scan, byname)
        rows = _row_findings(scan, keyed, limit - len(out))
    out += rows
    if len(out) >= limit and scan.found.rows:  # frictionless cuts after a row, if any
        return out[:limit]
    return out + scan.end


def _header_findings(scan: _Scan) -> list[Finding]:
    resource, labels = scan.resource, scan.labels or []
    fields = resource.schema.fields
    out = []
    for number, label in enumerate(labels[len(fields) :], len(fields) + 1):
        message = f'There is an extra label "{label}" in header at position "{number}"'
        out.append(_label("extra-label", resource, "", message))
    for number, f in enumerate(fields[len(labels) :], len(labels) + 1):
        message = (
            f'There is a missing label in the header\'s field "{f.name}" at position "{number}"'
        )
        out.append(_label("missing-label", resource, f.name, message))
    for number, (f, label) in enumerate(zip(fields, labels, strict=False), 1):
        if not label:
            message = f'Label in the header in field at position "{number}" is blank'
            out.append(_label("blank-label", resource, f.name, message))
            continue
        same = [str(n) for n, seen in enumerate(labels[: number - 1], 1) if seen == label]
        if same:
            message = (
                f'Label "{label}" in the header at position "{number}" is duplicated to a '
                f'label: at position "{", ".join(same)}"'
            )
            out.append(_label("duplicate-label", resource, f.name, message))
        elif label != f.name:
            message = (
                f'Label "{label}" in field {f.name} at position "{number}" does not match '
                "the field name in the schema"
            )
            out.append(_label("incorrect-label", resource, f.name, message))
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


@dataclass
class KeyErrors:
    """The key checks' results, as record numbers (an engine computes them its own way)."""

    unique: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    all_null: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    primary: tuple[np.ndarray, np.ndarray] = field(
        default_factory=lambda: (np.zeros(0, np.int64), np.zeros(0, np.int64))
    )
    #: foreign key index → (rows whose key is not in the lookup, the k-th row's values shown)
    foreign: dict[int, tuple[np.ndarray, Callable[[int], str]]] = field(default_factory=dict)


def key_positions(scan: _Scan) -> tuple[list[int], list[int], list[tuple[int, list[int]]]]:
    """Columns of the unique fields, of the primary key, and of each checkable foreign key."""
    fields = scan.fields()
    position = {f.name: j for j, f in enumerate(fields) if f is not None}
    unique = [j for j, f in enumerate(fields) if f is not None and f.constraints.get("unique")]
    pk = [position.get(name) for name in scan.resource.schema.primary_key]
    pk = pk if pk and None not in pk else []
    groups = []
    for index, fk in enumerate(scan.resource.schema.foreign_keys):
        local = [position.get(name) for name in fk.fields]
        if None not in local:
            groups.append((index, local))
    return unique, pk, groups


def array_key_errors(scan: _Scan, byname: dict[str, _Scan]) -> KeyErrors:
    """The key checks over the typed key columns a pass kept in memory."""
    found = scan.found
    keys, numbers = found.keys, found.key_rows
    unique, pk, groups = key_positions(scan)
    coded: dict[tuple[int, ...], np.ndarray] = {}

    def code(positions: list[int]) -> np.ndarray:
        if tuple(positions) not in coded:
            coded[tuple(positions)] = codes([keys[j][0] for j in positions])
        return coded[tuple(positions)]

    out = KeyErrors()
    for j in unique:
        column = keys[j][0]
        take = to_bools(column.is_valid()) & ~nan_mask([column])
        at, before = duplicates(code([j]), numbers, take)
        out.unique[j] = (numbers[at], numbers[before])
    if pk:
        columns = [keys[j][0] for j in pk]
        nulls = np.logical_and.reduce([to_bools(c.is_null()) for c in columns])
        out.all_null = numbers[np.flatnonzero(nulls)]
        at, before = duplicates(code(pk), numbers, ~nulls & ~nan_mask(columns))
        out.primary = (numbers[at], numbers[before])
    for index, local in groups:
        fk = scan.resource.schema.foreign_keys[index]
        target = byname[fk.resource or scan.resource.name]
        reference = [_reference_column(target, name) for name in fk.reference_fields]
        misses = np.flatnonzero(lookup_misses([keys[j][0] for j in local], reference))

        def shown(k: int, misses=misses, local=local) -> str:
            return ", ".join(_show(keys[j][0][int(misses[k])].as_py()) for j in local)

        out.foreign[index] = (numbers[misses], shown)
    return out


def _row_findings(scan: _Scan, keyed: KeyErrors, limit: int) -> list[Finding]:
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
    at_keys = [r[0] for r in keyed.unique.values()] + [keyed.all_null, keyed.primary[0]]
    at_keys += [rows for rows, _ in keyed.foreign.values()]
    candidates = [e.rows for e in found.errors] + found.blank
    candidates += [np.array([n for n, _ in found.ragged], np.int64)]
    candidates += [rows for rows in at_keys if len(rows)]
    distinct = np.unique(np.concatenate(candidates)) if candidates else np.zeros(0, np.int64)
    last = distinct[limit - 1] if len(distinct) > limit else np.iinfo(np.int64).max
    rows: dict[int, _Row] = {}

    def row(number: int) -> _Row | None:
        return rows.setdefault(int(number), _Row()) if number <= last else None

    for error in found.errors:
        f = fields[error.position]
        for number, cell in zip(error.rows.tolist(), error.cells, strict=True):
            if (r := row(number)) is not None:
                r.cells.setdefault(error.position, []).append(
                    _cell_finding(resource, f, error, number, cell)
                )
    for blank in found.blank:
        for number in blank[blank <= last].tolist():
            row(number).blank = True
    for number, width in found.ragged:
        if (r := row(number)) is not None:
            r.width = width
    for j, (at, before) in keyed.unique.items():
        for number, b in zip(at.tolist(), before.tolist(), strict=True):
            if (r := row(number)) is not None:
                message = (
                    f'Row at position "{number}" has unique constraint violation in field '
                    f'"{fields[j].name}" at position "{j + 1}": the same as in the row at '
                    f"position {b}"
                )
                r.unique[j] = Finding(
                    "unique-error", resource.name, number, fields[j].name, message, resource.path
                )
    for number in keyed.all_null.tolist():
        if (r := row(number)) is not None:
            note = 'cells composing the primary keys are all "None"'
            r.primary = _row_error("primary-key", resource, number, note)
    for number, b in zip(*(p.tolist() for p in keyed.primary), strict=True):
        if (r := row(number)) is not None:
            note = f"the same as in the row at position {b}"
            r.primary = _row_error("primary-key", resource, number, note)
    for index, (misses, shown) in keyed.foreign.items():
        fk = resource.schema.foreign_keys[index]
        for k, number in enumerate(misses.tolist()):
            if (r := row(number)) is not None:
                note = (
                    f'for "{", ".join(fk.fields)}": values "{shown(k)}" not found in the lookup '
                    f'table "{fk.resource}" as "{", ".join(fk.reference_fields)}"'
                )
                r.foreign[index] = _row_error(
                    "foreign-key", resource, number, note, ",".join(fk.fields)
                )
    out: list[Finding] = []
    for number in sorted(rows):
        out += _in_order(rows[number], scan, number, unique, pk, groups)
        if len(out) >= limit:
            return out[:limit]
    return out


def _in_order(r: _Row, scan: _Scan, number: int, unique, pk, groups) -> list[Finding]:
    """One row's findings, in the order frictionless' row reading produces them."""
    resource, fields, labels = scan.resource, scan.fields(), scan.labels or []
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
                message = (
                    f'Row at position "{number}" has an extra value in field at position "{n}"'
                )
                out.append(Finding("extra-cell", resource.name, number, "", message, resource.path))
            for j in range(r.width, width):
                name = fields[j].name if fields[j] else labels[j]
                message = (
                    f'Row at position "{number}" has a missing cell in field "{name}" at '
                    f'position "{j + 1}"'
                )
                out.append(
                    Finding("missing-cell", resource.name, number, name, message, resource.path)
                )
        if r.blank:
            message = f'Row at position "{number}" is completely blank'
            out = [Finding("blank-row", resource.name, number, "", message, resource.path)]
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


def _reference_column(target: _Scan, name: str) -> pa.Array:
    """A referenced field's typed values; all null where its header lacks the field."""
    for j, f in enumerate(target.fields()):
        if f is not None and f.name == name and j in target.found.keys:
            return target.found.keys[j][0]
    size = len(target.found.key_rows) if target.found.key_rows is not None else 0
    return pa.nulls(size, pa.string())


def _cell_finding(resource: Resource, f: Field, error, number: int, cell: Any) -> Finding:
    shown = _show(cell)
    if not error.constraint:
        message = (
            f'Type error in the cell "{shown}" in row "{number}" and field "{f.name}" at '
            f'position "{error.position + 1}": type is "{f.type}/{f.format}"'
        )
        return Finding("type-error", resource.name, number, f.name, message, resource.path)
    if error.constraint == "out-of-range":
        limit = {"integer": "int64", "number": "float64"}.get(f.type, "the years 1-9999 in UTC")
        message = (
            f'The cell "{shown}" in row "{number}" and field "{f.name}" is a valid {f.type} that '
            f"the loaders cannot hold: beyond {limit}"
        )
        return Finding("out-of-range", resource.name, number, f.name, message, resource.path)
    rule = f.categories if error.constraint == "categories" else f.constraints[error.constraint]
    message = (
        f'The cell "{shown}" in row at position "{number}" and field "{f.name}" at position '
        f'"{error.position + 1}" does not conform to a constraint: constraint '
        f'"{error.constraint}" is "{rule}"'
    )
    return Finding("constraint-error", resource.name, number, f.name, message, resource.path)


def _show(value: Any) -> str:
    text = str(value)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 3] + "..."


def _row_error(code: str, resource: Resource, number: int, note: str, name: str = "") -> Finding:
    kind = "primary key" if code == "primary-key" else "foreign key"
    message = f'Row at position "{number}" violates the {kind}: {note}'
    return Finding(code, resource.name, number, name, message, resource.path)


TEMPLATES = {
    "scheme-error": "The data source could not be successfully loaded: {}",
    "encoding-error": "The data source could not be successfully decoded: {}",
    "source-error": "The data source has not supported or has inconsistent contents: {}",
    "resource-error": "The data resource has an error: {}",
    "hash-count": "The data source does not match the expected hash count: {}",
    "byte-count": "The data source does not match the expected byte count: {}",
}


def resource_finding(code: str, resource: Resource, note: str) -> Finding:
    """A finding about a whole resource, worded as frictionless words it."""
    return Finding(code, resource.name, None, "", TEMPLATES[code].format(note), resource.path)


def _note(finding: Finding) -> str:
    prefix = TEMPLATES[finding.code].split("{}")[0]
    return finding.message.removeprefix(prefix)


def _label(code: str, resource: Resource, name: str, message: str) -> Finding:
    return Finding(code, resource.name, 1, name, message, resource.path)
