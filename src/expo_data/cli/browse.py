"""Commands that show a package: list, describe, show."""

from __future__ import annotations

from typing import Annotated

import typer

from .app import (
    AllowRemote,
    ExcelSafe,
    PackageOption,
    app,
    choice_option,
    emit,
    examples,
    fail,
    package_or_default,
    say,
)

SHOW_FORMATS = ("table", "csv", "json")
#: terminal columns a cell of `show`'s table may take before it is clipped with `…`
CELL_WIDTH = 40


@app.command(
    "list",
    epilog=examples("expo-data list", "expo-data list -p path/to/package"),
)
def list_(package: PackageOption = None, allow_remote: AllowRemote = False) -> None:
    """List the package's resources with their titles."""
    from ..display import render_table
    from ..model.descriptor import open_package

    pkg = open_package(package_or_default(package), trusted=allow_remote)
    table = render_table(("", ""), [(r.name, r.title) for r in pkg.resources])
    say("\n".join(table.splitlines()[2:]))  # no header: one resource a line


@app.command(
    epilog=examples("expo-data describe winners", "expo-data describe orders -p shop/"),
)
def describe(
    resource: Annotated[str, typer.Argument(metavar="RESOURCE", help="Resource name.")],
    package: PackageOption = None,
    allow_remote: AllowRemote = False,
) -> None:
    """Show a resource's fields, types, constraints, keys, row count."""
    from ..docs.describe import describe_resource

    say(describe_resource(resource, package_or_default(package), trusted=allow_remote))


@app.command(
    epilog=examples(
        "expo-data show winners",
        "expo-data show winners -n 3 -c award_id,winner_name_zh_hant",
        "expo-data show awards --format csv -n 0   # every row, as CSV",
    ),
)
def show(
    resource: Annotated[str, typer.Argument(metavar="RESOURCE", help="Resource name.")],
    limit: Annotated[
        int,
        typer.Option("--limit", "-n", metavar="N", min=0, help="Rows to show (0: all of them)."),
    ] = 10,
    columns: Annotated[
        str | None,
        typer.Option("--columns", "-c", metavar="A,B", help="Only these fields, in this order."),
    ] = None,
    format: Annotated[
        str,
        choice_option("--format", "-f", kind="format", choices=SHOW_FORMATS, help="Output format."),
    ] = "table",
    excel_safe: ExcelSafe = False,
    package: PackageOption = None,
    allow_remote: AllowRemote = False,
) -> None:
    """Print the first rows of a resource, typed as its schema says."""
    from ..display import FORMATS, render_csv, render_table

    if excel_safe and format != "csv":
        fail("--excel-safe applies to --format csv", 2)
    from ..model.names import unknown
    from ..read.tables import load_arrow

    table = load_arrow(resource, package_or_default(package), trusted=allow_remote)
    if columns is not None:
        wanted = [c.strip() for c in columns.split(",") if c.strip()]
        for name in wanted:
            if name not in table.column_names:
                fail(unknown("field", name, table.column_names), 2)
        table = table.select(wanted)
    head = table.slice(0, limit) if limit else table
    rows = list(zip(*(column.to_pylist() for column in head.columns), strict=True))
    if format == "table":
        say(render_table(table.column_names, rows, max_width=CELL_WIDTH))
        typer.echo(f"({len(rows)} of {table.num_rows} rows)")
    elif excel_safe:
        emit(render_csv(table.column_names, rows, excel_safe=True))
    else:
        emit(FORMATS[format](table.column_names, rows))
