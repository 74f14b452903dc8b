"""The docs command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .app import AllowRemote, PackageOption, app, examples, fail, package_or_default, say


@app.command(
    epilog=examples(
        "expo-data docs --out docs",
        "expo-data docs --out docs --check   # exit 1 when docs/ is stale (for CI)",
    )
)
def docs(
    out: Annotated[
        Path, typer.Option("--out", "-o", metavar="FOLDER", help="Folder to write into.")
    ] = Path("docs"),
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 listing the stale files.")
    ] = False,
    package: PackageOption = None,
    allow_remote: AllowRemote = False,
) -> None:
    """Generate the data dictionary, dataset card and coverage chart."""
    from ..docs.write import write_docs

    changed = write_docs(out, package_or_default(package), check=check, trusted=allow_remote)
    for path in changed:
        say(f"{'stale' if check else 'wrote'}: {path}")
    if check and changed:
        fail(f"{len(changed)} stale file(s) in {out}; run `expo-data docs --out {out}`")
    if not changed:
        say(f"{out} is up to date")
