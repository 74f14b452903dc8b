"""Building a release: deterministic Parquet files, their descriptor, a manifest and SHA256SUMS."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..errors import InvalidPackage, ReleaseError
from ..model.bundle import DESCRIPTOR
from ..model.descriptor import missing_strings, open_package
from ..model.manifest import MANIFEST, SUMS, check_name, sha256, sha256sums
from ..model.transfer import disk_error
from . import target

if TYPE_CHECKING:
    import pyarrow as pa

    from ..model.descriptor import Package, Resource
    from ..validation.report import Report
    from .diff import PackageDiff

PARQUET_MEDIATYPE = "application/vnd.apache.parquet"
#: fixed writer options: with the same pyarrow, the same table always gives the same bytes
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 9,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
    "write_page_index": True,  # page statistics too: DuckDB, Spark and polars prune pages
    "store_schema": True,
}
#: how pandas (so frictionless) shows a missing value of these types read from Parquet
PANDAS_NULLS = {"integer": "nan", "year": "nan", "datetime": "NaT"}
#: rows per row group: several per file above ~100k rows, so parallel readers split the work
#: (DuckDB reads 122,880-row vectors groups, Spark one task per row group) and min/max
#: statistics prune a filter's groups
ROW_GROUP_ROWS = 1 << 17
#: rows per Parquet file: a larger resource is split into `<name>-part-00000.parquet`, …
PART_ROWS = 1 << 23
#: resource keys that describe the CSV file and do not carry over to its Parquet file
CSV_KEYS = (
    "path",
    "data",
    "format",
    "mediatype",
    "encoding",
    "dialect",
    "compression",
    "bytes",
    "hash",
)


def build_release(
    path: str | Path | None = None,
    *,
    out: str | Path,
    version: str | None = None,
    trusted: bool = False,
    force: bool = False,
    previous: str | Path | None = None,
    part_rows: int = PART_ROWS,
) -> Path:
    """Build a Parquet release of a data package (None = the bundled one) in folder `out`.

    Writes `<resource>.parquet` per resource, a `datapackage.json` describing them, a
    `manifest.json` (name, version, and bytes, sha256 and rows per file) and `SHA256SUMS`.
    A resource of more than `part_rows` rows is split into `<resource>-part-00000.parquet`, …
    (listed in order in the resource's `path`). Resources are read and written one at a time,
    each file in row groups of ROW_GROUP_ROWS rows.
    Two builds of the same package give byte-identical files. Refuses a package that does
    not validate (InvalidPackage) and a non-empty `out` unless `force` (which replaces only
    a previous release: a folder holding only the files its manifest.json lists). The release
    appears at `out` complete or not at all; builds into one `out` take turns (a lock file).
    It also holds `zenodo.json` and a Hugging Face card `README.md`; with `previous` (any
    form `diff` takes) a `CHANGES.md` and a change summary in the manifest.
    `trusted=True` allows resource paths outside the package folder and remote URLs (only
    for packages you trust); by default they raise UnsafePathError.
    """
    out = target.folder(out)
    with target.locked(out):
        return _build(
            path,
            out,
            version=version,
            trusted=trusted,
            force=force,
            previous=previous,
            part_rows=part_rows,
        )


def _build(
    path: str | Path | None,
    out: Path,
    *,
    version: str | None,
    trusted: bool,
    force: bool,
    previous: str | Path | None,
    part_rows: int,
) -> Path:
    """build_release, holding the lock on `out`."""
    target.check(out, force=force)
    from ..validation.engine import validate

    report = validate(path, trusted=trusted)
    if not report.valid:
        raise InvalidPackage(_refusal(report), report)
    package = open_package(path, trusted=trusted)
    version = version or package.version
    if not version:
        raise ReleaseError(f'{package.path} has no version; pass version="V"')
    check_name(version, "release version")
    package = replace(
        package, descriptor=MappingProxyType({**package.descriptor, "version": version})
    )
    changes = None
    if previous is not None:
        from .diff import diff

        changes = diff(previous, package, trusted=trusted)
    tmp = target.scratch(out)
    try:
        try:
            _write_release(package, tmp, max(1, part_rows), changes)
        except OSError as exc:  # a full disk, a file size limit: name where, keep what was there
            error = disk_error(out, exc, "write the release into")
            raise ReleaseError(f"{error}; nothing in {out} was replaced") from None
        target.publish(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def _refusal(report: Report) -> str:
    count = len(report.findings)
    first = "; ".join(
        f"[{f.code}] {f.path or f.resource}{f' row {f.row}' if f.row is not None else ''}"
        f"{f' field {f.field!r}' if f.field else ''}: {f.message}"
        for f in report.findings[:3]
    )
    more = f" (and {count - 3} more)" if count > 3 else ""
    return (
        f"{report.package} does not validate ({count} finding{'s' if count != 1 else ''}); "
        f"not building a release. {first}{more}"
    )


def _write_release(
    package: Package, folder: Path, part_rows: int = PART_ROWS, changes: PackageDiff | None = None
) -> None:
    """Every file of the release, written into `folder`, one resource in memory at a time."""
    from ..read.tables import read_table
    from .files import ReleaseFiles
    from .metadata import release_extras

    files, rows, sizes, resources = {}, {}, {}, []
    parts: dict[str, list[str]] = {}
    for raw, resource in zip(package.descriptor["resources"], package.resources, strict=True):
        stem = check_name(resource.name, "resource name")
        if not resource.tabular:  # copied as it is: a release holds tables as Parquet only
            for name in _copy_files(resource, folder):
                files[name] = sha256(folder / name)
            resources.append(dict(raw))
            continue
        table = read_table(resource, package)
        count = max(1, -(-table.num_rows // part_rows))
        names = (
            [f"{stem}.parquet"]
            if count == 1
            else [f"{stem}-part-{k:05d}.parquet" for k in range(count)]
        )
        for k, name in enumerate(names):
            part = table.slice(k * part_rows, part_rows)
            _write_parquet(part, folder / name)
            files[name], rows[name] = sha256(folder / name), part.num_rows
            sizes[name] = _data_bytes(folder / name)
        del table
        parts[resource.name] = names
        descriptor = _parquet_resource(raw, resource, folder / names[0])
        if len(names) > 1:  # the parts in order; bytes and hash are per file, in the manifest
            descriptor["path"] = names
        resources.append(descriptor)
    descriptor = _release_descriptor(package, resources)
    files[DESCRIPTOR] = _write_json(folder / DESCRIPTOR, descriptor)
    extras, summary = release_extras(
        package, ReleaseFiles(parts=parts, rows=rows, sizes=sizes, sha256=dict(files)), changes
    )
    for name, text in extras.items():
        (folder / name).write_bytes(text.encode("utf-8"))
        files[name] = sha256(folder / name)
    entries = []
    for name, digest in sorted(files.items()):
        entry = {"name": name, "bytes": (folder / name).stat().st_size, "sha256": digest}
        entries.append(entry | ({"rows": rows[name]} if name in rows else {}))
    manifest = {"name": package.name, "version": package.version, "files": entries}
    if summary is not None:
        manifest["changes"] = summary
    files[MANIFEST] = _write_json(folder / MANIFEST, manifest)
    (folder / SUMS).write_bytes(sha256sums(files).encode("ascii"))


def _copy_files(resource: Resource, folder: Path) -> list[str]:
    """A non-tabular resource's local files copied into the release, at their own paths."""
    raw = resource.descriptor.get("path")
    names = raw if isinstance(raw, list) else [raw]
    copied = []
    for name, location in zip(names, resource.files, strict=True):
        if isinstance(location, str):  # a URL (trusted): the release points at it
            continue
        pure = PurePosixPath(name)
        if pure.is_absolute() or ".." in pure.parts:
            raise ReleaseError(
                f"resource {resource.name!r}: {name!r} is outside the package folder; "
                "a release copies a non-tabular resource's files at their own paths"
            )
        target = folder / Path(*PurePosixPath(name).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(location, target)
        copied.append(PurePosixPath(name).as_posix())
    return copied


def _write_parquet(table: pa.Table, path: Path) -> None:
    """Write `table` in row groups of ROW_GROUP_ROWS rows, one contiguous group at a time.

    The file carries pandas metadata, so a plain `pandas.read_parquet` gives the dtypes
    `load` gives (Int64, boolean, string, date32[pyarrow], ordered categoricals).
    """
    import pyarrow.parquet as pq

    table = _with_pandas_metadata(table.unify_dictionaries())
    with pq.ParquetWriter(path, table.schema, **PARQUET_OPTIONS) as writer:
        for start in range(0, max(table.num_rows, 1), ROW_GROUP_ROWS):
            group = table.slice(start, ROW_GROUP_ROWS).combine_chunks()
            writer.write_table(group, row_group_size=ROW_GROUP_ROWS)


def _data_bytes(path: Path) -> int:
    """The uncompressed bytes of a Parquet file's data: the same for the same file, unlike the
    size of an Arrow table, which depends on how its buffers were read."""
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    return sum(meta.row_group(k).total_byte_size for k in range(meta.num_row_groups))


def _with_pandas_metadata(table: pa.Table) -> pa.Table:
    """`table` with the pandas metadata of the DataFrame `load` makes of it.

    List columns are `object` there: pandas cannot rebuild a nested ArrowDtype from its name
    ("list<item: string>[pyarrow]"), and a name it cannot parse fails the whole read.
    Integer categories are `Int64`: Parquet keeps a dictionary for strings only.
    """
    import pyarrow as pa

    from ..read.tables import to_pandas

    empty = to_pandas(table.slice(0, 0))  # the dtypes need no rows
    pandas = json.loads(pa.Schema.from_pandas(empty, preserve_index=False).metadata[b"pandas"])
    for column, field in zip(pandas["columns"], table.schema, strict=True):
        if pa.types.is_list(field.type):
            column["numpy_type"] = "object"
        elif pa.types.is_dictionary(field.type) and pa.types.is_integer(field.type.value_type):
            column |= {"pandas_type": "int64", "numpy_type": "Int64", "metadata": None}
    metadata = {**(table.schema.metadata or {}), b"pandas": json.dumps(pandas).encode()}
    return table.replace_schema_metadata(metadata)


def _parquet_resource(raw: dict, resource: Resource, path: Path) -> dict:
    """The CSV resource's descriptor, pointing at its Parquet file, with the schema inline.

    No `bytes`/`hash`: frictionless cannot count a Parquet file's bytes (manifest.json holds
    them). frictionless reads Parquet through pandas, where a missing integer becomes NaN
    and a missing datetime NaT: those fields list "nan"/"NaT" as missing values, which no
    valid value of theirs can be.
    """
    descriptor = {k: v for k, v in raw.items() if k not in CSV_KEYS}
    schema = json.loads(json.dumps(dict(resource.schema.descriptor)))
    for field in schema.get("fields", []):
        pandas_null = PANDAS_NULLS.get(field.get("type"))
        required = field.get("constraints", {}).get("required")
        if pandas_null and not required and field["name"] not in resource.schema.primary_key:
            missing = list(field.get("missingValues", schema.get("missingValues", [""])))
            if pandas_null not in missing_strings(missing):  # v2 labelled values stay labelled
                labelled = any(isinstance(v, dict) for v in missing)
                label = f"missing, as pandas reads Parquet ({pandas_null})"
                extra = {"value": pandas_null, "label": label} if labelled else pandas_null
                missing.append(extra)
            field["missingValues"] = missing
    descriptor |= {
        "path": path.name,
        "format": "parquet",
        "mediatype": PARQUET_MEDIATYPE,
        "schema": schema,
    }
    return descriptor


def _release_descriptor(package: Package, resources: list[dict]) -> dict:
    """The package descriptor with Parquet resources; frictionless must accept it."""
    import frictionless

    from ..validation.profiles import guarded

    descriptor = json.loads(json.dumps(dict(package.descriptor))) | {"resources": resources}
    with guarded(package.basepath, trusted=False):  # validate() has checked its profile
        report = frictionless.Package.validate_descriptor(descriptor)
    if not report.valid:
        problems = "; ".join(e.message for e in report.errors[:3])
        raise ReleaseError(f"the release descriptor would be invalid: {problems}")
    return descriptor


def _write_json(path: Path, data: dict) -> str:
    """Write `data` as sorted, indented UTF-8 JSON; return its sha256."""
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    path.write_bytes(text.encode("utf-8"))
    return sha256(path)
