"""Validating a data package: descriptor, table checks (by an engine) and the project's checks."""

from __future__ import annotations

import time
from contextlib import nullcontext
from typing import TYPE_CHECKING

from . import checks
from .errors import PackageError, UnsafePathError
from .package import Package, Resource, open_package, read_descriptor
from .report import Finding, Report

if TYPE_CHECKING:
    from pathlib import Path

ENGINES = ("fast", "frictionless")
DEFAULT_LIMIT_ERRORS = 1000
CHUNK = 1 << 20


def validate(
    path: str | Path | None = None,
    *,
    engine: str = "frictionless",
    limit_errors: int = DEFAULT_LIMIT_ERRORS,
    trusted: bool = False,
) -> Report:
    """Validate a data package (None = the bundled one) and return a Report.

    Covers what `frictionless validate` reports (descriptor, header, type, constraint,
    primary and foreign keys, blank rows…) plus the project's checks: no BOM, LF line
    endings, NFC, trimmed text, no zero-width characters, no formula-like cells, and a
    source citation on every row. Raises PackageError only when the descriptor cannot be
    read at all; everything else is a finding.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    started = time.perf_counter()
    dpath, descriptor = read_descriptor(path)
    label = str(dpath)
    try:
        package = open_package(dpath, trusted=trusted)
    except UnsafePathError as exc:
        return Report(label, (Finding("unsafe-path", message=_strip_prefix(exc, dpath)),))
    except PackageError as exc:
        return Report(label, (Finding("package-error", message=_strip_prefix(exc, dpath)),))
    findings = _descriptor_findings(descriptor, dpath)
    if not findings:
        findings = _engine(engine)(package, limit_errors=limit_errors, trusted=trusted)
        for resource in package.resources:
            findings += _project_findings(resource, package)
    order = {name: i for i, name in enumerate(package.resource_names)}
    findings.sort(key=lambda f: (order.get(f.resource, -1), f.row or 0))
    stats = {
        "engine": engine,
        "resources": len(package.resources),
        "seconds": round(time.perf_counter() - started, 3),
        "truncated": len(findings) > limit_errors,
    }
    return Report(label, tuple(findings[:limit_errors]), stats)


def _strip_prefix(exc: Exception, dpath: Path) -> str:
    text = str(exc)
    return text.removeprefix(f"{dpath}: ")


def _descriptor_findings(descriptor: dict, dpath: Path) -> list[Finding]:
    """Package and schema descriptor errors, as frictionless reports them."""
    import frictionless

    report = frictionless.Package.validate_descriptor(descriptor, basepath=str(dpath.parent))
    return [Finding(e.type, message=e.message, path=dpath.name) for e in report.errors]


def _engine(name: str):
    if name == "frictionless":
        return frictionless_findings
    from ._fast import fast_findings

    return fast_findings


def frictionless_findings(package: Package, *, limit_errors: int, trusted: bool) -> list[Finding]:
    """Row-level findings from frictionless-py itself (the reference engine)."""
    import frictionless

    context = frictionless.system.use_context(trusted=True) if trusted else nullcontext()
    with context:
        report = frictionless.validate(str(package.path), limit_errors=limit_errors)
    paths = {r.name: r.path for r in package.resources}
    findings = [Finding(e.type, message=e.message, path=package.path.name) for e in report.errors]
    for task in report.tasks:
        for e in task.errors:
            findings.append(
                Finding(
                    code=e.type,
                    resource=task.name,
                    row=getattr(e, "row_number", None),
                    field=getattr(e, "field_name", "") or "",
                    message=e.message,
                    path=paths.get(task.name, task.place),
                )
            )
    return findings


def _project_findings(resource: Resource, package: Package) -> list[Finding]:
    """The project's own checks on one resource (skipped where the CSV cannot be parsed)."""
    from .errors import DataError
    from .read import data_row_numbers, read_strings

    if resource.is_remote:
        return []
    try:
        findings = checks.check_bytes(resource, _chunks(resource.location))
    except OSError:
        return []  # the engine reports the missing or unreadable file
    try:
        strings = read_strings(resource)
    except (DataError, PackageError):
        return findings  # structural errors: the engine reports them, row by row
    return findings + checks.check_text(
        resource, strings, data_row_numbers(resource, strings), package
    )


def _chunks(path):
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK):
            yield chunk
