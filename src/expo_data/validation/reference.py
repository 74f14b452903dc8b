"""The reference engine: frictionless-py's own row-level findings, as expo-data Findings."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

from .report import Finding

if TYPE_CHECKING:
    from ..model.descriptor import Package


def frictionless_findings(
    package: Package,
    *,
    limit_errors: int,
    trusted: bool,
    progress: Callable[[str, int, int | None, str], None] | None = None,
    rows: dict[str, int] | None = None,
) -> list[Finding]:
    """Row-level findings from frictionless-py itself (the reference engine).

    `progress` is told the rows read of each resource (out of `rows[name]` where known).
    """
    import frictionless

    from .profiles import guarded

    context = frictionless.system.use_context(trusted=True) if trusted else nullcontext()
    checklist = _progress_checklist(progress, rows or {}) if progress else None
    with context, guarded(package.basepath, trusted=trusted):
        report = frictionless.validate(
            str(package.path), limit_errors=limit_errors, checklist=checklist
        )
    paths = {r.name: r.path for r in package.resources}
    findings = [Finding(e.type, message=e.message, path=package.path.name) for e in report.errors]
    for task in report.tasks:
        if rows is not None and isinstance(task.stats.get("rows"), int):
            rows[task.name] = task.stats["rows"]  # what frictionless read is what it reports on
        for e in task.errors:
            findings.append(
                Finding(
                    code=e.type,
                    resource=task.name,
                    row=_row(e),
                    field=getattr(e, "field_name", "") or ",".join(getattr(e, "field_names", [])),
                    message=_message(e),
                    path=paths.get(task.name, task.place),
                )
            )
    return findings


def _progress_checklist(progress: Callable, rows: dict[str, int]) -> Any:
    """A frictionless Checklist whose one check reports rows read, and finds nothing."""
    import frictionless

    class Progress(frictionless.Check):
        type = "expo-data-progress"

        def validate_start(self):
            self._done = 0
            progress(self.resource.name, 0, rows.get(self.resource.name), "rows")
            return iter(())

        def validate_row(self, row):
            self._done += 1
            if self._done % 500 == 0:
                progress(self.resource.name, self._done, rows.get(self.resource.name), "rows")
            return iter(())

        def validate_end(self):
            progress(self.resource.name, self._done, rows.get(self.resource.name), "rows")
            return iter(())

    return frictionless.Checklist(checks=[Progress()])


def _row(error) -> int | None:
    """A frictionless error's CSV record (header errors: the header's)."""
    rows = getattr(error, "row_numbers", None)
    return getattr(error, "row_number", None) or (rows[0] if rows else None)


def _message(error) -> str:
    """A frictionless error's message, with any huge cell it quotes cut short."""
    message = error.message
    for cell in [getattr(error, "cell", ""), *getattr(error, "cells", [])]:
        if isinstance(cell, str) and len(cell) > 60:
            message = message.replace(cell, cell[:57] + "...")
    return message
