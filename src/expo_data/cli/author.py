"""The init command: start a package from a folder of CSV files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .app import app, examples, fail, refuse_installed, say


@app.command(
    epilog=examples(
        "expo-data init                 # the CSV files here",
        "expo-data init shop/ --force   # infer again, replacing shop/datapackage.json",
        'expo-data init --title "GDP by country" --version 1.0.0 --licence CC-BY-4.0',
    )
)
def init(
    folder: Annotated[
        Path, typer.Argument(metavar="FOLDER", help="Folder of CSV files (default: here).")
    ] = Path("."),
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing datapackage.json.")
    ] = False,
    title: Annotated[
        str | None, typer.Option("--title", metavar="TEXT", help="The package's title.")
    ] = None,
    version: Annotated[
        str | None,
        typer.Option("--version", metavar="V", help="The package's version (e.g. 1.0.0)."),
    ] = None,
    licence: Annotated[
        str | None,
        typer.Option(
            "--licence", "--license", metavar="ID", help="Its licence, an SPDX id (CC-BY-4.0)."
        ),
    ] = None,
) -> None:
    """Write a datapackage.json inferred from a folder of CSV files.

    One resource per CSV; types, required fields, primary and foreign keys, categories and
    missing values are inferred from every row, and printed. Edit the result, then validate.
    """
    from ..author.infer import init_package, summarize
    from ..model.descriptor import read_descriptor
    from ..model.remote import remote_url

    refuse_installed(folder)
    url = remote_url(folder)
    if url is not None:
        fail(f"{url} is remote: init writes a datapackage.json into a local folder", 2)
    path = init_package(folder, force=force, title=title, version=version, licence=licence)
    _, descriptor = read_descriptor(path)
    count = len(descriptor["resources"])
    say(f"Wrote {path} ({count} resource{'s' if count != 1 else ''}, Data Package v2)")
    say("")
    say(summarize(descriptor))
    say("")
    say(f"Next: expo-data validate -p {folder}")
