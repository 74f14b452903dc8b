"""Validating a Parquet resource natively: its Arrow schema against the Table Schema, then
the CSV checks' constraints, keys and profile checks over its typed columns.

A Parquet file has no lexical layer: no header, type errors or missing-value strings. What
can be wrong is its schema (a field missing, extra, out of order, of another type or
nullability: one finding per problem, codes below) and its values (`constraint-error`,
`blank-row`, `unique-error`, `primary-key`, `foreign-key`, as for CSV, rows numbered as
frictionless numbers them, the first row of data = 2). A column that is missing or of the
wrong type is not checked further, nor are the keys that use it. A resource in parts (`path`
a list) is read as one table, every part in order. Each file's bytes and sha256 are checked
against the resource's `bytes`/`hash` (a single file) and, in a release folder,
`manifest.json`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...errors import DataError, ReleaseError
from ...model.manifest import MANIFEST, parse_manifest
from ...model.typemap import ARROW_TYPES, arrow_schema
from ...read.buffers import ints, to_bools
from .. import catalogue as c
from .. import checks
from ..batch import CONSTRAINTS, VECTOR_TYPES, CellErrors, bounds, violates
from ..catalogue import finding
from ..ordering import table_findings as ordered_findings
from ..scan import Scan, resource_finding
from ..sources import parquet_table, parts

if TYPE_CHECKING:
    from pathlib import Path

    from ...model.descriptor import Field, Package, Resource
    from ..keys import KeyStore
    from ..report import Finding


@dataclass
class ParquetScan(Scan):
    """What the check of one Parquet resource found: a `Scan`, with the file's schema findings."""

    schema: list[Finding] = field(default_factory=list)  # the file's schema vs the Table Schema
    usable: set[str] = field(default_factory=set)  # fields present with a fitting type

    def fields(self) -> list[Field | None]:
        """The schema's fields; None for those the file lacks or holds as another type."""
        return [f if f.name in self.usable else None for f in self.resource.schema.fields]


def table_findings(scan: ParquetScan, byname: dict, limit: int, store: KeyStore) -> list[Finding]:
    """The schema findings, then what the CSV checks report over the typed columns."""
    if scan.failure is not None:
        return [scan.failure]
    out = scan.schema[:limit]
    return out + ordered_findings(scan, byname, limit - len(out), store)


def scan(
    resource: Resource,
    package: Package,
    *,
    table: bool,
    profile: checks.Profile | None,
    limit: int,
    keys: set[str],
) -> ParquetScan:
    """Read the Parquet file (every part) once and check it; `keys`: the fields to keep."""
    result = ParquetScan(resource, labels=list(resource.schema.names))
    try:
        data = parquet_table(resource)
    except DataError as exc:
        result.failure = resource_finding(c.SCHEME_ERROR, resource, exc.args[0])
        return result
    except (OSError, pa.ArrowException) as exc:
        note = f"cannot read it as Parquet: {str(exc).splitlines()[0]}"
        result.failure = resource_finding(c.SOURCE_ERROR, resource, note)
        return result
    typed = _typed_columns(result, data, package)
    found = result.found
    found.rows = data.num_rows
    found.key_rows = np.arange(data.num_rows, dtype=np.int64) + 2
    if table:
        _values(result, data, typed, limit)
        for j, f in enumerate(resource.schema.fields):
            if f.name in typed and f.name in keys:
                found.keys[j] = [_key_column(f, typed[f.name])]
        result.end = _integrity(resource, package)
    if profile:
        _profile_hits(result, typed, profile, limit)
    return result


def _typed_columns(result: ParquetScan, data: pa.Table, package: Package) -> dict[str, pa.Array]:
    """Each usable field's column as its plain Arrow type; the schema findings on the way."""
    resource = result.resource
    expected = arrow_schema(resource, package)
    present = data.column_names
    out: dict[str, pa.Array] = {}

    def schema_finding(code: str, name: str, **values: Any) -> None:
        result.schema.append(finding(code, resource.name, None, name, resource.path, **values))

    for f, want in zip(resource.schema.fields, expected, strict=True):
        if f.name not in present:
            schema_finding(c.MISSING_COLUMN, f.name)
            continue
        got = data.schema.field(f.name)
        column = _cast(data.column(f.name), got.type, want.type)
        if column is None:
            schema_finding(c.COLUMN_TYPE, f.name, got=got.type, type=f.type, want=want.type)
            continue
        if got.nullable != want.nullable:
            nullable = "nullable" if got.nullable else "not nullable"
            required = "required" if f.required else "not required"
            schema_finding(c.COLUMN_NULLABLE, f.name, nullable=nullable, required=required)
        out[f.name] = column
        result.usable.add(f.name)
    names = set(resource.schema.names)
    for name in present:
        if name not in names:
            schema_finding(c.EXTRA_COLUMN, name)
    order = [name for name in present if name in names]
    if order != [name for name in resource.schema.names if name in present]:
        schema_finding(c.COLUMN_ORDER, "", order=order)
    return out


def _kind(kind: pa.DataType) -> str:
    """A type's family: string, integer, floating, boolean, date, timestamp, time or itself."""
    if pa.types.is_dictionary(kind):
        return _kind(kind.value_type)
    for name, test in (
        ("string", lambda t: pa.types.is_string(t) or pa.types.is_large_string(t)),
        ("integer", pa.types.is_integer),
        ("floating", pa.types.is_floating),
        ("boolean", pa.types.is_boolean),
        ("date", pa.types.is_date),
        ("timestamp", pa.types.is_timestamp),
        ("time", pa.types.is_time),
    ):
        if test(kind):
            return name
    return str(kind)


def _cast(column: pa.ChunkedArray, got: pa.DataType, want: pa.DataType) -> pa.Array | None:
    """The column as the field's plain type (enums decoded); None where it does not fit."""
    target = want.value_type if pa.types.is_dictionary(want) else want
    if _kind(got) != _kind(target):
        return None
    try:
        return column.cast(target).combine_chunks()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # e.g. values beyond int16
        return None


def _values(result: ParquetScan, data: pa.Table, typed: dict[str, pa.Array], limit: int) -> None:
    """Constraint errors per usable column, and blank rows (every cell missing)."""
    found, rows = result.found, result.found.key_rows
    for j, f in enumerate(result.resource.schema.fields):
        column = typed.get(f.name)
        if column is None:
            continue
        limits, valid = bounds(f), pc.is_valid(column)
        for name in CONSTRAINTS.get(f.type, ()):
            if name == "required":
                mask = pc.is_null(column) if f.required else None
            elif name not in f.constraints:
                mask = None
            elif f.type in VECTOR_TYPES:
                mask = violates(f, name, column, valid, limits)
            elif name == "enum":  # kept in its lexical form
                allowed = pa.array([str(v) for v in f.constraints["enum"]], pa.string())
                mask = pc.and_(valid, pc.invert(pc.is_in(column, value_set=allowed)))
            else:
                mask = None  # lengths of arrays and objects: not checked in Parquet
            if mask is not None and pc.any(mask).as_py():
                at = np.flatnonzero(to_bools(mask))[:limit]
                cells = ["" if v is None else v for v in column.take(ints(at)).to_pylist()]
                found.errors.append(CellErrors(j, name, rows[at], cells))
    if data.num_columns > 1 and data.num_rows:
        blank = np.logical_and.reduce([to_bools(c.is_null()) for c in data.columns])
        if blank.any():
            found.blank.append(rows[blank])


def _key_column(f: Field, column: pa.Array) -> pa.Array:
    """Key values typed as the CSV check types them, so keys compare across formats."""
    kind = ARROW_TYPES[f.type] if f.type in VECTOR_TYPES else pa.string()
    return column if column.type == kind else column.cast(kind)


def _profile_hits(
    result: ParquetScan, typed: dict[str, pa.Array], profile: checks.Profile, limit: int
) -> None:
    """The profile's text checks over the string columns, and the citations."""
    rows, hits = result.found.key_rows, result.found.hits
    strings = {
        name: c if c.type == pa.string() else c.cast(pa.string()) for name, c in typed.items()
    }

    def keep(hit: checks.Hits, column: pa.Array) -> None:
        if not pc.any(hit.mask).as_py():
            return
        at = np.flatnonzero(to_bools(hit.mask))[:limit]
        kept = hits.setdefault((hit.code, hit.field, hit.message), [])
        kept += zip(rows[at].tolist(), column.take(ints(at)).to_pylist(), strict=True)

    for f in result.resource.schema.fields:
        if f.name in typed and typed[f.name].type == pa.string():
            for hit in checks.text_hits(f, typed[f.name], profile):
                keep(hit, typed[f.name])
    names = [f.name if f.name in typed else None for f in result.resource.schema.fields]
    citing = profile.citing(result.resource, names)
    if citing is not None:
        ids, paragraphs = (strings[names[k]] for k in citing)
        for hit in checks.citation_hits(ids, paragraphs, profile):
            keep(hit, ids if hit.field == names[citing[0]] else paragraphs)


def _integrity(resource: Resource, package: Package) -> list[Finding]:
    """Each file's size and sha256 against the manifest; a single file's against `bytes`/`hash`."""
    if resource.is_remote:
        return []
    files = parts(resource)
    raw = next(
        (r for r in package.descriptor.get("resources", []) if r.get("name") == resource.name),
        {},
    )
    out = []
    for location in files:
        try:
            data = location.read_bytes()
        except OSError:
            continue
        expected: list[tuple[str, str, Any]] = []
        if len(files) == 1:  # a resource in parts: `bytes`/`hash` would be of all of them
            if isinstance(raw.get("hash"), str):
                algorithm, _, digest = raw["hash"].rpartition(":")
                expected.append(("hash", algorithm or "md5", digest))
            if isinstance(raw.get("bytes"), int):
                expected.append(("bytes", "", raw["bytes"]))
        entry = _manifest_entry(package, location)
        if entry is not None:
            expected += [("hash", "sha256", entry["sha256"]), ("bytes", "", entry["bytes"])]
        for kind, algorithm, value in expected:
            if kind == "bytes":
                actual: Any = len(data)
                code = c.BYTE_COUNT
            elif algorithm in ("md5", "sha256"):
                actual, code = hashlib.new(algorithm, data).hexdigest(), c.HASH_COUNT
            else:
                continue
            if actual != value:
                note = f'expected is "{value}" and actual is "{actual}"'
                if entry is not None and value in (entry["sha256"], entry["bytes"]):
                    note += f" (from {MANIFEST})"
                if len(files) > 1:
                    note += f" ({location.name})"
                out.append(resource_finding(code, resource, note))
    return list(dict.fromkeys(out))


def _manifest_entry(package: Package, location: Path) -> dict | None:
    """The release manifest's entry for a file of the package, in a release of it."""
    path = package.basepath / MANIFEST
    if not path.is_file():
        return None
    try:
        manifest = parse_manifest(path, None, str(path))
    except ReleaseError:
        return None
    if (manifest.get("name"), manifest.get("version")) != (package.name, package.version):
        return None
    names = set()
    for base in (package.basepath, package.basepath.resolve()):
        try:
            names.add(location.relative_to(base).as_posix())
        except ValueError:
            continue
    return next((e for e in manifest["files"] if e["name"] in names), None)
