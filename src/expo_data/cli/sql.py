"""The sql command."""

from __future__ import annotations

from typing import Annotated

import typer

from .app import (
    AllowRemote,
    ExcelSafe,
    PackageOption,
    ReleaseUrl,
    app,
    choice_option,
    emit,
    examples,
    fail,
    package_or_default,
    say,
)

SQL_FORMATS = ("table", "csv", "json")
#: the default of --limit (the library's bound), without importing duckdb for --help
ROW_LIMIT = 100_000


@app.command(
    epilog=examples(
        'expo-data sql "SELECT award_id, count(*) AS n FROM winners GROUP BY award_id"',
        'expo-data sql "SELECT count(*) FROM winners" --release 1.0.0',
        "expo-data sql 'SELECT * FROM \"country-codes\"' --release 1.0.0 --url URL",
    )
)
def sql(
    query: Annotated[
        str,
        typer.Argument(metavar="QUERY", help="SQL (DuckDB dialect); each resource is a table."),
    ],
    package: PackageOption = None,
    release: Annotated[
        str | None,
        typer.Option(
            "--release",
            "-r",
            metavar="V",
            help="Query Parquet release V of the package (downloaded, verified).",
        ),
    ] = None,
    url: ReleaseUrl = None,
    format: Annotated[
        str,
        choice_option("--format", "-f", kind="format", choices=SQL_FORMATS, help="Output format."),
    ] = "table",
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            "-n",
            min=0,
            metavar="N",
            help="Refuse a result of more than N rows (0: no bound).",
            show_default=True,
        ),
    ] = ROW_LIMIT,
    excel_safe: ExcelSafe = False,
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
    from ..sql import FORMATS, render_csv
    from ..sql import query as run

    if url is not None and release is None:
        fail("--url goes with --release V", 2)
    if excel_safe and format != "csv":
        fail("--excel-safe applies to --format csv", 2)
    package = package_or_default(package)
    try:
        columns, rows = run(
            query,
            package,
            release=release,
            url=url,
            trusted=allow_remote,
            sandbox=not allow_files,
            limit=limit,
        )
    except ImportError as exc:
        fail(exc)
    if columns and excel_safe:
        emit(render_csv(columns, rows, excel_safe=True))
    elif columns and format == "table":
        say(FORMATS[format](columns, rows))
    elif columns:
        emit(FORMATS[format](columns, rows))
