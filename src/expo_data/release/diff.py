"""Diffing two versions of a package: rows by primary key on typed values, and schemas."""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ReleaseError
from .diffsource import opened, release_home
from .schemadiff import SchemaChange, rename, resource_changes

if TYPE_CHECKING:
    import pyarrow as pa

    from ..model.descriptor import Package, Resource

#: column names the row diff uses internally (they cannot clash with field names)
OLD, NEW, ROW_OLD, ROW_NEW, COUNT = "\x00old:", "\x00new:", "\x00row-old", "\x00row-new", "\x00n"
SEMVER = re.compile(r"v?(\d+)\.(\d+)\.(\d+)([-+].*)?")


@dataclass(frozen=True)
class CellChange:
    """One changed cell: the row's key (primary-key values as strings), field, old, new."""

    key: tuple[str, ...]
    field: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"key": list(self.key), "field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class ResourceDiff:
    """What changed in one resource; `status` is added, removed, changed or unchanged.

    Rows are matched on the primary key (`key_fields`). A resource without one (`keyed`
    False) is compared as a multiset of rows: `added`/`removed` then hold whole rows (every
    compared field's value as a string, '' for missing), once per copy, and `changed` is empty.
    """

    name: str
    status: str
    added: tuple[tuple[str, ...], ...] = ()
    removed: tuple[tuple[str, ...], ...] = ()
    changed: tuple[CellChange, ...] = ()
    schema: tuple[SchemaChange, ...] = ()
    keyed: bool = True
    key_fields: tuple[str, ...] = ()

    @property
    def breaking(self) -> bool:
        """Removed rows or a breaking schema change."""
        return bool(self.removed) or any(c.breaking for c in self.schema)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "added": [list(k) for k in self.added],
            "removed": [list(k) for k in self.removed],
            "changed": [c.to_dict() for c in self.changed],
            "schema": [c.to_dict() for c in self.schema],
        }


@dataclass(frozen=True)
class PackageDiff:
    """The differences between two packages (`old`, `new`: spec, form, name, version)."""

    old: Mapping[str, Any]
    new: Mapping[str, Any]
    resources: tuple[ResourceDiff, ...] = field(default=())

    @property
    def breaking(self) -> bool:
        return any(r.breaking for r in self.resources)

    @property
    def changed(self) -> bool:
        """True when anything differs."""
        return any(r.status != "unchanged" for r in self.resources)

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": dict(self.old),
            "new": dict(self.new),
            "breaking": self.breaking,
            "resources": [r.to_dict() for r in self.resources],
        }

    def summary(self) -> dict[str, Any]:
        """Counts per resource, for a release manifest."""
        return {
            "previous": self.old.get("version", ""),
            "breaking": self.breaking,
            "resources": {
                r.name: {
                    "status": r.status,
                    "added": len(r.added),
                    "removed": len(r.removed),
                    "changed": len(r.changed),
                    "schema": [c.change for c in r.schema],
                }
                for r in self.resources
                if r.status != "unchanged"
            },
        }

    def version_problem(self) -> str | None:
        """Why NEW's version is wrong for these changes (None: it is right)."""
        old, new = str(self.old.get("version", "")), str(self.new.get("version", ""))
        if not self.breaking:
            return None
        right = required_version(old)
        if bumps_major(old, new):
            return None
        return (
            f"the changes are breaking but version {new or '(none)'} does not bump the "
            f"{'major' if _semver(old)[0] else 'minor'} version of {old}; release {right} "
            "(or later) instead"
        )


def _semver(version: str) -> tuple[int, int, int]:
    found = SEMVER.fullmatch(version.strip())
    if not found:
        raise ReleaseError(f"version {version!r} is not a semantic version (X.Y.Z)")
    return int(found[1]), int(found[2]), int(found[3])


def required_version(old: str) -> str:
    """The first version a breaking change after `old` may have: next major (minor below 1.0)."""
    major, minor, _ = _semver(old)
    return f"{major + 1}.0.0" if major else f"0.{minor + 1}.0"


def bumps_major(old: str, new: str) -> bool:
    """True when `new` bumps the major version of `old` (the minor one below 1.0)."""
    o, n = _semver(old), _semver(new)
    return n[0] > o[0] if o[0] else (n[0] > 0 or n[1] > o[1])


def diff(
    old: str | Path | Package,
    new: str | Path | Package,
    *,
    url: str | Path | None = None,
    offline: bool | None = None,
    trusted: bool = False,
    repo: str | Path | None = None,
    package: str | Path | Package | None = None,
) -> PackageDiff:
    """What changed from package `old` to package `new`, in rows and schemas.

    Each side is a datapackage.json or its folder (CSV package or release folder), a
    release version (`release:1.0.0` or `1.0.0`, fetched from `url` into the verified cache),
    or a git revision of a package (`git:REV`, `git:REV:PATH`, `REV:PATH`; see README).
    A release version is one of `package`'s releases (default: the other side's, when it is
    a package folder or descriptor, else the bundled package's), fetched from `url`, else
    from where that package's descriptor says (`"expo:releases"`).
    `trusted=True` allows resource paths outside the package folder and remote URLs (only
    for packages you trust); by default they raise UnsafePathError.
    """
    with ExitStack() as stack:
        home = package if package is not None else release_home(old, new)
        kwargs = {"url": url, "offline": offline, "trusted": trusted, "repo": repo, "home": home}
        old_pkg, old_info = stack.enter_context(opened(old, **kwargs))
        new_pkg, new_info = stack.enter_context(opened(new, **kwargs))
        names = old_pkg.resource_names + [
            n for n in new_pkg.resource_names if n not in old_pkg.resource_names
        ]
        resources = []
        for name in names:
            before = old_pkg.resource(name) if name in old_pkg.resource_names else None
            after = new_pkg.resource(name) if name in new_pkg.resource_names else None
            resources.append(_resource_diff(name, before, after, old_pkg, new_pkg))
    return PackageDiff(old_info, new_info, tuple(resources))


def _resource_diff(
    name: str, old: Resource | None, new: Resource | None, old_pkg: Package, new_pkg: Package
) -> ResourceDiff:
    schema = resource_changes(old, new)
    if old is None or new is None:
        return ResourceDiff(name, "added" if old is None else "removed", schema=tuple(schema))
    if not (old.tabular and new.tabular):  # never read as tables: compared as bytes
        same = old.tabular == new.tabular and _digest(old) == _digest(new)
        return ResourceDiff(
            name, "unchanged" if same and not schema else "changed", schema=tuple(schema)
        )
    from ..read.tables import read_table

    rows = _RowDiff(old, new, read_table(old, old_pkg), read_table(new, new_pkg), schema)
    rows.run()
    changed = bool(rows.added or rows.removed or rows.changed or rows.schema)
    return ResourceDiff(
        name,
        "changed" if changed else "unchanged",
        tuple(rows.added),
        tuple(rows.removed),
        tuple(rows.changed),
        tuple(rows.schema),
        keyed=bool(rows.key),
        key_fields=tuple(rows.key),
    )


class _RowDiff:
    """The row comparison of one resource (Arrow joins on the key, grouping when keyless)."""

    def __init__(
        self, old: Resource, new: Resource, old_t: pa.Table, new_t: pa.Table, schema: list
    ):
        self.old_t, self.new_t, self.schema = _plain(old_t), _plain(new_t), schema
        old_pk, new_pk = old.schema.primary_key, new.schema.primary_key
        names_old, names_new = set(self.old_t.column_names), set(self.new_t.column_names)
        self.key: list[str] = []
        for pk in (old_pk, new_pk):
            if pk and set(pk) <= names_old & names_new:
                self.key = list(pk)
                break
        removed = [c.field for c in schema if c.change == "field-removed"]
        added = [c.field for c in schema if c.change == "field-added"]
        self.gone, self.new_fields = removed, added
        self.common = [n for n in self.old_t.column_names if n in names_new and n not in self.key]
        self.added: list[tuple[str, ...]] = []
        self.removed: list[tuple[str, ...]] = []
        self.changed: list[CellChange] = []

    def run(self) -> None:
        self._align()
        if self.key:
            self._keyed()
        else:
            self._multiset()

    def _align(self) -> None:
        """Give each common column (and key) one type on both sides, typed where possible."""
        import pyarrow as pa

        for name in [*self.key, *self.common]:
            a, b = self.old_t.column(name), self.new_t.column(name)
            if a.type == b.type:
                continue
            try:
                a = a.cast(b.type)
            except (pa.ArrowException, ValueError):
                a, b = a.cast(pa.string()), b.cast(pa.string())
            self.old_t = _set(self.old_t, name, a)
            self.new_t = _set(self.new_t, name, b)

    def _keyed(self) -> None:
        import pyarrow.compute as pc

        old_cols = [*self.common, *self.gone]
        new_cols = [*self.common, *self.new_fields]
        left = _prefixed(self.old_t, self.key, old_cols, OLD, ROW_OLD)
        right = _prefixed(self.new_t, self.key, new_cols, NEW, ROW_NEW)
        joined = left.join(right, keys=self.key, join_type="full outer", use_threads=True)
        self.removed = _keys(joined.filter(pc.is_null(joined[ROW_NEW])), self.key)
        self.added = _keys(joined.filter(pc.is_null(joined[ROW_OLD])), self.key)
        both = joined.filter(pc.and_(pc.is_valid(joined[ROW_OLD]), pc.is_valid(joined[ROW_NEW])))
        both = both.take(pc.sort_indices(both, [(k, "ascending") for k in self.key]))
        self._renames(lambda r, a: (both[OLD + r], both[NEW + a]), both.num_rows)
        found: list[tuple[int, int, CellChange]] = []
        for position, name in enumerate(self.common):
            mask = _differs(both[OLD + name], both[NEW + name])
            rows = pc.indices_nonzero(mask)
            if not len(rows):
                continue
            picked = both.take(rows)
            keys = _keys(picked, self.key, sort=False)
            olds = picked[OLD + name].to_pylist()
            news = picked[NEW + name].to_pylist()
            for row, key, o, n in zip(rows.to_pylist(), keys, olds, news, strict=True):
                found.append((row, position, CellChange(key, name, _json(o), _json(n))))
        found.sort(key=lambda item: item[:2])
        self.changed = [change for *_, change in found]

    def _multiset(self) -> None:
        """Rows as a multiset: counts per distinct row (of the common fields) on each side."""
        import pyarrow as pa
        import pyarrow.compute as pc

        rows = self.old_t.num_rows == self.new_t.num_rows
        self._renames(lambda r, a: (self.old_t[r], self.new_t[a]), self.old_t.num_rows * rows)
        cols = self.common
        if not cols:
            return
        sides = []
        for table, sign in ((self.old_t, 1), (self.new_t, -1)):
            ones = pa.array([sign] * table.num_rows, pa.int64())
            counted = table.select(cols).append_column(COUNT, ones)
            sides.append(counted.group_by(cols, use_threads=False).aggregate([(COUNT, "sum")]))
        total = pa.concat_tables(sides).group_by(cols, use_threads=False)
        total = total.aggregate([(COUNT + "_sum", "sum")])
        total = total.take(pc.sort_indices(total, [(c, "ascending") for c in cols]))
        counts = total[COUNT + "_sum_sum"].to_pylist()
        rows_as_text = _keys(total, cols, sort=False)
        for text, count in zip(rows_as_text, counts, strict=True):
            (self.removed if count > 0 else self.added).extend([text] * abs(count))

    def _renames(self, columns: Any, matched: int) -> None:
        """A removed and an added field of one type holding the same values: a rename."""
        if not matched or not self.gone or not self.new_fields:
            return
        import pyarrow.compute as pc

        for gone in list(self.gone):
            for added in list(self.new_fields):
                a, b = columns(gone, added)
                if a.type != b.type or pc.any(_differs(a, b)).as_py():
                    continue
                was = next(
                    c for c in self.schema if c.field == gone and c.change == "field-removed"
                )
                now = next(c for c in self.schema if c.field == added and c.change == "field-added")
                self.schema[self.schema.index(was)] = rename(was, now)
                self.schema.remove(now)
                self.gone.remove(gone)
                self.new_fields.remove(added)
                break


def _plain(table: pa.Table) -> pa.Table:
    """The table without metadata, dictionaries decoded (joins and groupings need plain types)."""
    import pyarrow as pa

    fields = []
    for f in table.schema:
        kind = f.type.value_type if pa.types.is_dictionary(f.type) else f.type
        fields.append(pa.field(f.name, kind))
    return table.cast(pa.schema(fields))


def _set(table: pa.Table, name: str, column: Any) -> pa.Table:
    return table.set_column(table.column_names.index(name), name, column)


def _prefixed(table: pa.Table, key: list[str], cols: list[str], prefix: str, row: str) -> Any:
    import pyarrow as pa

    out = table.select([*key, *cols]).rename_columns([*key, *(prefix + c for c in cols)])
    return out.append_column(row, pa.array(range(table.num_rows), pa.int64()))


def _differs(a: Any, b: Any) -> Any:
    """Element-wise: do two typed columns differ (missing equals missing, NaN equals NaN)?"""
    import pyarrow as pa
    import pyarrow.compute as pc

    unequal = pc.fill_null(pc.not_equal(a, b), False)
    if pa.types.is_floating(a.type):
        nans = pc.fill_null(pc.and_(pc.is_nan(a), pc.is_nan(b)), False)
        unequal = pc.and_(unequal, pc.invert(nans))
    return pc.or_(unequal, pc.xor(pc.is_null(a), pc.is_null(b)))


def _keys(table: pa.Table, key: list[str], *, sort: bool = True) -> list[tuple[str, ...]]:
    """The rows' key values as strings ('' for missing), sorted by the typed key."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if sort and table.num_rows:
        table = table.take(pc.sort_indices(table, [(k, "ascending") for k in key]))
    columns = [pc.fill_null(table[k].cast(pa.string()), "").to_pylist() for k in key]
    return list(zip(*columns, strict=True)) if columns else []


def _json(value: Any) -> Any:
    """A typed cell as a JSON value: dates and times in ISO 8601, NaN and infinities as text."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _digest(resource: Resource) -> str:
    """The sha256 of a resource's files, one after the other (its data as bytes)."""
    import hashlib

    from ..sources.stream import CHUNK, open_file

    hasher = hashlib.sha256()
    for location in resource.files:
        with open_file(location, resource.path) as stream:
            while chunk := stream.read(CHUNK):
                hasher.update(chunk)
    return hasher.hexdigest()
