"""Commands for releases: release build, download."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import ReleaseError
from .app import AllowRemote, PackageOption, app, fail

release_app = typer.Typer(help="Build Parquet releases of the data package.", no_args_is_help=True)
app.add_typer(release_app, name="release")


@release_app.command("build")
def release_build(
    version: Annotated[
        str | None,
        typer.Option("--version", help="Release version (default: the package's version)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output folder (default: release/VERSION).")
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
    """Build a release: Parquet files, datapackage.json, manifest.json and SHA256SUMS."""
    from ..model.descriptor import open_package
    from ..release.build import SUMS, build_release

    if out is None:
        out = Path("release") / (version or open_package(package, trusted=allow_remote).version)
    try:
        folder = build_release(
            package, out=out, version=version, trusted=allow_remote, force=force, previous=previous
        )
    except ReleaseError as exc:  # the library names its arguments, the CLI its flags
        fail(str(exc).replace("force=True", "--force"), exc.exit_code)
    typer.echo((folder / SUMS).read_text(encoding="ascii"), nl=False)
    typer.echo(f"Built release in {folder}")


@app.command()
def download(
    version: Annotated[
        str | None,
        typer.Option("--version", help="Release version (default: the bundled package's)."),
    ] = None,
    to: Annotated[
        Path | None, typer.Option("--to", help="Also copy the verified files to this folder.")
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
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
) -> None:
    """Download a release into the cache, checking every file against its sha256."""
    from ..model.fetch import download_release

    try:
        folder = download_release(
            version,
            to=to,
            url=url,
            offline=offline or None,
            progressbar=True,
            sha256=manifest_sha256,
        )
    except ReleaseError as exc:
        fail(str(exc).replace("(sha256=)", "(--manifest-sha256)"), exc.exit_code)
    typer.echo(f"Verified release files in {folder}")
