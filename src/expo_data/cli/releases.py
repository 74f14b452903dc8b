"""Commands for releases: release build, download."""

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
    warn_metadata,
)

release_app = typer.Typer(
    help="Build Parquet releases of the data package.",
    epilog=examples(
        "expo-data release build                 # release/VERSION from ./datapackage.json",
        "expo-data release build --previous release:1.0.0   # with CHANGES.md",
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(release_app, name="release")


@release_app.command(
    "build",
    epilog=examples(
        "expo-data release build                       # into release/VERSION",
        "expo-data release build --out dist/2.0.0 --version 2.0.0",
        "expo-data release build -p shop/ --force      # replace a previous build",
    ),
)
def release_build(
    version: Annotated[
        str | None,
        typer.Option(
            "--version", metavar="V", help="Release version (default: the package's version)."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", metavar="FOLDER", help="Output folder (default: release/VERSION)."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a previous release in the output folder.")
    ] = False,
    previous: Annotated[
        str | None,
        typer.Option(
            "--previous",
            metavar="OLD",
            help="The previous release (any form diff takes): write CHANGES.md and a change "
            "summary in manifest.json.",
        ),
    ] = None,
    package: PackageOption = None,
    allow_remote: AllowRemote = False,
) -> None:
    """Build a release: Parquet files, descriptor, manifest, SHA256SUMS."""
    from ..model.descriptor import open_package
    from ..release.build import build_release

    package = package_or_default(package)
    if out is None:
        out = Path("release") / (version or open_package(package, trusted=allow_remote).version)
    refuse_installed(out)
    folder = build_release(
        package, out=out, version=version, trusted=allow_remote, force=force, previous=previous
    )
    say(summary(folder))
    warn_metadata(package, trusted=allow_remote)


@app.command(
    epilog=examples(
        "expo-data download                      # this package's version, from its location",
        "expo-data download --version 1.0.0 --to parquet/",
        "expo-data download --version 1.0.0 --url http://127.0.0.1:8000/releases",
    )
)
def download(
    version: Annotated[
        str | None,
        typer.Option(
            "--version", metavar="V", help="Release version (default: the package's version)."
        ),
    ] = None,
    to: Annotated[
        Path | None,
        typer.Option("--to", metavar="FOLDER", help="Also copy the verified files to this folder."),
    ] = None,
    url: ReleaseUrl = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Use the cache only (also $EXPO_DATA_OFFLINE=1).")
    ] = False,
    manifest_sha256: Annotated[
        str | None,
        typer.Option(
            "--manifest-sha256",
            metavar="SHA256",
            help="Pin the release: the sha256 its manifest.json must have (see its SHA256SUMS).",
        ),
    ] = None,
    deadline: Annotated[
        float | None,
        typer.Option(
            "--deadline",
            metavar="SECONDS",
            help="Longest time one file may take to arrive (default: 300).",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="With --to: replace the files a previous download there wrote (never others).",
        ),
    ] = False,
    package: PackageOption = None,
) -> None:
    """Download a release of the package into the cache, verifying every file."""
    from ..model.fetch import download_release

    folder = download_release(
        version,
        to=to,
        url=url,
        offline=offline or None,
        progressbar=True,
        sha256=manifest_sha256,
        force=force,
        deadline=deadline,
        package=package_or_default(package),
    )
    say(f"Verified release files in {folder}")


def summary(folder: Path) -> str:
    """What a release build wrote: its files with their sizes, and where (SHA256SUMS holds
    the sums)."""
    from ..model.manifest import MANIFEST, SUMS

    files = sorted(p for p in folder.rglob("*") if p.is_file())
    data = [p for p in files if p.suffix == ".parquet"]
    size = sum(p.stat().st_size for p in files)
    return (
        f"Built release in {folder}: {len(data)} Parquet file{'s' if len(data) != 1 else ''}, "
        f"{len(files)} files in all, {size:,} bytes (sums in {folder / SUMS}, "
        f"sizes and versions in {folder / MANIFEST})"
    )
