"""The key store: primary keys, `unique` fields, v2 `uniqueKeys` and foreign keys, one way.

A pass keeps each resource's typed key columns; a store answers the key questions over them,
in memory (`ArrowKeys`: Arrow and numpy over whole columns) or in SQL (`SqlKeys`: a DuckDB
table per resource, for keys larger than memory). Every engine asks a store, so every engine
reports the same key findings. Values compare as frictionless compares the Python values it
reads: typed (so "01" and "1" are the same integer), None equal to None inside a composite
key, NaN equal to nothing; a v2 unique key with a missing value is not compared (as SQL's
UNIQUE).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..read.buffers import ZERO_FLOAT, bools, ints, to_bools
from .catalogue import UNIQUE_KEY, finding, show
from .fixes import MAX_CANDIDATES, MAX_SEARCHES, nearest, repeated
from .keycodes import codes, duplicates, halves, joined_codes, nan_mask
from .workers import together

if TYPE_CHECKING:
    from ..model.descriptor import Resource
    from .report import Finding
    from .scan import Scan

_NUMERIC = (pa.int16(), pa.int64(), pa.float64())


def lookup_misses(local: list[pa.Array], reference: list[pa.Array]) -> np.ndarray:
    """Rows of `local` whose (not all-null) key is not among the keys of `reference`."""
    size = len(local[0])
    all_null = np.ones(size, bool)
    for column in local:
        all_null &= to_bools(column.is_null())
    if len(reference) > 1:  # a referenced key all null matches nothing (one null: no local key)
        ref_all_null = np.ones(len(reference[0]), bool)
        for column in reference:
            ref_all_null &= to_bools(column.is_null())
        keep = bools(~ref_all_null)
        reference = [column.filter(keep) for column in reference]
    pairs = [_comparable(a, b) for a, b in zip(local, reference, strict=True)]
    if any(pair is None for pair in pairs):  # different types: nothing can match
        return ~all_null
    if len(local) == 1:
        a, b = pairs[0]
        return ~all_null & ~to_bools(pc.is_in(a, value_set=_present(a, b)))
    joint = codes([pa.concat_arrays([a, b]) for a, b in pairs])
    return ~all_null & ~np.isin(joint[:size], joint[size:])


def _present(a: pa.Array, b: pa.Array) -> pa.Array:
    """The values of `b` to look `a` up in: only those `a` holds, when `a` holds fewer.

    A hash set of `a`'s few distinct values, probed by `b`, leaves the values both hold: the
    set `a` is then looked up in is small (a self-reference to a few parents costs a probe,
    not a hash of every id). Equality is Arrow's either way, so the answer is the same. A `b`
    far shorter than `a` is taken as it is: hashing it costs less than finding `a`'s values.
    """
    if 8 * len(b) <= len(a):
        return b
    distinct = pc.unique(a)
    if len(distinct) >= len(b):
        return b
    return b.filter(pc.is_in(b, value_set=distinct))


def _comparable(a: pa.Array, b: pa.Array) -> tuple[pa.Array, pa.Array] | None:
    if a.type == b.type:
        pass
    elif a.type in _NUMERIC and b.type in _NUMERIC:
        a, b = a.cast(pa.float64()), b.cast(pa.float64())
    else:
        return None
    if pa.types.is_floating(a.type):
        a, b = pc.add(a, ZERO_FLOAT), pc.add(b, ZERO_FLOAT)
    return a, b


# -- what a store answers -----------------------------------------------------------------------


def _none(k: int) -> str:
    return ""


@dataclass
class Repeats:
    """Rows whose key repeats an earlier row's, as record numbers."""

    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    before: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # the latest
    first: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # the first
    shown: Callable[[int], str] = _none  # the k-th row's key, as a message shows it


@dataclass
class Misses:
    """Rows whose foreign key is not in the lookup, as record numbers."""

    rows: np.ndarray
    shown: Callable[[int], str]  # the k-th row's key, as a message shows it
    nearest: Callable[[int], str] = _none  # the hint naming the nearest existing key


@dataclass
class KeyErrors:
    """The key checks' results (a store computes them its own way)."""

    unique: dict[int, Repeats] = field(default_factory=dict)  # by column
    all_null: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    primary: Repeats = field(default_factory=Repeats)
    foreign: dict[int, Misses] = field(default_factory=dict)  # by foreign key index


class KeyStore(Protocol):
    """Answers the key questions of a resource whose pass has kept its key columns."""

    def errors(self, scan: Scan) -> KeyErrors:
        """Unique fields, the primary key and the foreign keys."""
        ...

    def has(self, scan: Scan, positions: list[int]) -> bool:
        """Whether the columns at `positions` were kept."""
        ...

    def repeats(self, scan: Scan, positions: list[int]) -> Repeats:
        """Rows whose key (no value missing) repeats an earlier row's."""
        ...


def key_positions(scan: Scan) -> tuple[list[int], list[int], list[tuple[int, list[int]]]]:
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


def unique_key_findings(scan: Scan, store: KeyStore, limit: int) -> list[Finding]:
    """One `unique-key` finding per repeating row and v2 unique key (at most `limit`)."""
    resource = scan.resource
    if scan.failure is not None or scan.labels is None or not resource.schema.unique_keys:
        return []
    position = {f.name: j for j, f in enumerate(scan.fields()) if f is not None}
    out: list[Finding] = []
    for key in resource.schema.unique_keys:
        where = [position.get(name) for name in key]
        if None in where or not store.has(scan, where):
            continue  # a missing column: the header findings say so
        out += _unique_key(resource, key, store.repeats(scan, where))
    out.sort(key=lambda f: f.row)
    return out[:limit]


def repeat_findings(
    resource: Resource, key: tuple[str, ...], columns: list[pa.Array], numbers: np.ndarray
) -> list[Finding]:
    """`unique-key` findings over typed `columns` whose rows have record `numbers`."""
    return _unique_key(resource, key, _repeats(columns, numbers))


def _repeats(columns: list[pa.Array], numbers: np.ndarray) -> Repeats:
    nulls = np.logical_or.reduce([to_bools(c.is_null()) for c in columns])
    at, before, first = duplicates(codes(columns), numbers, ~nulls & ~nan_mask(columns))
    return Repeats(numbers[at], numbers[before], first, _shown(columns, at))


def _shown(columns: list[pa.Array], at: np.ndarray) -> Callable[[int], str]:
    """The key of the k-th of the rows `at` (indices into `columns`), as messages show it."""

    def shown(k: int) -> str:
        return ", ".join(show(column[int(at[k])].as_py()) for column in columns)

    return shown


def _unique_key(resource: Resource, key: tuple[str, ...], found: Repeats) -> list[Finding]:
    name = ",".join(key)
    out = []
    for k, (a, b, first) in enumerate(
        zip(*(x.tolist() for x in (found.rows, found.before, found.first)), strict=True)
    ):
        hint = repeated(found.shown(k), first, b)
        values = {"key": ", ".join(key), "before": b, "fix": hint}
        out.append(finding(UNIQUE_KEY, resource.name, a, name, resource.path, **values))
    return out


# -- in memory ----------------------------------------------------------------------------------


class ArrowKeys:
    """The key store over the typed key columns each pass kept in memory (`Found.keys`)."""

    def __init__(self, byname: dict[str, Scan]) -> None:
        self.byname = byname

    def has(self, scan: Scan, positions: list[int]) -> bool:
        found = scan.found
        return found.key_rows is not None and all(j in found.keys for j in positions)

    def repeats(self, scan: Scan, positions: list[int]) -> Repeats:
        found = scan.found
        return _repeats([found.keys[j][0] for j in positions], found.key_rows)

    def errors(self, scan: Scan) -> KeyErrors:
        found = scan.found
        keys, numbers = found.keys, found.key_rows
        unique, pk, groups = key_positions(scan)
        # the hash passes over whole columns, run together on the worker threads
        wanted = {(j,) for j in unique} | ({tuple(pk)} if pk else set())
        halved: dict[Any, Callable[[], Any]] = {}  # the longest tasks, first
        tasks: dict[Any, Callable[[], Any]] = {}
        split: dict[tuple, np.ndarray] = {}
        for key in wanted:
            columns = [keys[j][0] for j in key]
            side = halves(columns[0]) if len(key) == 1 else None
            if side is None:
                tasks[key] = lambda columns=columns: codes(columns)
                continue
            split[key] = side
            for half in (False, True):
                kept = bools(side == half)
                halved[key, half] = lambda c=columns[0], kept=kept: codes([c.filter(kept)])
        for index, local in groups:
            tasks[index] = lambda index=index, local=local: self._misses(scan, index, local)
        tasks = {**halved, **tasks}
        done = together(tasks)
        for key, side in split.items():
            done[key] = joined_codes(done.pop((key, False)), done.pop((key, True)), side)
        out = KeyErrors()
        for j in unique:
            column = keys[j][0]
            take = to_bools(column.is_valid()) & ~nan_mask([column])
            at, before, first = duplicates(done[(j,)], numbers, take)
            out.unique[j] = Repeats(numbers[at], numbers[before], first, _shown([column], at))
        if pk:
            columns = [keys[j][0] for j in pk]
            nulls = np.logical_and.reduce([to_bools(c.is_null()) for c in columns])
            out.all_null = numbers[np.flatnonzero(nulls)]
            if len(pk) == 1 and pk[0] in out.unique:  # the same rows repeat, found above
                out.primary = out.unique[pk[0]]
            else:
                take = ~nulls & ~nan_mask(columns)
                at, before, first = duplicates(done[tuple(pk)], numbers, take)
                out.primary = Repeats(numbers[at], numbers[before], first, _shown(columns, at))
        out.foreign = {index: done[index] for index, _ in groups}
        return out

    def _misses(self, scan: Scan, index: int, local: list[int]) -> Misses:
        """The rows of foreign key `index` (at columns `local`) that reference no row."""
        fk = scan.resource.schema.foreign_keys[index]
        target = self.byname[fk.resource or scan.resource.name]
        reference = [_reference_column(target, name) for name in fk.reference_fields]
        columns = [scan.found.keys[j][0] for j in local]
        misses = np.flatnonzero(lookup_misses(columns, reference))
        shown = _shown(columns, misses)
        return Misses(scan.found.key_rows[misses], shown, _nearest(reference, shown))


def _nearest(reference: list[pa.Array], shown: Callable[[int], str]) -> Callable[[int], str]:
    """The hint for the k-th missing key: the nearest referenced key (few enough to search)."""
    keys: list[str] | None = None
    hints: dict[str, str] = {}

    def hint(k: int) -> str:
        nonlocal keys
        missing = shown(k)
        if missing in hints or len(hints) >= MAX_SEARCHES:
            return hints.get(missing, "")
        if keys is None:
            table = pa.table({str(i): c for i, c in enumerate(reference)}).drop_null()
            # more distinct keys in the first rows than may be searched: no need to count them all
            few = _distinct_rows(table.slice(0, 4 * MAX_CANDIDATES)).num_rows <= MAX_CANDIDATES
            table = _distinct_rows(table) if few else table
            if not few or table.num_rows > MAX_CANDIDATES:
                keys = []
            else:
                columns = [c.to_pylist() for c in table.columns]
                keys = [", ".join(show(v) for v in row) for row in zip(*columns, strict=True)]
        hints[missing] = nearest(missing, keys) if keys else ""
        return hints[missing]

    return hint


def _distinct_rows(table: pa.Table) -> pa.Table:
    """The table's distinct rows, in the order each first appears (no Acero: no pandas)."""
    if not table.num_rows:
        return table
    first = np.unique(codes([c.combine_chunks() for c in table.columns]), return_index=True)[1]
    return table.take(ints(np.sort(first)))


def _reference_column(target: Scan, name: str) -> pa.Array:
    """A referenced field's typed values; all null where its header lacks the field."""
    for j, f in enumerate(target.fields()):
        if f is not None and f.name == name and j in target.found.keys:
            return target.found.keys[j][0]
    size = len(target.found.key_rows) if target.found.key_rows is not None else 0
    return pa.nulls(size, pa.string())


# -- in SQL ---------------------------------------------------------------------------------------


class SqlKeys:
    """The key store over DuckDB tables: one per resource, `row` then `c<j>` per key column.

    `tables` maps each resource to its table and the Arrow types of its key columns, by
    position; answers are cut at `limit` rows, in record order.
    """

    def __init__(
        self,
        con: Any,
        tables: dict[str, tuple[str, dict[int, pa.DataType]]],
        byname: dict[str, Scan],
        limit: int,
    ) -> None:
        self.con, self.tables, self.byname, self.limit = con, tables, byname, limit

    def has(self, scan: Scan, positions: list[int]) -> bool:
        _, types = self.tables[scan.resource.name]
        return all(j in types for j in positions)

    def repeats(self, scan: Scan, positions: list[int]) -> Repeats:
        name, types = self.tables[scan.resource.name]
        return self._repeats(_sql_repeats(name, positions, types, self.limit, any_null=True))

    def errors(self, scan: Scan) -> KeyErrors:
        name, types = self.tables[scan.resource.name]
        unique, pk, groups = key_positions(scan)
        out = KeyErrors()
        for j in unique:
            out.unique[j] = self._repeats(_sql_repeats(name, [j], types, self.limit))
        if pk:
            where = " AND ".join(f"c{j} IS NULL" for j in pk)
            (out.all_null,) = self._numbers(
                f"SELECT row FROM {name} WHERE {where} ORDER BY row LIMIT {self.limit}"
            )
            out.primary = self._repeats(_sql_repeats(name, pk, types, self.limit))
        for index, local in groups:
            fk = scan.resource.schema.foreign_keys[index]
            target = fk.resource or scan.resource.name
            out.foreign[index] = self._misses(name, local, types, target, fk)
        return out

    def _numbers(self, sql: str) -> tuple[np.ndarray, ...]:
        table = self.con.sql(sql).to_arrow_table()
        return tuple(
            np.asarray(table.column(i).to_pylist(), np.int64) for i in range(table.num_columns)
        )

    def _repeats(self, sql: str) -> Repeats:
        """The repeats `_sql_repeats` selects: row, before, first, then the key's columns."""
        table = self.con.sql(sql).to_arrow_table()
        rows, before, first = (np.asarray(table.column(i).to_pylist(), np.int64) for i in range(3))
        columns = [table.column(i).combine_chunks() for i in range(3, table.num_columns)]
        return Repeats(rows, before, first, _shown(columns, np.arange(len(rows))))

    def _misses(self, name: str, local: list[int], types: dict, target: str, fk: Any) -> tuple:
        """Rows whose (not all-null) key is missing from the lookup: an anti-join."""
        target_name, target_types = self.tables[target]
        fields = self.byname[target].fields()
        refs = []
        for field_name in fk.reference_fields:
            at = [j for j, f in enumerate(fields) if f is not None and f.name == field_name]
            refs.append(at[0] if at and at[0] in target_types else None)
        cols = [f"c{j}" for j in local]
        not_null = f"NOT ({' AND '.join(f'l.{c} IS NULL' for c in cols)})"
        comparable: list[str] | None = []
        for j, r in zip(local, refs, strict=True):
            a, b = types[j], target_types.get(r) if r is not None else None
            if b is None or not (a == b or (a in _NUMERIC and b in _NUMERIC)):
                comparable = None
                break
            cast = "::DOUBLE" if a != b else ""
            comparable.append(f"l.c{j}{cast} IS NOT DISTINCT FROM r.c{r}{cast}")
        listed = ", ".join(f"l.{c}" for c in cols)
        if comparable is None:  # different types, or no such field: nothing can match
            sql = f"SELECT l.row, {listed} FROM {name} l WHERE {not_null}"
        else:  # DuckDB hashes the referenced side once, and probes it with each row's key
            ref_not_null = " AND ".join(f"r.c{r} IS NULL" for r in refs)
            sql = (
                f"SELECT l.row, {listed} FROM {name} l ANTI JOIN "
                f"(SELECT * FROM {target_name} r WHERE NOT ({ref_not_null})) r "
                f"ON {' AND '.join(comparable)} WHERE {not_null}"
            )
        table = self.con.sql(f"{sql} ORDER BY l.row LIMIT {self.limit}").to_arrow_table()
        rows = np.asarray(table.column(0).to_pylist(), np.int64)
        values = [table.column(k + 1).combine_chunks() for k in range(len(cols))]
        shown = _shown(values, np.arange(len(rows)))
        if None in refs:
            return Misses(rows, shown)
        listed = ", ".join(f"c{r}" for r in refs)
        every_null = " AND ".join(f"c{r} IS NULL" for r in refs)
        candidates = (
            f"SELECT DISTINCT {listed} FROM {target_name} WHERE NOT ({every_null}) "
            f"LIMIT {MAX_CANDIDATES + 1}"
        )
        reference = [c.combine_chunks() for c in self.con.sql(candidates).to_arrow_table().columns]
        return Misses(rows, shown, _nearest(reference, shown))


def _sql_repeats(
    name: str, positions: list[int], types: dict, limit: int, *, any_null: bool = False
) -> str:
    """Rows whose key (no NaN; not all null, or with `any_null` no null) appeared before.

    Selects each such row, the latest earlier and the first row with the same key, and the key.
    """
    cols = [f"c{j}" for j in positions]
    joiner = " OR " if any_null else " AND "
    keep = [f"NOT ({joiner.join(f'{c} IS NULL' for c in cols)})"]
    keep += [
        f"NOT coalesce(isnan(c{j}), false)" for j in positions if pa.types.is_floating(types[j])
    ]
    same = " AND ".join(f"t.{c} IS NOT DISTINCT FROM d.{c}" for c in cols)
    listed = ", ".join(cols)
    window = f"PARTITION BY {', '.join('t.' + c for c in cols)} ORDER BY t.row"
    return (
        f"WITH t AS (SELECT row, {listed} FROM {name} WHERE {' AND '.join(keep)}), "
        f"d AS (SELECT {listed} FROM t GROUP BY ALL HAVING count(*) > 1), "
        f"s AS (SELECT t.*, lag(t.row) OVER w AS before, min(t.row) OVER w AS first "
        f"FROM t SEMI JOIN d ON {same} WINDOW w AS ({window})) "
        f"SELECT row, before, first, {listed} FROM s WHERE before IS NOT NULL "
        f"ORDER BY row LIMIT {limit}"
    )
