"""One engine's table findings, with the strict scan's and the checks frictionless lacks."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import replace
from types import MappingProxyType
from typing import TYPE_CHECKING

from . import catalogue as c
from .background import BackgroundScan, Oversized
from .catalogue import CATALOGUE, FIX_SEPARATOR, FRICTIONLESS, with_fix
from .fixes import expected, one_per_header
from .sources import is_typed
from .strict import MAX_CELL_BYTES, strict_findings

if TYPE_CHECKING:
    from ..model.descriptor import Package
    from .checks import Profile
    from .report import Finding
    from .scan import Progress


def table_findings(
    package: Package,
    *,
    engine: str = "fast",
    limit_errors: int,
    trusted: bool = False,
    max_cell_bytes: int = MAX_CELL_BYTES,
    profile: Profile | None = None,
    progress: Progress | None = None,
    rows: dict[str, int] | None = None,
    background: BackgroundScan | None = None,
    memory_limit: str | int | None = None,
) -> list[Finding]:
    """Every finding past the descriptor's, by resource and row (not cut at `limit_errors`).

    The `frictionless` engine's own findings (on CSV resources; Parquet ones are checked
    natively) get the fast pass's findings on what it does not check (`out-of-range`, v2
    `categories` and `uniqueKeys`, `pattern` matched by RE2), each where the fast engine
    would place it; every engine gets the strict scan's (`background`'s, if it was started
    earlier with the same `max_cell_bytes`), and the `profile`'s checks. `memory_limit`
    goes to the duckdb engine (see `engines.memory.check_memory_limit`).
    """
    from .engines.fast import findings as fast_pass
    from .engines.fast import supported

    names = package.resource_names
    rows = {} if rows is None else rows
    common = {"limit_errors": limit_errors, "trusted": trusted, "profile": profile, "rows": rows}
    ahead = None  # the fast pass, read while the strict scan runs
    if (
        engine == "fast"
        and background is not None
        and background.covers(package)
        and supported(package)
    ):
        with suppress(Oversized):  # a cell too large: read again below, without its resource
            ahead = fast_pass(package, progress=progress, watch=background, **common)
    if background is None:
        strict = strict_findings(package, max_cell_bytes=max_cell_bytes)
    else:
        strict = background.findings(package)
    oversized = {f.resource for f in strict if f.code == c.CELL_TOO_LARGE}
    if oversized:
        ahead = None
        rows.clear()
    package = _without(package, oversized)  # read no further: memory stays bounded
    delegated = []
    if not supported(package):  # frictionless does the table checks: add what it lacks
        from .delegated import delegated_findings

        delegated = delegated_findings(package, limit=limit_errors)
    if ahead is not None:
        findings = ahead
    elif engine == "fast":
        findings = _insert(package, fast_pass(package, progress=progress, **common), delegated)
    elif engine == "duckdb":
        from .engines.duckdb import duckdb_findings

        found = duckdb_findings(package, memory_limit=memory_limit, **common)
        findings = _insert(package, found, delegated)
    else:
        findings = fast_pass(package, reference=True, progress=progress, **common)
        parquet = {r.name for r in package.resources if is_typed(r)}
        extra = fast_pass(package, limit_errors=limit_errors, trusted=trusted)
        findings = _fixes_of(findings, extra)
        extra = [
            f
            for f in extra
            if f.resource not in parquet
            and (f.code not in FRICTIONLESS_CODES or _beyond_frictionless(f))
        ]
        extra += delegated
        findings = _cut(_insert(package, findings, extra), {id(f) for f in extra}, limit_errors)
    findings = _type_fixes(package, _merge(package, strict, findings))
    order = {name: i for i, name in enumerate(names)}
    findings.sort(key=lambda f: (order.get(f.resource, -1), f.row or 0))
    fields = {r.name: len(r.schema.fields) for r in package.resources}
    return one_per_header(findings, fields, rows, limit_errors)


#: the table codes both engines report as frictionless does (the fast engine mimics them)
FRICTIONLESS_CODES = frozenset(
    e.code for e in CATALOGUE.values() if e.origin == FRICTIONLESS and e.level != "package"
)
#: the table codes of the fast engine's per-resource cut
TABLE_CODES = FRICTIONLESS_CODES | {c.OUT_OF_RANGE}
_CELL_CODES = {c.TYPE_ERROR, c.CONSTRAINT_ERROR, c.OUT_OF_RANGE}
_ROW_CODES = {c.EXTRA_CELL, c.MISSING_CELL, c.UNIQUE_ERROR, c.PRIMARY_KEY, c.FOREIGN_KEY}
#: the codes whose message the fast pass ends with how to fix the finding
_FIXED = {c.TYPE_ERROR, c.UNIQUE_ERROR, c.PRIMARY_KEY, c.FOREIGN_KEY}
#: the constraints frictionless' engine does not check (v2 categories; patterns go to RE2)
_BEYOND = ("categories", "pattern")


def _beyond_frictionless(finding: Finding) -> bool:
    """A fast-pass finding on a rule frictionless does not check (its engine never reports it)."""
    return finding.code == c.CONSTRAINT_ERROR and finding.constraint in _BEYOND


def _fixes_of(findings: list[Finding], fast: list[Finding]) -> list[Finding]:
    """frictionless' findings, each with the fix the fast pass gives the same finding."""
    told = {(f.code, f.resource, f.row, f.field): f.message for f in fast if f.code in _FIXED}
    out = []
    for f in findings:
        message = told.get((f.code, f.resource, f.row, f.field), "")
        if message.startswith(f.message + FIX_SEPARATOR):  # the same words, then the fix
            f = replace(f, message=message)
        out.append(f)
    return out


def _type_fixes(package: Package, findings: list[Finding]) -> list[Finding]:
    """Type errors, each ending with the format its field expects (whichever engine found it)."""
    fields = {(r.name, f.name): f for r in package.resources for f in r.schema.fields}
    out = []
    for f in findings:
        field = fields.get((f.resource, f.field)) if f.code == c.TYPE_ERROR else None
        if field is not None and not f.message.endswith(FIX_SEPARATOR + expected(field)):
            f = replace(f, message=with_fix(f.message, expected(field)))
        out.append(f)
    return out


def _insert(package: Package, findings: list[Finding], extra: list[Finding]) -> list[Finding]:
    """frictionless' findings with the fast pass's extra ones, each where the fast engine has it.

    A cell's finding goes before its row's first cell error in a later column, or its row's
    first row-level error (the order in which frictionless reads a row's cells, then judges
    the row); others go at their row's end.
    """
    positions = {r.name: {n: i for i, n in enumerate(r.schema.names)} for r in package.resources}
    out = list(findings)
    for f in extra:
        place, where = None, positions.get(f.resource, {})
        cell = f.code in _CELL_CODES
        for i, g in enumerate(out):
            if g.resource != f.resource or g.row != f.row or f.row is None:
                continue
            place = i + 1
            later = where.get(g.field, -1) > where.get(f.field, len(where))
            if cell and ((g.code in _CELL_CODES and later) or g.code in _ROW_CODES):
                place = i
                break
        out.insert(len(out) if place is None else place, f)
    return out


def _without(package: Package, names: set[str]) -> Package:
    """The package less the resources `names` (and the foreign keys that reference them)."""
    if not names:
        return package
    resources = []
    for r in package.resources:
        if r.name in names:
            continue
        kept = [fk for fk in r.schema.foreign_keys if (fk.resource or r.name) not in names]
        if len(kept) != len(r.schema.foreign_keys):
            raw = [
                fk
                for fk in r.schema.descriptor.get("foreignKeys", [])
                if (fk.get("reference", {}).get("resource") or r.name) not in names
            ]
            schema = replace(
                r.schema,
                foreign_keys=tuple(kept),
                descriptor=MappingProxyType({**r.schema.descriptor, "foreignKeys": raw}),
            )
            r = replace(r, schema=schema)
        resources.append(r)
    descriptor = dict(package.descriptor)
    descriptor["resources"] = [
        raw for raw in descriptor.get("resources", []) if raw.get("name") not in names
    ]
    return replace(package, descriptor=MappingProxyType(descriptor), resources=tuple(resources))


def _cut(findings: list[Finding], extra: set[int], limit: int) -> list[Finding]:
    """The findings, less the extra ones past `limit` row and header findings of a resource.

    frictionless' own findings are already cut as it cuts them; near the cut, its engine may
    so keep a few more than the fast engine (which counts the RE2 pattern findings as it goes).
    """
    counts: dict[str, int] = {}
    out = []
    for f in findings:
        if f.code in TABLE_CODES or _beyond_frictionless(f):
            counts[f.resource] = counts.get(f.resource, 0) + 1
            if counts[f.resource] > limit and id(f) in extra:
                continue
        out.append(f)
    return out


def _merge(package: Package, strict: list[Finding], findings: list[Finding]) -> list[Finding]:
    """The strict scan's findings, and the engine's, less what a bad encoding made them repeat.

    A file that is not in its declared encoding gets one `encoding-error` (the scan's): the
    engine's own decoding or source errors for it, and those it repeats under every resource
    whose foreign keys reference it, are dropped.
    """
    undecodable = {f.resource for f in strict if f.code == c.ENCODING_ERROR}
    if not undecodable:
        return strict + findings
    echoes = set(undecodable)
    for r in package.resources:
        if any((fk.resource or r.name) in undecodable for fk in r.schema.foreign_keys):
            echoes.add(r.name)
    repeated = {c.ENCODING_ERROR, c.SOURCE_ERROR, c.SCHEME_ERROR, c.RESOURCE_ERROR}
    kept = [f for f in findings if not (f.resource in echoes and f.code in repeated)]
    return strict + [f for f in kept if f.resource not in undecodable]
