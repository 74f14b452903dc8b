"""The site command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .app import AllowRemote, PackageOption, app, say


@app.command()
def site(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the site into.")] = Path(
        "site"
    ),
    rows: Annotated[
        int,
        typer.Option("--rows", min=0, help="Rows shown per resource page; the rest are downloads."),
    ] = 1000,
    release: Annotated[
        str | None,
        typer.Option("--release", help="Build from release VERSION (cached or fetched)."),
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="Where releases are (with --release).")
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="With --release: use the cache only.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a previous site in the output folder.")
    ] = False,
    package: PackageOption = None,
    allow_remote: AllowRemote = False,
) -> None:
    """Build a static HTML site of the package: card, resources, ER diagram, downloads."""
    from ..docs.site.build import build_site

    folder = build_site(
        package,
        out=out,
        release=release,
        url=url,
        offline=offline or None,
        trusted=allow_remote,
        rows=rows,
        force=force,
    )
    say(f"Wrote the site to {folder} (open {folder / 'index.html'})")
