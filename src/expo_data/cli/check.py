"""The validate command."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

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

REPORT_FORMATS = ("text", "json", "github", "markdown")
ENGINE_NAMES = ("fast", "frictionless", "duckdb")


@app.command(
    epilog=examples(
        "expo-data validate                        # ./datapackage.json, else the bundled one",
        "expo-data validate -p path/to/package --format json",
        "expo-data validate --engine frictionless  # the reference engine (slower)",
    )
)
def validate(
    path: Annotated[
        Path | None,
        typer.Argument(
            metavar="PATH", help="datapackage.json or its folder (the same as -p PATH)."
        ),
    ] = None,
    package: PackageOption = None,
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
    from ..validation.checks import CHECKS
    from ..validation.engine import validate as run
    from ..validation.report import RENDERERS

    checks = {**dict.fromkeys(check or [], True), **dict.fromkeys(no_check or [], False)}
    for name in checks:
        if name not in CHECKS:
            fail(unknown("check", name, CHECKS), 2)

    if path is not None and package is not None:
        fail("pass the package as PATH or as -p/--package, not both", 2)
    target = package_or_default(path if path is not None else package, say=format == "text")
    progress = None
    if format == "text" and sys.stderr.isatty():
        from .progress import ValidationProgress

        progress = ValidationProgress()
    try:
        report = run(
            target,
            engine=engine,
            limit_errors=limit_errors,
            trusted=allow_remote,
            progress=progress,
            checks=checks,
            max_cell_bytes=max_cell_bytes,
        )
    finally:
        if progress is not None:
            progress.close()
    findings = tuple(replace(f, message=cli_words(f.message)) for f in report.findings)
    report = replace(report, findings=findings)
    rendered = RENDERERS[format](report)
    if format == "json":
        emit(rendered)
    else:
        say(cli_words(rendered) if format == "text" else rendered)
    raise typer.Exit(0 if report.valid else 1)
