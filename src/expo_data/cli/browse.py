"""Commands that show a package: list, describe, show."""

from __future__ import annotations

from typing import Annotated

import typer

from .app import AllowRemote, PackageOption, app


@app.command("list")
def list_(package: PackageOption = None, allow_remote: AllowRemote = False) -> None:
    """List the package's resources with their titles."""
    from ..model.descriptor import open_package

    pkg = open_package(package, trusted=allow_remote)
    width = max(len(r.name) for r in pkg.resources)
    for r in pkg.resources:
        typer.echo(f"{r.name:<{width}}  {r.title}".rstrip())


@app.command()
def describe(
    resource: Annotated[str, typer.Argument(help="Resource name.")],
    package: PackageOption = None,
    allow_remote: AllowRemote = False,
) -> None:
    """Show a resource's fields, types, constraints and row count."""
    from ..docs.describe import describe_resource

    typer.echo(describe_resource(resource, package, trusted=allow_remote))


@app.command()
def show(
    resource: Annotated[str, typer.Argument(help="Resource name.")],
    limit: Annotated[int, typer.Option("--limit", "-n", min=0, help="Rows to show.")] = 10,
    package: PackageOption = None,
    allow_remote: AllowRemote = False,
) -> None:
    """Print the first rows of a resource, typed as its schema says."""
    from ..read.tables import load

    frame = load(resource, package, trusted=allow_remote)
    typer.echo(frame.head(limit).to_string(index=False, max_colwidth=40))
    typer.echo(f"({min(limit, len(frame))} of {len(frame)} rows)")
