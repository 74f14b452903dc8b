"""The sql command."""

from __future__ import annotations

from typing import Annotated

import typer

from .app import AllowRemote, PackageOption, app, fail


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL (DuckDB dialect); each resource is a table.")],
    package: PackageOption = None,
    release: Annotated[
        str | None,
        typer.Option("--release", "-r", help="Query Parquet release V (downloaded, verified)."),
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    allow_remote: AllowRemote = False,
    allow_files: Annotated[
        bool,
        typer.Option(
            "--allow-files",
            help="Lift the sandbox: let the query read and write files, ATTACH databases "
            "and load extensions (only for queries you trust).",
        ),
    ] = False,
) -> None:
    """Query the resources with SQL (DuckDB; needs the `sql` extra)."""
    from ..sql import FORMATS
    from ..sql import query as run

    if format not in FORMATS:
        fail(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}", 2)
    if package is not None and release is not None:
        fail("pass --package or --release, not both", 2)
    try:
        columns, rows = run(
            query, package, release=release, trusted=allow_remote, sandbox=not allow_files
        )
    except ImportError as exc:
        fail(exc)
    if columns:
        typer.echo(FORMATS[format](columns, rows))
