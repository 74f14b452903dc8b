"""The fast validation engine: frictionless' findings from one streamed pass of Arrow batches.

Each CSV is read once, as strings, in record batches (`pyarrow.csv.open_csv`), its raw bytes
shown to the byte checks on the way; `_batch` checks every batch with Arrow kernels; keys are
checked at the end (`_rowkeys`). Findings keep frictionless' codes, row numbers (header = 1,
one per CSV record), fields, messages and order, and its per-resource `limit_errors` cut.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

from ..errors import show
from ..model.descriptor import COMPRESSION_SUFFIXES
from ..read.csvfile import compression, open_csv_bytes
from . import checks, parquet
from .batch import Batches, Found, empty_is_missing
from .findings import resource_finding, table_findings
from .records import python_records, record_layout
from .report import Finding
from .uniquekeys import unique_key_findings

if TYPE_CHECKING:
    from ..model.descriptor import Field, Package, Resource

#: dialect properties read as frictionless reads them; any other: frictionless does the work
DIALECT = {"delimiter", "quoteChar", "doubleQuote", "header", "lineTerminator"}
#: bytes per record batch: memory stays bounded, and per-batch kernel calls stay few
BLOCK = 1 << 22
#: the largest block: a line (a header, a row) longer than this is a finding, not memory spent
MAX_BLOCK = 1 << 26
#: `progress(resource, done, total, unit)`: how far a pass is (bytes here; total None: unknown)
Progress = Callable[[str, int, "int | None", str], None]


def fast_findings(package: Package, *, limit_errors: int, trusted: bool) -> list[Finding]:
    """Table Schema findings, as `validate.frictionless_findings` reports them."""
    return findings(package, limit_errors=limit_errors, trusted=trusted)


def findings(
    package: Package,
    *,
    limit_errors: int,
    trusted: bool = False,
    table: bool = True,
    profile: checks.Profile | None = None,
    reference: bool = False,
    progress: Progress | None = None,
    rows: dict[str, int] | None = None,
) -> list[Finding]:
    """Table Schema findings (`table`) and the `profile`'s checks, in one pass per file.

    CSV resources are read as text, Parquet ones natively (`parquet`). With `reference`,
    or where a CSV dialect is one the engine does not read (escape characters, no
    header…), the CSV resources' Table Schema findings come from frictionless instead;
    Parquet resources are always checked natively (frictionless cannot count their bytes,
    and reads their integer columns with nulls as floats). `progress` is told the bytes
    (rows, with frictionless) read of each resource as the pass goes; `rows` receives each
    resource's data rows.
    """
    out: list[Finding] = []
    names = set(package.resource_names)
    parquet_names = {r.name for r in package.resources if r.format == "parquet"}
    native = names if table else set()
    use_reference = table and (reference or not supported(package))
    if use_reference:
        native = parquet_names
    if profile:
        profile = replace(profile, sources=_sources(package, profile))
    referenced = _referenced(package)
    read = native | {  # the resources the native ones look keys up in
        fk.resource or r.name
        for r in package.resources
        if r.name in native
        for fk in r.schema.foreign_keys
    }
    if use_reference and progress is not None:  # read every file: frictionless' bar needs totals
        read |= names
    scans = [
        _scan(
            r,
            package,
            _Options(r.name in read, profile, limit_errors),
            referenced.get(r.name, set()),
            None if use_reference else progress,
        )
        for r in package.resources
    ]
    if rows is not None:
        rows.update({s.resource.name: s.found.rows for s in scans if s.failure is None and s.read})
    if use_reference:
        from .reference import frictionless_findings

        found = frictionless_findings(
            package, limit_errors=limit_errors, trusted=trusted, progress=progress, rows=rows
        )
        out = [f for f in found if f.resource not in parquet_names]
    byname = {s.resource.name: s for s in scans}
    for scan in scans:
        if scan.resource.name not in native:
            continue
        if isinstance(scan, parquet.ParquetScan):
            out += parquet.table_findings(scan, byname, limit_errors)
        else:
            out += table_findings(scan, byname, limit_errors)
            out += unique_key_findings(scan, limit_errors)
    for scan in scans if profile else ():
        out += scan.project
    return out


def supported(package: Package) -> bool:
    """Whether the engine reads every resource itself: Parquet, or CSV read as frictionless does."""
    for resource in package.resources:
        if resource.format == "parquet":
            continue
        if resource.format != "csv" or _compressed(package, resource):
            return False
        dialect = dict(resource.dialect)
        if set(dialect) - DIALECT or dialect.get("header", True) is not True:
            return False
        if resource.schema.descriptor.get("fieldsMatch", "exact") != "exact":
            return False
    return True


def _compressed(package: Package, resource: Resource) -> bool:
    path = str(resource.path).split("?", 1)[0].lower()
    declared = _descriptor(package, resource).get("compression")
    return bool(declared) or path.endswith(COMPRESSION_SUFFIXES)


# -- one pass over one resource ---------------------------------------------------------------


@dataclass(frozen=True)
class _Options:
    """What a pass checks: Table Schema, the profile's checks (with the sources), how many."""

    table: bool
    project: checks.Profile | None
    limit: int


@dataclass
class _Scan:
    """What one pass over a resource found."""

    resource: Resource
    labels: list[str] | None = None  # None: no header (an empty file)
    failure: Finding | None = None  # the resource cannot be read at all
    found: Found = field(default_factory=Found)
    end: list[Finding] = field(default_factory=list)  # hash and byte count
    project: list[Finding] = field(default_factory=list)
    read: bool = True  # False: the file was not read (another engine checks it)

    def fields(self) -> list[Field | None]:
        """The schema field each column is read as (None: a column beyond the schema)."""
        schema = list(self.resource.schema.fields)
        if self.labels is None:
            return schema
        return [schema[j] if j < len(schema) else None for j in range(len(self.labels))]


class _Tap(io.RawIOBase):
    """A file wrapper that shows every byte pyarrow reads to the byte checks and hashers."""

    def __init__(
        self, stream: Any, byte_checks: checks.ByteChecks, hashers: dict, progress: Any = None
    ) -> None:
        super().__init__()
        self._stream, self._checks, self._hashers, self.size = stream, byte_checks, hashers, 0
        self._progress = progress  # called with the bytes read so far

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.size += len(data)
        self._checks.feed(data)
        for hasher in self._hashers.values():
            hasher.update(data)
        if self._progress is not None:
            self._progress(self.size)
        return data


def _size(resource: Resource) -> int | None:
    try:
        return os.path.getsize(resource.location)
    except OSError:
        return None


def _open(resource: Resource) -> Any:
    if compression(resource):  # the checks read the text, not the compressed bytes
        return open_csv_bytes(resource)
    if resource.is_remote:
        from urllib.request import urlopen

        with urlopen(resource.location, timeout=60) as response:
            return io.BytesIO(response.read())
    return open(str(resource.location), "rb")


def _scan(
    resource: Resource,
    package: Package,
    options: _Options,
    keys: set[str],
    progress: Progress | None = None,
) -> _Scan | parquet.ParquetScan:
    """Read one resource once; `keys` are the fields whose typed values must be kept."""
    if resource.format == "parquet":
        result = parquet.scan(
            resource,
            package,
            table=options.table,
            profile=options.project,
            limit=options.limit,
            keys=keys,
        )
        if options.project and result.failure is None:
            result.project = _project_findings(result, options.project)
        return result
    if resource.format != "csv" or not (options.table or options.project):
        return _Scan(resource, read=False)  # nothing to check here (frictionless does)
    block = BLOCK
    report = None
    if progress is not None:
        total = None if resource.is_remote else _size(resource)
        report = lambda done: progress(resource.name, done, total, "bytes")  # noqa: E731
    while True:
        scan, byte_checks = _Scan(resource), checks.ByteChecks()
        hashers = _hashers(package, resource) if options.table else {}
        try:
            stream = _open(resource)
        except OSError as exc:
            scan.failure = resource_finding("scheme-error", resource, str(exc))
            return scan
        tap = _Tap(stream, byte_checks, hashers, report)
        try:
            _read(scan, tap, block, options, keys)
        except pa.ArrowInvalid as exc:
            if "straddling" in str(exc) and block < min(tap.size + BLOCK, MAX_BLOCK):
                block *= 4  # a record longer than a block: read again in bigger blocks
                continue
            if "straddling" in str(exc):
                note = f"a line or row is longer than {block} bytes; is it a CSV file?"
                scan.failure = resource_finding("source-error", resource, note)
            else:
                scan.failure = _read_failure(resource, exc)
        except UnicodeDecodeError as exc:
            scan.failure = resource_finding("encoding-error", resource, str(exc))
        finally:
            stream.close()
        break
    if options.project:
        project = options.project
        scan.project = byte_checks.findings(resource, project) + _project_findings(scan, project)
    if options.table and scan.failure is None:
        scan.end = _end_findings(package, resource, hashers, tap.size)
    return scan


def _read(scan: _Scan, tap: _Tap, block: int, options: _Options, keys: set[str]) -> None:
    """Stream the file's batches through the checks; then settle ragged rows and numbers."""
    resource = scan.resource
    dialect = resource.dialect
    skipped: list[str] = []

    def skip(row: Any) -> str:
        try:
            skipped.append(row.text)
        except UnicodeDecodeError:  # not UTF-8: the strict scan reports the file's encoding
            skipped.append("")
        return "skip"

    names = [f"f{j}" for j in range(4 * len(resource.schema.fields) + 64)]
    nulls = empty_is_missing(resource)
    try:
        reader = pcsv.open_csv(
            tap,
            read_options=pcsv.ReadOptions(
                encoding=_pyarrow_encoding(resource.encoding),
                block_size=block,
                autogenerate_column_names=True,
            ),
            parse_options=pcsv.ParseOptions(
                delimiter=dialect.get("delimiter", ","),
                quote_char=dialect.get("quoteChar", '"'),
                double_quote=dialect.get("doubleQuote", True),
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=skip,
            ),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                null_values=[""],
                strings_can_be_null=nulls,
                quoted_strings_can_be_null=nulls,
                check_utf8=True,
            ),
        )
    except pa.ArrowInvalid as exc:
        if "Empty CSV" not in str(exc):
            raise
        if tap.size >= block:  # not empty: its first line is longer than a block
            note = f"the header row is longer than {block} bytes, the most read; is it a CSV file?"
            scan.failure = resource_finding("source-error", resource, note)
        return
    batches = None
    for batch in reader:
        columns = batch.columns
        if batches is None:
            scan.labels = [str(column[0].as_py() or "").strip() for column in columns]
            batches = batches_for(scan, options, keys)
            columns = [column.slice(1) for column in columns]
        count = len(columns[0])
        batches.batch(columns, np.arange(batches.rows, batches.rows + count, dtype=np.int64) + 2)
        batches.rows += count
    if batches is None:
        return
    if skipped or (batches.found.empty_lines and batches.blank_sensitive):
        _settle_rows(scan, batches, skipped)
    scan.found = batches.finish()


def batches_for(scan: _Scan, options: _Options, keys: set[str]) -> Batches:
    """The batch checker of a scan whose header labels are known."""
    fields = scan.fields()
    positions = {j for j, f in enumerate(fields) if f is not None and f.name in keys}
    return Batches(
        scan.resource,
        fields,
        keys=positions if options.table else set(),
        table=options.table,
        project=options.project,
        limit=options.limit,
    )


def _settle_rows(scan: _Scan, batches: Batches, skipped: list[str]) -> None:
    """Number the rows where pyarrow skipped some, and check the skipped (ragged) ones."""
    with _open(scan.resource) as stream:
        data = _whole(stream)
    width = len(scan.labels or ())
    layout = record_layout(data, scan.resource, skipped)
    if layout is None or len(layout.kept) != batches.rows:
        layout = python_records(data, scan.resource, width)
    if len(layout.kept) != batches.rows:  # pyarrow and Python's csv disagree: Python decides
        batches.restart()
        layout = python_records(data, scan.resource, width, everything=True)
    batches.renumber(layout)
    batches.ragged_rows(layout)


def _whole(stream: Any) -> Any:
    """A file's bytes: memory-mapped where it is a file, else read."""
    import mmap

    try:
        return mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError, io.UnsupportedOperation):
        stream.seek(0)
        return stream.read()


def _pyarrow_encoding(encoding: str) -> str:
    normal = encoding.lower().replace("_", "-")
    return "utf8" if normal in ("utf-8", "utf8", "utf-8-sig") else encoding


def _read_failure(resource: Resource, exc: Exception) -> Finding:
    message = str(exc).splitlines()[0]
    if "UTF8" in message:
        return resource_finding(
            "encoding-error", resource, f"the file is not valid UTF-8 ({message})"
        )
    return resource_finding("source-error", resource, message)


def _hashers(package: Package, resource: Resource) -> dict[str, Any]:
    expected = _descriptor(package, resource).get("hash")
    if not isinstance(expected, str):
        return {}
    algorithm = expected.split(":", 1)[0] if ":" in expected else "md5"
    return {algorithm: hashlib.new(algorithm)} if algorithm in ("md5", "sha256") else {}


def _end_findings(package: Package, resource: Resource, hashers: dict, size: int) -> list:
    """frictionless' checks after the last row: the descriptor's hash and byte count."""
    descriptor = _descriptor(package, resource)
    out = []
    for hasher in hashers.values():
        expected = descriptor["hash"].split(":", 1)[-1]
        if hasher.hexdigest() != expected:
            note = f'expected is "{expected}" and actual is "{hasher.hexdigest()}"'
            out.append(resource_finding("hash-count", resource, note))
    expected_size = descriptor.get("bytes")
    if expected_size and expected_size != size:
        note = f'expected is "{expected_size}" and actual is "{size}"'
        out.append(resource_finding("byte-count", resource, note))
    return out


def _descriptor(package: Package, resource: Resource) -> dict:
    for raw in package.descriptor.get("resources", []):
        if isinstance(raw, dict) and raw.get("name") == resource.name:
            return raw
    return {}


def _referenced(package: Package) -> dict[str, set[str]]:
    """Per resource, the fields whose typed values the key checks need."""
    out: dict[str, set[str]] = {r.name: set() for r in package.resources}
    for resource in package.resources:
        schema = resource.schema
        names = out[resource.name]
        names.update(schema.primary_key)
        names.update(f.name for f in schema.fields if f.constraints.get("unique"))
        names.update(name for key in schema.unique_keys for name in key)
        for fk in schema.foreign_keys:
            names.update(fk.fields)
            out.setdefault(fk.resource or resource.name, set()).update(fk.reference_fields)
    return out


# -- the project's checks ---------------------------------------------------------------------


def _sources(package: Package, profile: checks.Profile) -> tuple | None:
    """The sources' ids and paragraph counts, or None where no resource need cite them."""
    citations = profile.citations
    if "citations" not in profile or citations.resource not in package.resource_names:
        return None
    from ..read.tables import read_cells

    try:
        cells = read_cells(package.resource(citations.resource), package)
        return checks.paragraph_counts(cells, citations)
    except Exception:  # the sources resource's own findings say why
        return None


def _project_findings(scan: _Scan | parquet.ParquetScan, profile: checks.Profile) -> list:
    resource = scan.resource
    missing = checks.missing_citation_fields(resource, profile)
    out = [missing] if missing else []
    for (code, name, message), hits in scan.found.hits.items():
        out += [
            Finding(code, resource.name, row, name, f"{message}: {show(v)}", resource.path)
            for row, v in hits
        ]
    return out
