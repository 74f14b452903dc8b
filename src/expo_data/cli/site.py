"""The site command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .app import (
    AllowRemote,
    PackageOption,
    ReleaseUrl,
    app,
    examples,
    package_or_default,
    refuse_installed,
    say,
)


@app.command(
    epilog=examples(
        "expo-data site                          # ./datapackage.json into site/",
        "expo-data site -p shop/ --out public --force",
        "expo-data site --release 1.0.0 --out site   # from the published release",
    )
)
def site(
    out: Annotated[
        Path,
        typer.Option("--out", "-o", metavar="FOLDER", help="Folder to write the site into."),
    ] = Path("site"),
    rows: Annotated[
        int,
        typer.Option(
            "--rows",
            metavar="N",
            min=0,
            help="Rows shown per resource page; the rest are downloads.",
        ),
    ] = 1000,
    release: Annotated[
        str | None,
        typer.Option(
            "--release",
            metavar="V",
            help="Build from the package's release V (cached or fetched).",
        ),
    ] = None,
    url: ReleaseUrl = None,
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

    refuse_installed(out)
    folder = build_site(
        package_or_default(package),
        out=out,
        release=release,
        url=url,
        offline=offline or None,
        trusted=allow_remote,
        rows=rows,
        force=force,
    )
    say(f"Wrote the site to {folder} (open {folder / 'index.html'})")
