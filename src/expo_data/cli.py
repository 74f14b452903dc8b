"""The `expo-data` command line: parse arguments, make one library call, render the result."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from . import __version__
from .errors import ExpoDataError

app = typer.Typer(
    help="Validate, load and release the CHTF 2023 Smart City Expo data package.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

PackageOption = Annotated[
    Path | None,
    typer.Option(
        "--package", "-p", help="datapackage.json or its folder (default: the bundled package)."
    ),
]
AllowRemote = Annotated[
    bool,
    typer.Option("--allow-remote", help="Trust paths outside the package folder and remote URLs."),
]


def _say_error(message: object) -> None:
    typer.echo(f"Error: {' '.join(str(message).split())}", err=True)


def fail(message: object, code: int = 1) -> NoReturn:
    """Inside a command: print `Error: …` on one line to stderr and exit with `code`."""
    _say_error(message)
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"expo-data {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Validate, load and release the CHTF 2023 Smart City Expo data package."""


@app.command("list")
def list_(package: PackageOption = None, allow_remote: AllowRemote = False) -> None:
    """List the package's resources with their titles."""
    from .descriptor import open_package

    pkg = open_package(package, trusted=allow_remote)
    width = max(len(r.name) for r in pkg.resources)
    for r in pkg.resources:
        typer.echo(f"{r.name:<{width}}  {r.title}".rstrip())


@app.command()
def describe(
    resource: Annotated[str, typer.Argument(help="Resource name.")],
    package: PackageOption = None,
    allow_remote: AllowRemote = False,
) -> None:
    """Show a resource's fields, types, constraints and row count."""
    from .describe import describe_resource

    typer.echo(describe_resource(resource, package, trusted=allow_remote))


@app.command()
def show(
    resource: Annotated[str, typer.Argument(help="Resource name.")],
    limit: Annotated[int, typer.Option("--limit", "-n", min=0, help="Rows to show.")] = 10,
    package: PackageOption = None,
    allow_remote: AllowRemote = False,
) -> None:
    """Print the first rows of a resource, typed as its schema says."""
    from .read import load

    frame = load(resource, package, trusted=allow_remote)
    typer.echo(frame.head(limit).to_string(index=False, max_colwidth=40))
    typer.echo(f"({min(limit, len(frame))} of {len(frame)} rows)")


@app.command()
def validate(
    path: Annotated[
        Path | None, typer.Argument(help="datapackage.json or its folder (default: bundled).")
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="text, json or github.")] = "text",
    engine: Annotated[
        str, typer.Option(help="fast (pyarrow, the default) or frictionless (the reference).")
    ] = "fast",
    limit_errors: Annotated[
        int, typer.Option("--limit-errors", min=1, help="Stop after N findings.")
    ] = 1000,
    allow_remote: AllowRemote = False,
) -> None:
    """Validate a data package: exit 0 when valid, 1 when invalid, 2 when unreadable."""
    from .report import RENDERERS
    from .validation import ENGINES
    from .validation import validate as run

    if format not in RENDERERS:
        fail(f"unknown format {format!r}; choose one of {', '.join(RENDERERS)}", 2)
    if engine not in ENGINES:
        fail(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}", 2)
    report = run(path, engine=engine, limit_errors=limit_errors, trusted=allow_remote)
    typer.echo(RENDERERS[format](report))
    raise typer.Exit(0 if report.valid else 1)


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
    package: PackageOption = None,
    allow_remote: AllowRemote = False,
) -> None:
    """Build a release: Parquet files, datapackage.json, manifest.json and SHA256SUMS."""
    from .descriptor import open_package
    from .release import SUMS, build_release

    if out is None:
        out = Path("release") / (version or open_package(package, trusted=allow_remote).version)
    folder = build_release(package, out=out, version=version, trusted=allow_remote, force=force)
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
) -> None:
    """Download a release into the cache, checking every file against its sha256."""
    from .download import download_release

    folder = download_release(version, to=to, url=url, offline=offline or None, progressbar=True)
    typer.echo(f"Verified release files in {folder}")


@app.command()
def docs(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into.")] = Path("docs"),
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 listing the stale files.")
    ] = False,
    package: PackageOption = None,
    allow_remote: AllowRemote = False,
) -> None:
    """Generate the data dictionary, dataset card and coverage chart from the package."""
    from .docs import write_docs

    changed = write_docs(out, package, check=check, trusted=allow_remote)
    for path in changed:
        typer.echo(f"{'stale' if check else 'wrote'}: {path}")
    if check and changed:
        fail(f"{len(changed)} stale file(s) in {out}; run `expo-data docs --out {out}`")
    if not changed:
        typer.echo(f"{out} is up to date")


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL (DuckDB dialect); each resource is a table.")],
    package: PackageOption = None,
    release: Annotated[
        str | None,
        typer.Option("--release", "-r", help="Query Parquet release V (downloaded, verified)."),
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    allow_remote: AllowRemote = False,
) -> None:
    """Query the resources with SQL (DuckDB; needs the `sql` extra)."""
    from .sql import FORMATS
    from .sql import query as run

    if format not in FORMATS:
        fail(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}", 2)
    if package is not None and release is not None:
        fail("pass --package or --release, not both", 2)
    try:
        columns, rows = run(query, package, release=release, trusted=allow_remote)
    except ImportError as exc:
        fail(exc)
    if columns:
        typer.echo(FORMATS[format](columns, rows))


def main() -> None:
    """Entry point: run the app, translating library errors into `Error: …` and an exit code."""
    try:
        app()
    except ExpoDataError as exc:
        _say_error(exc)
        sys.exit(exc.exit_code)
    except OSError as exc:
        _say_error(exc)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
