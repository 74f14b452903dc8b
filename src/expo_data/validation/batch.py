"""Checking one record batch of a resource: types, constraints, blank rows, the project's checks.

Every check is an Arrow kernel over a whole batch column; what it finds is kept as row
numbers and cells (at most `limit` per kind: frictionless stops a resource at `limit` findings
and each kind's later rows cannot come before that), and the typed key columns are kept for
the uniqueness and foreign-key checks at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..read import cells, kernels
from ..read.buffers import (
    FALSE,
    NULL_STRING,
    ZERO,
    StringBytes,
    array,
    bools,
    ints,
    strings,
    to_bools,
)
from . import catalogue, checks, patterns
from .workers import each

if TYPE_CHECKING:
    from ..model.descriptor import Field, Resource
    from .records import RecordLayout

#: the constraints each type supports, in the order frictionless checks them
CONSTRAINTS = {
    "string": ("required", "minLength", "maxLength", "pattern", "enum"),
    "boolean": ("required", "enum"),
    **dict.fromkeys(
        ("integer", "number", "date", "datetime", "time", "year", "yearmonth"),
        ("required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"),
    ),
    **dict.fromkeys(("any", "duration", "geojson", "geopoint"), ("required", "enum")),
    **dict.fromkeys(("array", "object"), ("required", "minLength", "maxLength", "enum")),
    "list": ("required", "minLength", "maxLength"),
}
#: types whose values and bounds Arrow compares as frictionless does; others go cell by cell
VECTOR_TYPES = {"string", "integer", "number", "boolean", "date", "datetime", "year"}
#: the pseudo-constraint of a value frictionless reads but the loaders' type cannot hold
OUT_OF_RANGE = catalogue.OUT_OF_RANGE
_BOUNDS = {
    "minimum": pc.greater_equal,
    "maximum": pc.less_equal,
    "exclusiveMinimum": pc.greater,
    "exclusiveMaximum": pc.less,
}


@dataclass
class CellErrors:
    """Type errors (constraint "") or one constraint's errors of one column."""

    position: int  # 0-based column
    constraint: str
    rows: np.ndarray  # record numbers
    cells: list  # the cells as read (None: no cell)


@dataclass
class Found:
    """What the batches of one resource showed, before keys and final row numbers."""

    errors: list[CellErrors] = field(default_factory=list)
    blank: list[np.ndarray] = field(default_factory=list)
    ragged: list[tuple[int, int]] = field(default_factory=list)  # (record, cells in it)
    keys: dict[int, list[pa.Array]] = field(default_factory=dict)  # column → typed chunks
    key_rows: np.ndarray | None = None  # record number of each key row (not in order)
    rows: int = 0  # data rows, ragged ones included
    hits: dict[tuple[str, str, str], list] = field(default_factory=dict)  # → [(row, cell)]
    empty_lines: bool = False  # a row read as all-empty cells may have been an empty line


@dataclass
class Checked:
    """What one column's checks found in one batch."""

    position: int
    present: pa.Array  # the cells, null where missing
    errors: list[CellErrors] = field(default_factory=list)
    hits: list[checks.Hits] = field(default_factory=list)
    typed: pa.Array | None = None  # the typed values, where a key check needs them


class Batches:
    """Checks the batches of one resource, given the fields its header lines up with."""

    def __init__(
        self,
        resource: Resource,
        fields: list[Field | None],
        *,
        keys: set[int],
        table: bool,
        project: checks.Profile | None,
        limit: int,
    ) -> None:
        self.resource, self.fields, self.key_positions = resource, fields, keys
        self.table, self.project, self.limit = table, project, limit
        self.found = Found()
        self.missing = [_missing_values(f, resource) for f in fields]
        self.blank_sensitive = any("" not in m for m in self.missing)
        #: pyarrow itself reads "" as null (see `empty_is_missing`)
        self.nulls_read = empty_is_missing(resource)
        self.bounds = [bounds(f) if f is not None and table else {} for f in fields]
        names = [f.name if f else None for f in fields]
        self.citation = project.citing(resource, names) if project else None
        self.rows = 0  # rows pyarrow gave, numbered index + 2 until `renumber`
        self.numbers: np.ndarray | None = None  # their record numbers, once renumbered
        self.empty: set[int] = set()  # record numbers of empty lines

    def batch(self, columns: list[pa.Array], rows: np.ndarray, ragged: bool = False) -> None:
        """Check one batch; `rows` are its record numbers. Ragged rows hold None for no cell."""
        if not len(rows):
            return
        blank = None
        if not ragged and len(columns) > 1 and self.blank_sensitive:
            empty = pc.equal(pc.binary_length(columns[0]), ZERO)
            for column in columns[1:]:
                empty = pc.and_(empty, pc.equal(pc.binary_length(column), ZERO))
            self.found.empty_lines |= pc.any(empty).as_py()
        count = min(len(self.fields), len(columns))
        checked = each(lambda j: self._column(j, columns[j], rows, ragged), range(count))
        if self.table and all(column.present.null_count for column in checked):
            for column in checked:  # a row is blank where every cell is missing
                is_null = pc.is_null(column.present)
                blank = is_null if blank is None else pc.and_(blank, is_null)
        for column in checked:
            self.found.errors += column.errors
            if column.typed is not None:
                self.found.keys.setdefault(column.position, []).append(column.typed)
            for hit in column.hits:
                self._hit(hit, rows, column.present)
        if blank is not None:
            mask = to_bools(blank)
            if mask.any():
                self.found.blank.append(rows[mask])
        if self.citation is not None:
            ids, paragraphs = (checked[k].present for k in self.citation)
            ids_name = self.fields[self.citation[0]].name
            for hit in checks.citation_hits(ids, paragraphs, self.project):
                self._hit(hit, rows, ids if hit.field == ids_name else paragraphs)

    def _column(self, j: int, raw: pa.Array, rows: np.ndarray, ragged: bool) -> Checked:
        """One column's checks (run on a worker thread: it changes nothing, it returns)."""
        f = self.fields[j]
        missing = self.nulls_read and not ragged  # pyarrow has read the missing cells as null
        present = raw if missing else _null_missing(raw, self.missing[j])
        out = Checked(j, present)
        if f is None:
            return out
        if self.table:
            out.typed = self._cells(out, f, raw, rows, shown_empty=missing)
        if self.project:
            out.hits = checks.text_hits(f, present, self.project)
        return out

    def _cells(
        self, out: Checked, f: Field, raw: pa.Array, rows: np.ndarray, *, shown_empty: bool
    ) -> pa.Array | None:
        """The column's type and constraint errors into `out`; its typed values if a key needs them."""
        j, present = out.position, out.present

        def error(constraint: str, mask: Any) -> None:
            found = self._error(j, constraint, mask, raw, rows, shown_empty=shown_empty)
            if found is not None:
                out.errors.append(found)

        if f.type in VECTOR_TYPES:
            typed, bad, lost = cells.values(f, present)
            error("", bad)
            error(OUT_OF_RANGE, lost)
            valid = pc.is_valid(typed)
            for name in CONSTRAINTS[f.type]:
                if name == "required":
                    if f.required:
                        error(name, pc.is_null(present))
                elif name in f.constraints:
                    error(name, violates(f, name, typed, valid, self.bounds[j]))
            if f.categories is not None:  # v2: a value outside the categories
                mask = violates(f, "enum", typed, valid, {"enum": self.bounds[j]["categories"]})
                error("categories", mask)
        else:
            typed = self._cell_by_cell(j, f, raw, error)
        return typed if j in self.key_positions else None

    def _cell_by_cell(
        self, j: int, f: Field, raw: pa.Array, error: Callable[[str, Any], None]
    ) -> pa.Array:
        """frictionless' own cell reader, for the types Arrow cannot compare its way."""
        import frictionless

        descriptor = {"missingValues": list(self.missing[j]), **f.descriptor}
        reader = frictionless.Field.from_descriptor(descriptor).create_cell_reader()
        values = raw.to_pylist()
        typed, errors = [], {}
        for index, cell in enumerate(values):
            value, notes = reader(cell)
            typed.append(cell if value is not None else None)
            for name in notes or {}:
                errors.setdefault("" if name == "type" else name, []).append(index)
        for name in ("", *CONSTRAINTS.get(f.type, ())):
            if name in errors:
                mask = np.zeros(len(values), bool)
                mask[errors[name]] = True
                error(name, bools(mask))
        return strings(typed)

    def _error(
        self,
        j: int,
        constraint: str,
        mask: Any,
        raw: pa.Array,
        rows: np.ndarray,
        *,
        shown_empty: bool,
    ) -> CellErrors | None:
        if not pc.any(mask).as_py():
            return None
        indices = np.flatnonzero(to_bools(mask))[: self.limit]
        values = pc.take(raw, ints(indices)).to_pylist()
        if shown_empty:  # pyarrow read "" as null: show the cell as written
            values = ["" if v is None else v for v in values]
        return CellErrors(j, constraint, rows[indices], values)

    def _hit(self, hit: checks.Hits, rows: np.ndarray, column: pa.Array) -> None:
        if not pc.any(hit.mask).as_py():
            return
        kept = self.found.hits.setdefault((hit.code, hit.field, hit.message), [])
        room = self.limit - len(kept)
        if room > 0:
            indices = np.flatnonzero(to_bools(hit.mask))[:room]
            values = pc.take(column, ints(indices)).to_pylist()
            kept += zip(rows[indices].tolist(), values, strict=True)

    def restart(self) -> None:
        """Forget pyarrow's rows: Python's csv reads the whole file instead."""
        self.found = Found()
        self.rows = 0

    def renumber(self, layout: RecordLayout) -> None:
        """Replace provisional row numbers (index + 2) by record numbers; empty lines are blank."""
        found, kept = self.found, layout.kept
        for error in found.errors:
            error.rows = kept[error.rows - 2]
        found.blank = [kept[b - 2] for b in found.blank]
        for hits in found.hits.values():
            hits[:] = [(int(kept[r - 2]), v) for r, v in hits]
        if layout.empty:  # frictionless reads no cells from an empty line: only a blank row
            empty = np.fromiter(sorted(layout.empty), np.int64)
            for error in found.errors:
                keep = ~_among(error.rows, empty)
                error.rows = error.rows[keep]
                error.cells = [c for c, k in zip(error.cells, keep, strict=True) if k]
            found.blank.append(empty)
        self.numbers = kept
        self.empty = layout.empty

    def ragged_rows(self, layout: RecordLayout) -> None:
        """Check the records pyarrow skipped, under their own numbers; keep their widths."""
        width = len(self.fields)
        for start in range(0, len(layout.ragged), 1 << 16):
            chunk = layout.ragged[start : start + (1 << 16)]
            rows = np.fromiter((r for r, _ in chunk), np.int64, len(chunk))
            columns = [
                strings([c[j] if j < len(c) else None for _, c in chunk]) for j in range(width)
            ]
            self.batch(columns, rows, ragged=True)
            self.found.ragged += [(r, len(c)) for r, c in chunk]

    def finish(self) -> Found:
        """Join each key column's chunks (pyarrow's rows, then ragged ones); the pass's result."""
        found = self.found
        numbers = self.numbers
        if numbers is None:
            numbers = np.arange(self.rows, dtype=np.int64) + 2
        found.key_rows = np.concatenate([numbers, np.array([r for r, _ in found.ragged], np.int64)])
        found.rows = len(found.key_rows)
        empty = None
        if self.empty:  # an empty line has no cells, so no key
            empty = bools(_among(found.key_rows, np.fromiter(sorted(self.empty), np.int64)))

        def joined(j: int) -> pa.Array:
            f = self.fields[j]
            kind = cells.ARROW_TYPES[f.type] if f.type in VECTOR_TYPES else pa.string()
            column = pa.chunked_array(found.keys.get(j, []), kind).combine_chunks()
            if empty is not None:
                column = kernels.if_else(empty, pa.nulls(1, column.type)[0], column)
            return column

        positions = sorted(self.key_positions)
        for j, column in zip(positions, each(joined, positions), strict=True):
            found.keys[j] = [column]
        return found


def _among(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """`np.isin(values, sorted_set)` by binary search: no pass over `values` per set member."""
    at = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return sorted_set[at] == values


def empty_is_missing(resource: Resource) -> bool:
    """Whether "" is the one missing value of every field, so pyarrow can read it as null."""
    return all(_missing_values(f, resource) == ("",) for f in resource.schema.fields)


def _null_missing(column: pa.Array, missing: tuple[str, ...]) -> pa.Array:
    if missing == ("",):
        nulls = pc.equal(pc.binary_length(column), ZERO)
    else:
        nulls = pc.is_in(column, value_set=strings(list(missing)))
    return kernels.if_else(pc.fill_null(nulls, FALSE), NULL_STRING, column)


def _missing_values(f: Field | None, resource: Resource) -> tuple[str, ...]:
    """The strings that mean missing in a column (an extra column: frictionless' default)."""
    if f is None:
        return ("",)
    values = f.descriptor.get("missingValues", resource.schema.missing_values)
    return tuple(v["value"] if isinstance(v, dict) else v for v in values)


def bounds(f: Field) -> dict[str, Any]:
    """Constraint values read as the field's type: Arrow scalars, an enum array, a regex."""
    out: dict[str, Any] = {}
    if f.type not in VECTOR_TYPES:
        return out
    target = cells.ARROW_TYPES[f.type]
    for name in _BOUNDS:
        if name in f.constraints:
            out[name] = array([cells.read_value(f, f.constraints[name])], target)[0]
    if "enum" in f.constraints:
        out["enum"] = array([cells.read_value(f, v) for v in f.constraints["enum"]], target)
    if f.categories is not None:
        out["categories"] = array([cells.read_value(f, v) for v in f.categories], target)
    if "pattern" in f.constraints:
        out["pattern"] = f.constraints["pattern"]
    return out


def violates(f: Field, name: str, typed: Any, valid: Any, limits: dict) -> Any:
    """Mask of readable cells that break constraint `name`."""
    if name == "enum":
        return pc.and_(valid, pc.invert(pc.is_in(typed, value_set=limits["enum"])))
    if name == "pattern":
        return pattern_misses(typed, limits["pattern"])
    if name in ("minLength", "maxLength"):
        length = pc.utf8_length(typed)
        limit = f.constraints[name]
        bound = array([limit], pa.int32())[0]
        return pc.less(length, bound) if name == "minLength" else pc.greater(length, bound)
    return pc.and_(valid, pc.invert(pc.fill_null(_BOUNDS[name](typed, limits[name]), FALSE)))


def _repetitive(strings: Any, sample: int = 2048) -> bool:
    """Whether a long column seems to repeat its values (judged on its first cells)."""
    if len(strings) < 8 * sample:
        return False
    return pc.count_distinct(strings.slice(0, sample)).as_py() < sample // 4


def pattern_misses(strings: Any, pattern: str) -> Any:
    """Cells the `pattern` constraint rejects, as RE2 matches them (linear time, RE2 semantics).

    RE2, not Python's `re` (which frictionless uses), so that no pattern can take exponential
    time: `\\d`, `\\w`, `\\s` are ASCII and `$` matches only at the very end of the cell.
    The descriptor has refused patterns RE2 cannot compile (lookarounds, backreferences).
    A simple pattern (`patterns.recognise`) is decided from the cells' bytes; RE2 then reads
    only the cells the bytes leave open.
    """
    simple = patterns.recognise(pattern)
    if simple is not None and StringBytes.reads(strings):
        misses, open_cells = simple.misses(strings)
        if len(open_cells):
            chosen = pc.take(strings, ints(open_cells))
            misses[open_cells] = to_bools(_regex_misses(chosen, pattern))
        return bools(misses)
    if _repetitive(strings):  # match each distinct value once
        encoded = pc.dictionary_encode(strings)
        misses = pattern_misses(encoded.dictionary, pattern)
        return pc.fill_null(pc.take(misses, encoded.indices), FALSE)
    return _regex_misses(strings, pattern)


def _regex_misses(strings: Any, pattern: str) -> Any:
    """Cells RE2 does not match in full (null cells never miss)."""
    matched = pc.match_substring_regex(strings, f"^(?:{pattern})$")
    return pc.fill_null(pc.and_(pc.is_valid(strings), pc.invert(matched)), FALSE)
