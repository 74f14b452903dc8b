"""The `expo-data` command line: parse arguments, make one library call, render the result."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from .. import __version__
from ..errors import ExpoDataError

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
