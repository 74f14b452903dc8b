"""The init command: start a package from a folder of CSV files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .app import app, examples, say


@app.command(
    epilog=examples(
        "expo-data init                 # the CSV files here",
        "expo-data init shop/           # then: expo-data validate -p shop/",
        "expo-data init shop/ --force   # infer again, replacing shop/datapackage.json",
    )
)
def init(
    folder: Annotated[
        Path, typer.Argument(metavar="FOLDER", help="Folder of CSV files (default: here).")
    ] = Path("."),
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing datapackage.json.")
    ] = False,
) -> None:
    """Write a datapackage.json inferred from a folder of CSV files.

    One resource per CSV; types, required fields, primary and foreign keys, categories and
    missing values are inferred from every row, and printed. Edit the result, then validate.
    """
    from ..author.infer import init_package, summarize
    from ..model.descriptor import read_descriptor

    path = init_package(folder, force=force)
    _, descriptor = read_descriptor(path)
    count = len(descriptor["resources"])
    say(f"Wrote {path} ({count} resource{'s' if count != 1 else ''}, Data Package v2)")
    say("")
    say(summarize(descriptor))
    say("")
    say(f"Next: expo-data validate -p {folder}")
