"""The validate command."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .app import (
    AllowRemote,
    PackageOption,
    app,
    choice_option,
    cli_words,
    emit,
    examples,
    fail,
    package_or_default,
    say,
)

if TYPE_CHECKING:
    from ..validation.report import Report

REPORT_FORMATS = ("text", "json", "github", "markdown")
#: a PATH with one of these suffixes is one table to validate on its own
TABLE_SUFFIXES = (".csv", ".tsv")
ENGINE_NAMES = ("fast", "frictionless", "duckdb")


def memory_size(value: str) -> str:
    """--memory-limit's parser: the size as given, once the library's parser accepts it."""
    from ..validation.engines.memory import MemoryLimitError, size_bytes

    try:
        size_bytes(value, name="--memory-limit")
    except MemoryLimitError as exc:
        fail(exc, 2)  # one line, like every other bad option
    return value


@app.command(
    epilog=examples(
        "expo-data validate              # ./datapackage.json (none in CI: pass -p or --bundled)",
        "expo-data validate -p path/to/package --format github --engine frictionless",
        "expo-data validate gdp.csv --schema gdp.schema.json   # one CSV file",
    )
)
def validate(
    path: Annotated[
        Path | None,
        typer.Argument(
            metavar="PATH",
            help="datapackage.json or its folder (the same as -p PATH), or one CSV file.",
        ),
    ] = None,
    package: PackageOption = None,
    schema: Annotated[
        Path | None,
        typer.Option(
            "--schema",
            metavar="FILE",
            help="With PATH a CSV file: its Table Schema (default: inferred from its rows).",
        ),
    ] = None,
    bundled: Annotated[
        bool,
        typer.Option(
            "--bundled",
            help="Validate the bundled package where no datapackage.json is found, even "
            "without a terminal (without it, that is an error there: a CI job must name its "
            "package).",
        ),
    ] = False,
    format: Annotated[
        str,
        choice_option(
            "--format",
            "-f",
            kind="format",
            choices=REPORT_FORMATS,
            help="text (findings, a summary table, the verdict), json, github (annotations) "
            "or markdown (a job summary).",
        ),
    ] = "text",
    engine: Annotated[
        str,
        choice_option(
            "--engine",
            kind="engine",
            choices=ENGINE_NAMES,
            help="fast (pyarrow, the default), frictionless (the reference) or duckdb (out of "
            "core; the sql extra).",
        ),
    ] = "fast",
    memory_limit: Annotated[
        str | None,
        typer.Option(
            "--memory-limit",
            metavar="SIZE",
            parser=memory_size,
            help="With --engine duckdb: bound its memory, DuckDB spilling to disk past it "
            "(2GB = 2x10^9 bytes, 512MiB = 512x2^20; default $EXPO_DATA_DUCKDB_MEMORY_LIMIT, "
            "else 80% of RAM).",
        ),
    ] = None,
    limit_errors: Annotated[
        int,
        typer.Option("--limit-errors", metavar="N", min=1, help="Stop after N findings."),
    ] = 1000,
    allow_remote: AllowRemote = False,
    check: Annotated[
        list[str] | None,
        typer.Option("--check", metavar="NAME", help="Run this check of the profile (repeatable)."),
    ] = None,
    no_check: Annotated[
        list[str] | None,
        typer.Option(
            "--no-check", metavar="NAME", help="Skip this check of the profile (repeatable)."
        ),
    ] = None,
    max_cell_bytes: Annotated[
        int,
        typer.Option(
            "--max-cell-bytes",
            metavar="N",
            min=1,
            help="A cell bigger than N bytes is a finding (default 1 MiB).",
        ),
    ] = 1 << 20,
) -> None:
    """Validate a package: exit 0 valid, 1 invalid, 2 unreadable.

    Checks what frictionless checks (descriptor, header, types, constraints, keys) plus
    the rules the package declares; on a terminal, long runs show a progress bar.
    """
    from ..model.names import unknown
    from ..model.remote import remote_url
    from ..validation.catalogue import CHECKS
    from ..validation.engine import validate as run
    from ..validation.report import RENDERERS

    if memory_limit is not None and engine != "duckdb":
        fail("--memory-limit applies to the duckdb engine only: add --engine duckdb", 2)
    checks = {**dict.fromkeys(check or [], True), **dict.fromkeys(no_check or [], False)}
    for name in checks:
        if name not in CHECKS:
            fail(unknown("check", name, CHECKS), 2)

    if path is not None and package is not None:
        fail("pass the package as PATH or as -p/--package, not both", 2)
    target = path if path is not None else package
    table = (
        target is not None
        and remote_url(target) is None
        and target.suffix.lower() in TABLE_SUFFIXES
        and target.is_file()
    )
    if schema is not None and not table:
        fail("--schema goes with a CSV file as PATH (a package's schemas are in it)", 2)
    if target is None and not bundled and not sys.stdin.isatty():
        from ..model.paths import descriptor_in

        if descriptor_in(".") is None:
            fail(
                f"no datapackage.json (or .yaml) in {Path.cwd()}; name the package with -p "
                "PATH, run `expo-data init` to make one, or pass --bundled to validate the "
                "bundled package",
                2,
            )
    if not table:
        target = package_or_default(target)
    progress = None
    if format == "text" and sys.stderr.isatty():
        from .progress import ValidationProgress

        progress = ValidationProgress()
    options = {
        "engine": engine,
        "limit_errors": limit_errors,
        "progress": progress,
        "checks": checks,
        "max_cell_bytes": max_cell_bytes,
        "memory_limit": memory_limit,
    }
    try:
        if table:
            from ..validation.table import validate_table

            report = validate_table(target, schema=schema, **options)
        else:
            report = run(target, trusted=allow_remote, **options)
    finally:
        if progress is not None:
            progress.close()
    if format == "github" and not table and remote_url(target) is None:
        report = relative_paths(report)  # a remote package's files are not here
    findings = tuple(replace(f, message=cli_words(f.message)) for f in report.findings)
    report = replace(report, findings=findings)
    rendered = RENDERERS[format](report)
    if format == "json":
        emit(rendered)
    else:
        say(cli_words(rendered) if format == "text" else rendered)
    raise typer.Exit(0 if report.valid else 1)


def relative_paths(report: Report) -> Report:
    """The report with each finding's file relative to the working directory (where GitHub
    resolves annotations), not to the package folder."""
    here = Path.cwd()
    base = Path(report.package).parent

    def shown(path: str) -> str:
        full = base / path if path else Path(report.package)
        return Path(os.path.relpath(full.absolute(), here)).as_posix()

    findings = tuple(replace(f, path=shown(f.path)) for f in report.findings)
    return replace(report, findings=findings)
