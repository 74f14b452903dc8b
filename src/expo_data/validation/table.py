"""Validating one CSV file on its own: its schema inferred (or given), as a one-table package."""

from __future__ import annotations

import json
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import PackageError
from .engine import validate
from .report import Report


def validate_table(path: str | Path, *, schema: str | Path | None = None, **options: Any) -> Report:
    """Validate the CSV file `path` alone, as `frictionless validate FILE.csv` does.

    Its Table Schema is `schema` (a JSON file) or, without one, inferred from every row by
    the rules of `init` (so only what the data contradicts, such as a ragged row, is found).
    `options` are `validate`'s (engine, limit_errors, progress, checks, max_cell_bytes,
    memory_limit).
    Findings name the files as given (relative to the working directory, or absolute).
    """
    from ..author.infer import infer_table

    table = Path(path)
    if not table.is_file():
        raise PackageError(f"{table}: no such file")
    resource = infer_table(table)
    resource["path"] = str(table.resolve())
    if schema is not None:
        schema_path = Path(schema)
        if not schema_path.is_file():
            raise PackageError(f"{schema_path}: table schema not found")
        resource["schema"] = str(schema_path.resolve())
    descriptor = {"name": resource["name"], "resources": [resource]}
    with tempfile.TemporaryDirectory(prefix="expo-data-table-") as tmp:
        target = Path(tmp) / "datapackage.json"
        target.write_text(json.dumps(descriptor), encoding="utf-8")
        report = validate(target, trusted=True, **options)
    named = {str(table.resolve()): str(path), target.name: str(path)}
    if schema is not None:
        named[str(Path(schema).resolve())] = str(schema)
    findings = tuple(
        replace(f, path=named.get(f.path, f.path), message=_named(f.message, named))
        for f in report.findings
    )
    return replace(report, package=str(path), findings=findings)


def _named(message: str, named: dict[str, str]) -> str:
    """A message with the temporary descriptor's absolute paths written as the user gave them."""
    for long, short in named.items():
        if Path(long).is_absolute():
            message = message.replace(long, short)
    return message
