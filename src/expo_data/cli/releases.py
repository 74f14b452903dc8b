"""Commands for releases: release build, download."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .app import AllowRemote, PackageOption, app, examples, package_or_default, say

release_app = typer.Typer(
    help="Build Parquet releases of the data package.",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(release_app, name="release")


@release_app.command(
    "build",
    epilog=examples(
        "expo-data release build                       # into release/<version>",
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
            help="The previous release (any form diff takes): write CHANGES.md and a change "
            "summary in manifest.json.",
        ),
    ] = None,
    package: PackageOption = None,
    allow_remote: AllowRemote = False,
) -> None:
    """Build a release: Parquet files, descriptor, manifest, SHA256SUMS."""
    from ..model.descriptor import open_package
    from ..release.build import SUMS, build_release

    package = package_or_default(package)
    if out is None:
        out = Path("release") / (version or open_package(package, trusted=allow_remote).version)
    folder = build_release(
        package, out=out, version=version, trusted=allow_remote, force=force, previous=previous
    )
    say((folder / SUMS).read_text(encoding="ascii"), nl=False)
    say(f"Built release in {folder}")


@app.command(
    epilog=examples(
        "expo-data download --version 1.0.0",
        "expo-data download --version 1.0.0 --to parquet/",
        "expo-data download --version 1.0.0 --offline   # from the cache only",
    )
)
def download(
    version: Annotated[
        str | None,
        typer.Option(
            "--version", metavar="V", help="Release version (default: the bundled package's)."
        ),
    ] = None,
    to: Annotated[
        Path | None,
        typer.Option("--to", metavar="FOLDER", help="Also copy the verified files to this folder."),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            metavar="URL",
            help="Release location: http(s)://, file:// or a folder "
            "(default: $EXPO_DATA_RELEASE_URL, else the project's).",
        ),
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Use the cache only (also $EXPO_DATA_OFFLINE=1).")
    ] = False,
    manifest_sha256: Annotated[
        str | None,
        typer.Option(
            "--manifest-sha256",
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
) -> None:
    """Download a release into the cache, checking every file's sha256."""
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
    )
    say(f"Verified release files in {folder}")
