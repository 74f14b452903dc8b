"""The reference engine: frictionless-py's own row-level findings, as expo-data Findings."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

from ..model.descriptor import missing_strings
from .report import Finding

if TYPE_CHECKING:
    from ..model.descriptor import Package, Resource


V2_PROFILES = "https://datapackage.org/profiles/2.0"


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
        try:
            source = frictionless.Package.from_descriptor(
                reference_descriptor(package), basepath=str(package.basepath)
            )
        except frictionless.FrictionlessException as exc:  # e.g. a path it calls unsafe
            message = str(exc).removeprefix(f"[{exc.error.type}] ")
            return [Finding(exc.error.type, message=message, path=package.path.name)]
        report = source.validate(limit_errors=limit_errors, checklist=checklist)
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


def reference_descriptor(package: Package) -> dict:
    """The descriptor as frictionless should read it: schemas inline, without what it mishandles.

    `pattern` constraints go (frictionless matches them with Python's backtracking `re`, which a
    hostile pattern can hang; the fast pass checks them with RE2 instead), and v2 labelled
    missingValues become plain strings.
    """
    descriptor = as_v2(json.loads(json.dumps(dict(package.descriptor), default=dict)))
    for raw, resource in zip(descriptor["resources"], package.resources, strict=True):
        schema = v1_schema(resource)
        for field in schema.get("fields", []):
            constraints = field.get("constraints")
            if isinstance(constraints, dict):
                constraints.pop("pattern", None)
        raw["schema"] = schema
        # the fast engine and the loaders never skip the space after a delimiter; frictionless
        # would guess so from the first rows (a cell like '{"a": 1, "b": 2}' makes it guess)
        raw["dialect"] = {"skipInitialSpace": False, **dict(resource.dialect)}
    return descriptor


def as_v2(descriptor: dict, profile: str = "datapackage") -> dict:
    """The descriptor read as Data Package v2 even where it declares no `$schema`.

    expo-data reads the v2 properties whatever the `$schema` (v2 is a superset of v1, which
    ignores properties it does not know); frictionless reads an absent `$schema` as v1 and
    refuses v2 properties there (`exclusiveMinimum`, labelled missingValues).
    """
    if "$schema" not in descriptor:
        descriptor = {"$schema": f"{V2_PROFILES}/{profile}.json", **descriptor}
    return descriptor


def v1_schema(resource: Resource) -> dict:
    """The resource's schema as frictionless reads it: v2, labelled missingValues as strings."""
    schema = as_v2(
        json.loads(json.dumps(dict(resource.schema.descriptor), default=dict)), "tableschema"
    )
    if "missingValues" in schema:
        schema["missingValues"] = list(resource.schema.missing_values)
    for field in schema.get("fields", []):
        if isinstance(field, dict) and "missingValues" in field:
            field["missingValues"] = list(missing_strings(field["missingValues"]))
    return schema


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
