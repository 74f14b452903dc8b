"""The diff and changelog commands: what changed between two versions of a package."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import ExpoDataError
from .app import AllowRemote, PackageOption, app, emit, fail, say

FORMATS = ("text", "json", "markdown")


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="The old package: path, release version or git:REV.")],
    new: Annotated[str, typer.Argument(help="The new package: path, release version or git:REV.")],
    format: Annotated[
        str, typer.Option("--format", "-f", help="Output: text, json or markdown.")
    ] = "text",
    check_version: Annotated[
        bool,
        typer.Option(
            "--check-version",
            help="Exit 1 only when the changes are breaking and NEW's version does not bump "
            "OLD's major version (minor below 1.0).",
        ),
    ] = False,
    url: Annotated[
        str | None,
        typer.Option("--url", help="Where release versions are fetched from (as for download)."),
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Take release versions from the cache only.")
    ] = False,
    allow_remote: AllowRemote = False,
) -> None:
    """Compare two packages: rows by primary key, schemas; exit 0 same, 1 different, 2 unreadable."""
    from ..release.diff import diff as compute
    from ..release.notes import RENDERERS

    if format not in FORMATS:
        fail(f"unknown format {format!r}; use one of {', '.join(FORMATS)}", 2)
    try:
        result = compute(old, new, url=url, offline=offline or None, trusted=allow_remote)
    except ExpoDataError as exc:
        fail(exc, 2)
    rendered = RENDERERS[format](result)
    if format == "json":
        emit(rendered)
    else:
        say(rendered)
    if check_version:
        try:
            problem = result.version_problem()
        except ExpoDataError as exc:
            fail(exc, 1)
        if problem:
            fail(problem, 1)
        say(f"version {result.new.get('version')} fits the changes", err=True)
        return
    if result.changed:
        raise typer.Exit(1)


@app.command()
def changelog(
    previous: Annotated[
        str | None,
        typer.Option(
            "--previous",
            help="The previous release (any form diff takes) to describe changes from.",
        ),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="The changelog (default: CHANGELOG.md beside the package)."),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 when the changelog is stale.")
    ] = False,
    package: PackageOption = None,
    allow_remote: AllowRemote = False,
) -> None:
    """Write or update the current version's section of CHANGELOG.md from a diff."""
    from ..model.descriptor import open_package
    from ..release.changelog import CHANGELOG, update_changelog
    from ..release.diff import diff as compute

    current = open_package(package, trusted=allow_remote)
    path = file or current.basepath / CHANGELOG
    changes = None
    if previous is not None:
        try:
            changes = compute(previous, current, trusted=allow_remote)
        except ExpoDataError as exc:
            fail(exc, 2)
    stale = update_changelog(path, current, changes, check=check)
    if check and stale:
        how = f" --previous {previous}" if previous else ""
        fail(f"{path} is stale for version {current.version}; run `expo-data changelog{how}`")
    say(f"{'wrote' if stale else 'up to date'}: {path} ({current.version})")
