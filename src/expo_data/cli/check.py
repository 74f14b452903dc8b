"""The validate command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .app import AllowRemote, app, fail


@app.command()
def validate(
    path: Annotated[
        Path | None, typer.Argument(help="datapackage.json or its folder (default: bundled).")
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="text, json or github.")] = "text",
    engine: Annotated[
        str, typer.Option(help="fast (pyarrow, the default) or frictionless (the reference).")
    ] = "fast",
    limit_errors: Annotated[
        int, typer.Option("--limit-errors", min=1, help="Stop after N findings.")
    ] = 1000,
    allow_remote: AllowRemote = False,
    max_cell_bytes: Annotated[
        int,
        typer.Option(
            "--max-cell-bytes", min=1, help="A cell bigger than N bytes is a finding (1 MiB)."
        ),
    ] = 1 << 20,
) -> None:
    """Validate a data package: exit 0 when valid, 1 when invalid, 2 when unreadable."""
    from ..validation.engine import ENGINES
    from ..validation.engine import validate as run
    from ..validation.report import RENDERERS

    if format not in RENDERERS:
        fail(f"unknown format {format!r}; choose one of {', '.join(RENDERERS)}", 2)
    if engine not in ENGINES:
        fail(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}", 2)
    report = run(
        path,
        engine=engine,
        limit_errors=limit_errors,
        trusted=allow_remote,
        max_cell_bytes=max_cell_bytes,
    )
    typer.echo(RENDERERS[format](report))
    raise typer.Exit(0 if report.valid else 1)
