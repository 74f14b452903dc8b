"""The diff and changelog commands: what changed between two versions of a package."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import ExpoDataError
from .app import (
    AllowRemote,
    PackageOption,
    ReleaseUrl,
    app,
    emit,
    examples,
    fail,
    package_or_default,
    say,
)

FORMATS = ("text", "json", "markdown")


@app.command(
    epilog=examples(
        "expo-data diff release:1.0.0 .            # the published 1.0.0 against this folder",
        "expo-data diff release:1.0.0 . --check-version   # exit 1 if the version is too low",
        "expo-data diff git:v1.0.0 git:HEAD -f markdown",
        "expo-data diff old/datapackage.json new/datapackage.json -f json",
    )
)
def diff(
    old: Annotated[
        str,
        typer.Argument(metavar="OLD", help="The old package: a path, release:V (or V) or git:REV."),
    ],
    new: Annotated[
        str,
        typer.Argument(metavar="NEW", help="The new package: a path, release:V (or V) or git:REV."),
    ],
    format: Annotated[
        str,
        typer.Option(
            "--format", "-f", metavar="text|json|markdown", help="Output: text, json or markdown."
        ),
    ] = "text",
    check_version: Annotated[
        bool,
        typer.Option(
            "--check-version",
            help="Exit 1 only when the changes are breaking and NEW's version does not bump "
            "OLD's major version (minor below 1.0).",
        ),
    ] = False,
    url: ReleaseUrl = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Take release versions from the cache only.")
    ] = False,
    package: Annotated[
        Path | None,
        typer.Option(
            "--package",
            "-p",
            metavar="PATH",
            help="The package whose releases release:V names (default: the side that is a "
            "package folder, else ./datapackage.json, else the bundled package).",
        ),
    ] = None,
    allow_remote: AllowRemote = False,
) -> None:
    """Compare two packages: rows by primary key, schemas; exit 0 same, 1 different, 2 unreadable."""
    from ..release.diff import diff as compute
    from ..release.notes import RENDERERS

    if format not in FORMATS:
        fail(f"unknown format {format!r}; use one of {', '.join(FORMATS)}", 2)
    from ..release.diffsource import release_home

    home = package
    if home is None and release_home(old, new) is None and _names_release(old, new):
        home = package_or_default(None)
    try:
        result = compute(
            old, new, url=url, offline=offline or None, trusted=allow_remote, package=home
        )
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


def _names_release(*specs: str) -> bool:
    """Whether a side is a release version (`release:V` or a bare `V`)."""
    from ..release.diffsource import BARE_VERSION

    return any(s.startswith("release:") or BARE_VERSION.fullmatch(s) for s in specs)


@app.command(
    epilog=examples(
        "expo-data changelog --previous release:1.0.0   # write this version's section",
        "expo-data changelog --check                    # exit 1 when it has none (for CI)",
        "expo-data changelog -p shop/ --file shop/CHANGES.md",
    )
)
def changelog(
    previous: Annotated[
        str | None,
        typer.Option(
            "--previous",
            metavar="OLD",
            help="The previous release (any form diff takes) to describe changes from.",
        ),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            metavar="FILE",
            help="The changelog (default: CHANGELOG.md beside the package).",
        ),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 when the changelog is stale.")
    ] = False,
    package: PackageOption = None,
    allow_remote: AllowRemote = False,
) -> None:
    """Write or update the current version's section of CHANGELOG.md from a diff."""
    from ..model.descriptor import open_package
    from ..model.locate import is_installed
    from ..release.changelog import CHANGELOG, update_changelog
    from ..release.diff import diff as compute

    target = package_or_default(package)
    current = open_package(target, trusted=allow_remote)
    if current.source and file is None:
        fail(
            f"{current.source} is remote: its changelog is not beside it here; pass --file FILE",
            2,
        )
    path = file or current.basepath / CHANGELOG
    if not check and (is_installed(path) or (target is None and file is None)):
        fail(
            f"no datapackage.json here: the changelog would be the bundled package's ({path}), "
            "which is never written; run it in your package's folder, or pass -p PATH or "
            "--file FILE",
            2,
        )
    changes = None
    if previous is not None:
        try:
            changes = compute(previous, current, trusted=allow_remote, package=current)
        except ExpoDataError as exc:
            fail(exc, 2)
    stale = update_changelog(path, current, changes, check=check)
    if check and stale:
        how = f" --previous {previous}" if previous else ""
        fail(f"{path} is stale for version {current.version}; run `expo-data changelog{how}`")
    say(f"{'wrote' if stale else 'up to date'}: {path} ({current.version})")
