"""Validating a data package: descriptor, table checks (by an engine) and the project's checks."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import PackageError, UnsafePathError
from ..model.descriptor import Field, Package, open_package, pattern_problem, read_descriptor
from ..model.names import unknown
from ..model.remote import mirror, remote_url
from . import catalogue as c
from .background import BackgroundScan
from .catalogue import check_names, finding
from .engines.memory import check_memory_limit
from .remembered import remembered
from .report import Finding, Report
from .strict import MAX_CELL_BYTES

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

ENGINES = ("fast", "frictionless", "duckdb")
DEFAULT_LIMIT_ERRORS = 1000


def validate(
    path: str | Path | None = None,
    *,
    engine: str = "fast",
    limit_errors: int = DEFAULT_LIMIT_ERRORS,
    trusted: bool = False,
    progress: Callable[[str, int, int | None, str], None] | None = None,
    checks: Mapping[str, bool] | None = None,
    max_cell_bytes: int = MAX_CELL_BYTES,
    memory_limit: str | int | None = None,
) -> Report:
    """Validate a data package (None = the bundled one) and return a Report.

    `path` is a CSV package or a Parquet release (a datapackage.json or its folder).
    Covers what `frictionless validate` reports (descriptor, header, type, constraint,
    primary and foreign keys, blank rows…), plus the checks the package's profile declares
    (`"expo:checks"`: see `checks.CHECKS`), each switched on or off by `checks`
    ({"nfc": False, …}; an unknown name is a ValueError). The `fast` engine (pyarrow, one
    pass per file) reports what frictionless-py (`engine="frictionless"`) reports, with the
    same codes, rows and fields; Parquet resources are checked natively by both. Both also
    read strictly (`strict`: quotes, NUL bytes, bare CRs, cells over `max_cell_bytes`, header
    whitespace, the declared encoding) and report what the loaders could not hold
    (`out-of-range`) and the Data Package v2 rules frictionless lacks (`categories`,
    `uniqueKeys`). The
    `duckdb` engine reports what `fast` reports, with DuckDB reading the CSV files and
    checking the keys out of core (the `sql` extra), under `memory_limit` (a size as DuckDB
    writes it, "2GB" = 2 x 10^9 bytes or "512MiB" = 512 x 2^20, or an int of bytes; default
    $EXPO_DATA_DUCKDB_MEMORY_LIMIT, else DuckDB's 80% of RAM), spilling to disk past it.
    A `memory_limit` that is not a size, or given with another engine, is a ValueError
    (MemoryLimitError). Raises PackageError only when the descriptor cannot be read at all;
    everything else is a finding.

    `trusted=True` allows resource paths outside the package folder and remote URLs (only
    for packages you trust); by default they are `unsafe-path` findings. `progress`, if
    given, is called as `progress(resource, done, total, unit)` while tables are read
    (unit "bytes" for the fast engine, "rows" for frictionless; total None when unknown).
    The report's `stats["tables"]` holds each resource's rows and fields.
    """
    if engine not in ENGINES:
        raise ValueError(unknown("engine", engine, ENGINES))
    check_names(checks)
    check_memory_limit(engine, memory_limit)
    started = time.perf_counter()
    url = remote_url(path)
    if url is not None:  # fetched (with consent) into a private local mirror
        path = mirror(url, trusted=trusted)
    dpath, descriptor = read_descriptor(path)
    label = url or str(dpath)
    try:
        package = open_package(dpath, trusted=trusted)
    except PackageError as exc:
        code = c.UNSAFE_PATH if isinstance(exc, UnsafePathError) else c.PACKAGE_ERROR
        found = finding(code, exc.resource, path=dpath.name, note=_strip_prefix(exc, dpath))
        return Report(label, (found,))
    # a pattern the engines cannot match: a finding of its own; every row is still checked
    # (that field's pattern aside), and loading never stops on it
    unmatchable = [
        finding(c.PACKAGE_ERROR, r.name, path=dpath.name, note=f"resource {r.name!r}: {problem}")
        for r in package.resources
        for f in r.schema.fields
        if (problem := pattern_problem(f))
    ]
    if unmatchable:
        package = _without_unmatchable_patterns(package)
    # the strict byte scan runs on a second thread from here: while the checks are imported
    # (this module imports only what starting it needs) and the descriptor is checked
    background = BackgroundScan(package, max_cell_bytes=max_cell_bytes)
    rows: dict[str, int] = {}
    try:
        from .checks import profile, profile_findings
        from .engines.fast import supported

        chosen = profile(package, checks)

        def descriptor_check() -> list[Finding]:
            own = profile_findings(package, chosen)
            return _descriptor_findings(descriptor, package, trusted=trusted) + own

        def data_check() -> list[Finding]:
            return _data_findings(
                package,
                engine=engine,
                limit_errors=limit_errors,
                trusted=trusted,
                max_cell_bytes=max_cell_bytes,
                profile=chosen,
                progress=progress,
                rows=rows,
                background=background,
                memory_limit=memory_limit,
            )

        together = engine == "fast" and background.covers(package) and supported(package)
        findings = _in_turn(descriptor_check, data_check, together=together)
    finally:
        background.stop()  # done by now, unless the descriptor's findings made it moot
    findings = unmatchable + findings
    order = {name: i for i, name in enumerate(package.resource_names)}
    findings.sort(key=lambda f: (order.get(f.resource, -1), f.row or 0))
    stats = {
        "engine": engine,
        "resources": len(package.resources),
        "seconds": round(time.perf_counter() - started, 3),
        "truncated": len(findings) > limit_errors,
        "tables": {
            r.name: {"rows": rows.get(r.name), "fields": len(r.schema.fields)}
            for r in package.resources
        },
    }
    return Report(label, tuple(findings[:limit_errors]), stats)


def _in_turn(
    descriptor_check: Callable[[], list[Finding]],
    data_check: Callable[[], list[Finding]],
    *,
    together: bool,
) -> list[Finding]:
    """The descriptor's findings if it has any, else the data's.

    `together`: the data is checked while a second thread checks the descriptor (mostly
    Python, where the data pass is mostly Arrow, which releases the GIL); its findings are
    dropped if the descriptor has any.
    """
    if not together:
        return descriptor_check() or data_check()
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="expo-data-descriptor") as pool:
        checking = pool.submit(descriptor_check)
        try:
            data = data_check()
        except Exception:
            if checking.result():  # the descriptor's findings say why the data could not be read
                return checking.result()
            raise
        return checking.result() or data


def _data_findings(package: Package, **options: Any) -> list[Finding]:
    """The findings of the package's files and tables (its descriptor found sound)."""
    from .combined import table_findings
    from .files import archive_findings, file_findings

    # non-tabular resources: their bytes and hash; archives that cannot be read whole
    # (several members, a bomb): named once, and kept from the engines unless a key needs them
    findings = [f for r in package.resources if not r.tabular for f in file_findings(r)]
    broken = [f for r in package.resources if r.tabular for f in archive_findings(r)]
    findings += broken
    needed = {fk.resource for r in package.resources for fk in r.schema.foreign_keys}
    skipped = {f.resource for f in broken} - needed
    tables = _only(
        package, [r.name for r in package.resources if r.tabular and r.name not in skipped]
    )
    return findings + (table_findings(tables, **options) if tables.resources else [])


def _without_unmatchable_patterns(package: Package) -> Package:
    """The package with every `pattern` RE2 cannot compile left out of its fields."""
    from dataclasses import replace
    from types import MappingProxyType

    def field(f: Field) -> Field:
        if not pattern_problem(f):
            return f
        kept = {k: v for k, v in f.constraints.items() if k != "pattern"}
        return replace(f, constraints=MappingProxyType(kept))

    return replace(
        package,
        resources=tuple(
            replace(r, schema=replace(r.schema, fields=tuple(map(field, r.schema.fields))))
            for r in package.resources
        ),
    )


def _only(package: Package, names: list[str]) -> Package:
    """The package with only the resources named (descriptor and objects alike)."""
    from dataclasses import replace
    from types import MappingProxyType

    descriptor = dict(package.descriptor)
    descriptor["resources"] = [r for r in descriptor["resources"] if r.get("name") in names]
    return replace(
        package,
        descriptor=MappingProxyType(descriptor),
        resources=tuple(r for r in package.resources if r.name in names),
    )


def _strip_prefix(exc: Exception, dpath: Path) -> str:
    text = str(exc)
    return text.removeprefix(f"{dpath}: ")


def _descriptor_findings(descriptor: dict, package: Package, *, trusted: bool) -> list[Finding]:
    """Package and schema descriptor errors as frictionless reports them.

    frictionless' findings are remembered (`remembered`) where they depend on nothing but
    what it is given: a run on the same descriptor and schemas does not import it.
    """
    from .engines.frictionless import v1_schema
    from .profiles import findings as profile_findings
    from .profiles import self_contained

    refused = profile_findings(descriptor, package.basepath, package.path.name, trusted=trusted)
    if refused:
        return refused
    schemas = [v1_schema(r) if r.tabular else None for r in package.resources]
    if not self_contained(descriptor):  # a profile read from a file or URL
        return _frictionless_findings(descriptor, package, schemas, trusted=trusted)
    inputs = [descriptor, schemas, str(package.basepath), package.path.name, trusted]
    return remembered(
        inputs, lambda: _frictionless_findings(descriptor, package, schemas, trusted=trusted)
    )


def _frictionless_findings(
    descriptor: dict, package: Package, schemas: list[dict | None], *, trusted: bool
) -> list[Finding]:
    """frictionless' findings on the schemas (one by one: frictionless does not open schema
    files when it checks a package, so each error names its resource, field and schema file),
    then on the package descriptor."""
    import frictionless

    from .engines.frictionless import as_v2
    from .profiles import guarded

    placed = []
    for r, schema in zip(package.resources, schemas, strict=True):
        if schema is None:
            continue
        errors = frictionless.Schema.validate_descriptor(schema).errors
        if not errors:
            continue
        where = r.schema_path or package.path.name
        for f, raw in zip(r.schema.fields, schema["fields"], strict=True):
            field_errors = frictionless.Field.validate_descriptor(raw).errors
            placed += [
                Finding(e.type, r.name, None, f.name, e.message, where) for e in field_errors
            ]
        placed += [
            Finding(e.type, r.name, message=e.message, path=where)
            for e in errors
            if e.type != c.FIELD_ERROR
        ]
    seen = {f.message for f in placed}
    # open_package has checked every path (refusing what frictionless' own check would, and
    # more); frictionless' check would refuse paths the caller trusts
    descriptor = as_v2({**descriptor, "resources": list(descriptor["resources"])})
    for i, schema in enumerate(schemas):  # inline schemas as frictionless reads them
        if schema is not None and isinstance(descriptor["resources"][i].get("schema"), dict):
            descriptor["resources"][i] = {**descriptor["resources"][i], "schema": schema}
    with frictionless.system.use_context(trusted=True), guarded(package.basepath, trusted=trusted):
        report = frictionless.Package.validate_descriptor(
            descriptor, basepath=str(package.basepath)
        )
    return placed + [
        Finding(e.type, message=e.message, path=package.path.name)
        for e in report.errors
        if e.message not in seen
    ]
