"""The fast engine: frictionless' findings from one streamed pass over each file, keys in memory.

CSV resources are read by `scan` (Arrow batches), Parquet ones by `engines.parquet`; the keys
are checked in memory (`keys.ArrowKeys`) at the end. Findings keep frictionless' codes, row
numbers (header = 1, one per CSV record), fields, messages and order, and its per-resource
`limit_errors` cut.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ...model.descriptor import COMPRESSION_SUFFIXES
from .. import checks
from ..keys import ArrowKeys, unique_key_findings
from ..ordering import table_findings
from ..scan import (
    Options,
    Progress,
    Scan,
    citation_sources,
    descriptor_of,
    project_findings,
    scan_csv,
)
from ..scan import referenced as referenced_fields
from ..sources import is_text, is_typed
from . import parquet

if TYPE_CHECKING:
    from ...model.descriptor import Package, Resource
    from ..background import BackgroundScan
    from ..report import Finding

#: dialect properties read as frictionless reads them; any other: frictionless does the work
DIALECT = {"delimiter", "quoteChar", "doubleQuote", "header", "lineTerminator"}


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
    watch: BackgroundScan | None = None,
) -> list[Finding]:
    """Table Schema findings (`table`) and the `profile`'s checks, in one pass per file.

    CSV resources are read as text, Parquet ones natively (`parquet`). With `reference`,
    or where a CSV dialect is one the engine does not read (escape characters, no
    header…), the CSV resources' Table Schema findings come from frictionless instead;
    Parquet resources are always checked natively (frictionless cannot count their bytes,
    and reads their integer columns with nulls as floats). `progress` is told the bytes
    (rows, with frictionless) read of each resource as the pass goes; `rows` receives each
    resource's data rows. With `watch` (the strict scan running alongside), the pass raises
    `background.Oversized` where that scan finds a cell too large.
    """
    out: list[Finding] = []
    names = set(package.resource_names)
    parquet_names = {r.name for r in package.resources if is_typed(r)}
    native = names if table else set()
    use_reference = table and (reference or not supported(package))
    if use_reference:
        native = parquet_names
    if profile:
        profile = replace(profile, sources=citation_sources(package, profile))
    referenced = referenced_fields(package)
    read = native | {  # the resources the native ones look keys up in
        fk.resource or r.name
        for r in package.resources
        if r.name in native
        for fk in r.schema.foreign_keys
    }
    if use_reference and progress is not None:  # read every file: frictionless' bar needs totals
        read |= names
    scans = [
        scan_resource(
            r,
            package,
            Options(r.name in read, profile, limit_errors, watch),
            referenced.get(r.name, set()),
            None if use_reference else progress,
        )
        for r in package.resources
    ]
    if rows is not None:
        rows.update({s.resource.name: s.found.rows for s in scans if s.failure is None and s.read})
    if use_reference:
        from .frictionless import frictionless_findings

        found = frictionless_findings(
            package, limit_errors=limit_errors, trusted=trusted, progress=progress, rows=rows
        )
        out = [f for f in found if f.resource not in parquet_names]
    byname = {s.resource.name: s for s in scans}
    store = ArrowKeys(byname)
    for scan in scans:
        if scan.resource.name not in native:
            continue
        if isinstance(scan, parquet.ParquetScan):
            out += parquet.table_findings(scan, byname, limit_errors, store)
        else:
            out += table_findings(scan, byname, limit_errors, store)
        out += unique_key_findings(scan, store, limit_errors)
    for scan in scans if profile else ():
        out += scan.project
    return out


def supported(package: Package) -> bool:
    """Whether the engine reads every resource itself: Parquet, or CSV read as frictionless does."""
    for resource in package.resources:
        if is_typed(resource):
            continue
        if not is_text(resource) or _compressed(package, resource):
            return False
        dialect = dict(resource.dialect)
        if set(dialect) - DIALECT or dialect.get("header", True) is not True:
            return False
        if resource.schema.descriptor.get("fieldsMatch", "exact") != "exact":
            return False
    return True


def _compressed(package: Package, resource: Resource) -> bool:
    path = str(resource.path).split("?", 1)[0].lower()
    declared = descriptor_of(package, resource).get("compression")
    return bool(declared) or path.endswith(COMPRESSION_SUFFIXES)


def scan_resource(
    resource: Resource,
    package: Package,
    options: Options,
    keys: set[str],
    progress: Progress | None = None,
) -> Scan:
    """Read one resource once (Parquet natively, CSV by `scan`); `keys`: the fields to keep."""
    if not is_typed(resource):
        return scan_csv(resource, package, options, keys, progress)
    result = parquet.scan(
        resource,
        package,
        table=options.table,
        profile=options.project,
        limit=options.limit,
        keys=keys,
    )
    if options.project and result.failure is None:
        result.project = project_findings(result, options.project)
    return result
