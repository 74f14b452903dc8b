"""Validating a Parquet resource natively: its Arrow schema against the Table Schema, then
the CSV checks' constraints, keys and profile checks over its typed columns.

A Parquet file has no lexical layer: no header, type errors or missing-value strings. What
can be wrong is its schema (a field missing, extra, out of order, of another type or
nullability: one finding per problem, codes below) and its values (`constraint-error`,
`blank-row`, `unique-error`, `primary-key`, `foreign-key`, as for CSV, rows numbered as
frictionless numbers them, the first row of data = 2). A column that is missing or of the
wrong type is not checked further, nor are the keys that use it. The file's bytes and sha256
are checked against the resource's `bytes`/`hash` and, in a release folder, `manifest.json`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import DataError, ReleaseError
from ..model.manifest import MANIFEST, parse_manifest
from ..model.typemap import ARROW_TYPES, arrow_schema
from ..read.buffers import to_bools
from ..sources.parquet import parquet_files
from . import checks
from .batch import CONSTRAINTS, VECTOR_TYPES, CellErrors, Found, _bounds, _violates
from .findings import resource_finding
from .findings import table_findings as _table_findings
from .report import Finding

if TYPE_CHECKING:
    from ..model.descriptor import Field, Package, Resource

#: the schema findings' codes
SCHEMA_CODES = ("missing-column", "extra-column", "column-order", "column-type", "column-nullable")


@dataclass
class ParquetScan:
    """What the check of one Parquet resource found (what `findings.table_findings` reads)."""

    resource: Resource
    labels: list[str] | None = None
    failure: Finding | None = None
    found: Found = field(default_factory=Found)
    schema: list[Finding] = field(default_factory=list)  # the file's schema vs the Table Schema
    end: list[Finding] = field(default_factory=list)  # hash and byte count
    project: list[Finding] = field(default_factory=list)
    usable: set[str] = field(default_factory=set)  # fields present with a fitting type
    read: bool = True  # always read (as `fast._Scan.read`)

    def fields(self) -> list[Field | None]:
        """The schema's fields; None for those the file lacks or holds as another type."""
        return [f if f.name in self.usable else None for f in self.resource.schema.fields]


def table_findings(scan: ParquetScan, byname: dict, limit: int) -> list[Finding]:
    """The schema findings, then what the CSV checks report over the typed columns."""
    if scan.failure is not None:
        return [scan.failure]
    out = scan.schema[:limit]
    return out + _table_findings(scan, byname, limit - len(out))


def scan(
    resource: Resource,
    package: Package,
    *,
    table: bool,
    profile: checks.Profile | None,
    limit: int,
    keys: set[str],
) -> ParquetScan:
    """Read the Parquet file once and check it; `keys` are the fields whose values to keep."""
    result = ParquetScan(resource, labels=list(resource.schema.names))
    try:
        data = parquet_files(resource)  # every part of a resource in parts
    except DataError as exc:
        result.failure = resource_finding("scheme-error", resource, exc.args[0])
        return result
    except (OSError, pa.ArrowException) as exc:
        note = f"cannot read it as Parquet: {str(exc).splitlines()[0]}"
        result.failure = resource_finding("source-error", resource, note)
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

    def finding(code: str, name: str, message: str) -> None:
        result.schema.append(Finding(code, resource.name, None, name, message, resource.path))

    for f, want in zip(resource.schema.fields, expected, strict=True):
        if f.name not in present:
            finding("missing-column", f.name, f"the file has no column {f.name!r}")
            continue
        got = data.schema.field(f.name)
        column = _cast(data.column(f.name), got.type, want.type)
        if column is None:
            finding(
                "column-type",
                f.name,
                f"column {f.name!r} is {got.type}; the schema's {f.type} is stored as {want.type}",
            )
            continue
        if got.nullable != want.nullable:
            finding(
                "column-nullable",
                f.name,
                f"column {f.name!r} is {'nullable' if got.nullable else 'not nullable'}; "
                f"the field is {'required' if f.required else 'not required'}",
            )
        out[f.name] = column
        result.usable.add(f.name)
    names = set(resource.schema.names)
    for name in present:
        if name not in names:
            finding("extra-column", name, f"the file has a column {name!r} the schema lacks")
    order = [name for name in present if name in names]
    if order != [name for name in resource.schema.names if name in present]:
        finding("column-order", "", f"columns {order} are not in the schema's order")
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
        bounds, valid = _bounds(f), pc.is_valid(column)
        for name in CONSTRAINTS.get(f.type, ()):
            if name == "required":
                mask = pc.is_null(column) if f.required else None
            elif name not in f.constraints:
                mask = None
            elif f.type in VECTOR_TYPES:
                mask = _violates(f, name, column, valid, bounds)
            elif name == "enum":  # kept in its lexical form
                allowed = pa.array([str(v) for v in f.constraints["enum"]], pa.string())
                mask = pc.and_(valid, pc.invert(pc.is_in(column, value_set=allowed)))
            else:
                mask = None  # lengths of arrays and objects: not checked in Parquet
            if mask is not None and pc.any(mask).as_py():
                at = np.flatnonzero(to_bools(mask))[:limit]
                cells = ["" if v is None else v for v in column.take(pa.array(at)).to_pylist()]
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
        kept += zip(rows[at].tolist(), column.take(pa.array(at)).to_pylist(), strict=True)

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
    """The file's size and sha256 against the descriptor's `bytes`/`hash` and the manifest."""
    if resource.is_remote:
        return []
    path = resource.location
    try:
        data = path.read_bytes()
    except OSError:
        return []
    expected: list[tuple[str, str, Any]] = []
    raw = next(
        (r for r in package.descriptor.get("resources", []) if r.get("name") == resource.name),
        {},
    )
    if isinstance(raw.get("hash"), str):
        algorithm, _, digest = raw["hash"].rpartition(":")
        expected.append(("hash", algorithm or "md5", digest))
    if isinstance(raw.get("bytes"), int):
        expected.append(("bytes", "", raw["bytes"]))
    entry = _manifest_entry(package, resource)
    if entry is not None:
        expected += [("hash", "sha256", entry["sha256"]), ("bytes", "", entry["bytes"])]
    out = []
    for kind, algorithm, value in expected:
        if kind == "bytes":
            actual: Any = len(data)
            code = "byte-count"
        elif algorithm in ("md5", "sha256"):
            actual, code = hashlib.new(algorithm, data).hexdigest(), "hash-count"
        else:
            continue
        if actual != value:
            note = f'expected is "{value}" and actual is "{actual}"'
            if entry is not None and value in (entry["sha256"], entry["bytes"]):
                note += f" (from {MANIFEST})"
            out.append(resource_finding(code, resource, note))
    return list(dict.fromkeys(out))


def _manifest_entry(package: Package, resource: Resource) -> dict | None:
    """The release manifest's entry for the resource's file, in a release of this package."""
    path = package.basepath / MANIFEST
    if not path.is_file():
        return None
    try:
        manifest = parse_manifest(path, None, str(path))
    except ReleaseError:
        return None
    if (manifest.get("name"), manifest.get("version")) != (package.name, package.version):
        return None
    return next((e for e in manifest["files"] if e["name"] == resource.path), None)
