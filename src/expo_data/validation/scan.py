"""The single pass over a CSV resource: its bytes tapped, its string batches checked.

Each CSV is read once, as strings, in record batches (`sources.csv_batches`), its raw bytes
shown to the byte checks and hashers on the way (`Tap`); `batch.Batches` checks every batch
with Arrow kernels and keeps the typed key columns for the key store (`keys`). What a pass
found is a `Scan`, which `ordering` turns into findings in frictionless' order.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from ..errors import DataError, show
from ..sources.ahead import read_ahead
from . import catalogue, checks
from .background import BackgroundScan, Oversized
from .batch import Batches, Found, empty_is_missing
from .catalogue import finding
from .records import numbered_layout, python_records, record_layout
from .sources import csv_batches, is_text, is_utf8, joined, open_bytes

if TYPE_CHECKING:
    from ..model.descriptor import Field, Package, Resource
    from .report import Finding

#: bytes pyarrow parses at a time (its data stays in the CPU's cache), and bytes per batch
#: checked (joined blocks: per-batch kernel calls stay few); memory stays bounded
BLOCK, BATCH = 1 << 20, 1 << 24
#: the longest header line read: a longer one (a million columns) is a finding, not a parse
MAX_HEADER = 1 << 22
#: the largest block: a line (a header, a row) longer than this is a finding, not memory spent
MAX_BLOCK = 1 << 26
#: `progress(resource, done, total, unit)`: how far a pass is (bytes here; total None: unknown)
Progress = Callable[[str, int, "int | None", str], None]


# -- one pass over one resource ---------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """What a pass checks: Table Schema, the profile's checks (with the sources), how many."""

    table: bool
    project: checks.Profile | None
    limit: int
    watch: BackgroundScan | None = None  # the strict scan running alongside, if any


@dataclass
class Scan:
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


class HeaderTooLong(Exception):
    """The file's first line is longer than MAX_HEADER bytes, or than the block read."""


class Tap(io.RawIOBase):
    """A file wrapper that shows every byte pyarrow reads to the byte checks and hashers.

    It also stops the read (HeaderTooLong) where no line ends in the first MAX_HEADER bytes.
    """

    def __init__(
        self,
        stream: Any,
        byte_checks: checks.ByteChecks,
        hashers: dict,
        progress: Any = None,
        watch: BackgroundScan | None = None,
    ) -> None:
        super().__init__()
        self._stream, self._checks, self._hashers, self.size = stream, byte_checks, hashers, 0
        self._progress = progress  # called with the bytes read so far
        self._watch = watch  # stops the read (Oversized) once it finds a cell too large
        self._header = True  # no line end read yet

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._watch is not None:
            self._watch.check()
        data = self._stream.read(size)
        if self._header:
            self._first_line(data)
        self.size += len(data)
        self._checks.feed(data)
        for hasher in self._hashers.values():
            hasher.update(data)
        if self._progress is not None:
            self._progress(self.size)
        return data

    def _first_line(self, data: bytes) -> None:
        ends = [at for at in (data.find(b"\n"), data.find(b"\r")) if at >= 0]
        if ends and self.size + min(ends) < MAX_HEADER:
            self._header = False
        elif self.size + len(data) > MAX_HEADER:
            raise HeaderTooLong


def _size(resource: Resource) -> int | None:
    try:
        return os.path.getsize(resource.location)
    except OSError:
        return None


def scan_csv(
    resource: Resource,
    package: Package,
    options: Options,
    keys: set[str],
    progress: Progress | None = None,
) -> Scan:
    """Read one CSV resource once; `keys` are the fields whose typed values must be kept."""
    if not is_text(resource) or not (options.table or options.project):
        return Scan(resource, read=False)  # nothing to check here (frictionless does)
    block = BLOCK
    report = None
    if progress is not None:
        total = None if resource.is_remote else _size(resource)
        report = lambda done: progress(resource.name, done, total, "bytes")  # noqa: E731
    while True:
        scan, byte_checks = Scan(resource), checks.ByteChecks()
        digests = hashers(package, resource) if options.table else {}
        try:
            stream = open_bytes(resource)
        except (OSError, DataError) as exc:  # missing, unreadable, or a URL that fails
            scan.failure = resource_finding(catalogue.SCHEME_ERROR, resource, str(exc))
            return scan
        tap = Tap(stream, byte_checks, digests, report, options.watch)
        try:
            _read(scan, tap, block, options, keys)
        except pa.ArrowInvalid as exc:
            if "straddling" in str(exc) and block < min(tap.size + BLOCK, MAX_BLOCK):
                if options.watch is not None and not options.watch.cleared(resource):
                    raise Oversized from None  # no bigger blocks for a cell too large
                block *= 4  # a record longer than a block: read again in bigger blocks
                continue
            if "straddling" in str(exc):
                note = f"a line or row is longer than {block} bytes; is it a CSV file?"
                scan.failure = resource_finding(catalogue.SOURCE_ERROR, resource, note)
            else:
                scan.failure = _read_failure(resource, exc)
        except UnicodeDecodeError as exc:
            scan.failure = resource_finding(catalogue.ENCODING_ERROR, resource, str(exc))
        except HeaderTooLong:
            if block < MAX_HEADER:  # a first line longer than a block: read in bigger ones
                block *= 4
                continue
            scan.failure = _long_header(resource)
        finally:
            stream.close()
        break
    if options.project:
        project = options.project
        scan.project = byte_checks.findings(resource, project) + project_findings(scan, project)
    if options.table and scan.failure is None:
        scan.end = end_findings(package, resource, digests, tap.size)
    return scan


def _read(scan: Scan, tap: Tap, block: int, options: Options, keys: set[str]) -> None:
    """Stream the file's batches through the checks; then settle ragged rows and numbers."""
    resource = scan.resource
    skipped: list[tuple[int | None, str]] = []  # (record number, text) of each ragged row

    def skip(row: Any) -> str:
        try:
            text = row.text
        except UnicodeDecodeError:  # not UTF-8: the strict scan reports the file's encoding
            text = ""
        skipped.append((row.number, text))
        return "skip"

    width = 4 * len(resource.schema.fields) + 64
    nulls = empty_is_missing(resource)
    watch = options.watch
    # the strict scan checks the encoding, far faster than pyarrow's check cell by cell
    trusting = watch is not None and watch.reads(resource) and is_utf8(resource)
    reader = csv_batches(
        tap,
        resource,
        block=block,
        width=width,
        nulls=nulls,
        skip=skip,
        batch=BATCH,
        check_utf8=not trusting,
    )
    batches = None
    for parts in read_ahead(reader):  # the next batch is parsed while this one is checked
        columns = joined(parts)  # here: the parse thread only parses
        if trusting:
            _decoded(watch, resource, tap.size, columns)
        if batches is None:
            scan.labels = [str(column[0].as_py() or "").strip() for column in columns]
            batches = batches_for(scan, options, keys)
            columns = [column.slice(1) for column in columns]
        count = len(columns[0])
        batches.batch(columns, np.arange(batches.rows, batches.rows + count, dtype=np.int64) + 2)
        batches.rows += count
    if batches is None:
        if tap.size >= block:  # not empty: its first line is longer than a block
            raise HeaderTooLong
        return
    if skipped or (batches.found.empty_lines and batches.blank_sensitive):
        _settle_rows(scan, batches, skipped, watch)
    scan.found = batches.finish()


def _decoded(watch: BackgroundScan, resource: Resource, size: int, columns: list) -> None:
    """Raise ArrowInvalid, as pyarrow's own check would, unless the first `size` bytes read
    (the batch's among them) are UTF-8: as the strict scan finds them, or as Arrow's
    validator finds the batch where the scan stopped short."""
    verdict = watch.decoded_to(resource, size)
    if verdict is None:
        for column in columns:
            column.validate(full=True)  # "Invalid UTF8 sequence…"
    elif not verdict:
        raise pa.ArrowInvalid("CSV conversion error to string: invalid UTF8 data")


def batches_for(scan: Scan, options: Options, keys: set[str]) -> Batches:
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


def _settle_rows(
    scan: Scan,
    batches: Batches,
    skipped: list[tuple[int | None, str]],
    watch: BackgroundScan | None,
) -> None:
    """Number the rows where pyarrow skipped some, and check the skipped (ragged) ones.

    Where the strict scan found the file plain (pyarrow's records are Python csv's), the
    numbers pyarrow gave the skipped rows and the empty lines the scan found settle it; else
    the file is read again.
    """
    width = len(scan.labels or ())
    empty = None
    if watch is not None and is_utf8(scan.resource):
        empty = watch.empty_lines(scan.resource)  # None unless the scan found the file plain
    dialect = scan.resource.dialect
    if empty is not None and (layout := numbered_layout(batches.rows, skipped, dialect, empty)):
        batches.renumber(layout)
        batches.ragged_rows(layout)
        return
    with open_bytes(scan.resource) as stream:
        data = whole(stream)
    layout = record_layout(data, scan.resource, [text for _, text in skipped])
    if layout is None or len(layout.kept) != batches.rows:
        layout = python_records(data, scan.resource, width)
    if len(layout.kept) != batches.rows:  # pyarrow and Python's csv disagree: Python decides
        batches.restart()
        layout = python_records(data, scan.resource, width, everything=True)
    batches.renumber(layout)
    batches.ragged_rows(layout)


def whole(stream: Any) -> Any:
    """A file's bytes: memory-mapped where it is a file, else read."""
    import mmap

    try:
        return mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError, io.UnsupportedOperation):
        stream.seek(0)
        return stream.read()


def _long_header(resource: Resource) -> Finding:
    note = f"the header row is longer than {MAX_HEADER} bytes, the most read; is it a CSV file?"
    return resource_finding(catalogue.SOURCE_ERROR, resource, note)


def _read_failure(resource: Resource, exc: Exception) -> Finding:
    message = str(exc).splitlines()[0]
    if "UTF8" in message:
        note = f"the file is not valid UTF-8 ({message})"
        return resource_finding(catalogue.ENCODING_ERROR, resource, note)
    return resource_finding(catalogue.SOURCE_ERROR, resource, message)


def hashers(package: Package, resource: Resource) -> dict[str, Any]:
    """The hashers of the algorithm of the descriptor's `hash`, by name (none: no hash)."""
    expected = descriptor_of(package, resource).get("hash")
    if not isinstance(expected, str):
        return {}
    algorithm = expected.split(":", 1)[0] if ":" in expected else "md5"
    return {algorithm: hashlib.new(algorithm)} if algorithm in ("md5", "sha256") else {}


def end_findings(package: Package, resource: Resource, hashers: dict, size: int) -> list:
    """frictionless' checks after the last row: the descriptor's hash and byte count."""
    descriptor = descriptor_of(package, resource)
    out = []
    for hasher in hashers.values():
        expected = descriptor["hash"].split(":", 1)[-1]
        if hasher.hexdigest() != expected:
            note = f'expected is "{expected}" and actual is "{hasher.hexdigest()}"'
            out.append(resource_finding(catalogue.HASH_COUNT, resource, note))
    expected_size = descriptor.get("bytes")
    if expected_size and expected_size != size:
        note = f'expected is "{expected_size}" and actual is "{size}"'
        out.append(resource_finding(catalogue.BYTE_COUNT, resource, note))
    return out


def descriptor_of(package: Package, resource: Resource) -> dict:
    for raw in package.descriptor.get("resources", []):
        if isinstance(raw, dict) and raw.get("name") == resource.name:
            return raw
    return {}


def referenced(package: Package) -> dict[str, set[str]]:
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


def citation_sources(package: Package, profile: checks.Profile) -> tuple | None:
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


def project_findings(scan: Scan, profile: checks.Profile) -> list:
    resource = scan.resource
    missing = checks.missing_citation_fields(resource, profile)
    out = [missing] if missing else []
    for (code, name, message), hits in scan.found.hits.items():
        out += [
            finding(code, resource.name, row, name, resource.path, note=f"{message}: {show(v)}")
            for row, v in hits
        ]
    return out


def resource_finding(code: str, resource: Resource, note: str) -> Finding:
    """A finding about a whole resource, worded as frictionless words it."""
    return finding(code, resource.name, path=resource.path, note=note)
