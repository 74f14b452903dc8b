"""The `expo-data` command line: parse arguments, make one library call, render the result."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperArgument

from .. import __version__
from ..errors import ExpoDataError
from ..model.names import unknown

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # click's plain help: flags render as flags, never `<bool>`
    suggest_commands=True,  # "No such command 'lst'. Did you mean 'list'?"
    context_settings={"help_option_names": ["-h", "--help"]},
)

PackageOption = Annotated[
    Path | None,
    typer.Option(
        "--package",
        "-p",
        metavar="PATH",
        help="datapackage.json or its folder (default: ./datapackage.json if there is one, "
        "else the bundled package).",
    ),
]
ReleaseUrl = Annotated[
    str | None,
    typer.Option(
        "--url",
        metavar="URL",
        help="Release location: http(s)://, file:// or a folder (default: the package's "
        '"expo:releases", else $EXPO_DATA_RELEASE_URL, else the project\'s).',
    ),
]
ExcelSafe = Annotated[
    bool,
    typer.Option(
        "--excel-safe",
        help="With --format csv: prefix text starting with = + - @ with ' so spreadsheets "
        "do not run it as a formula (changes those values).",
    ),
]
AllowRemote = Annotated[
    bool,
    typer.Option(
        "--allow-remote", help="Trust resource paths outside the package folder and remote URLs."
    ),
]


def examples(*lines: str) -> str:
    """A command's epilog: its examples, kept on their own lines by click (`\\b`)."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


def choice(kind: str, choices: Sequence[str]) -> Callable[[str], str]:
    """A parser for one of `choices`, any case, suggesting the closest on a typo."""

    def parse(value: str) -> str:
        found = [c for c in choices if c.casefold() == str(value).casefold()]
        if found:
            return found[0]
        fail(unknown(kind, str(value), choices), 2)  # one line, like every other error

    return parse


def choice_option(*decls: str, kind: str, choices: Sequence[str], help: str, **kwargs: Any) -> Any:
    """A typer Option taking one of `choices` (case-insensitive, with suggestions)."""
    return typer.Option(
        *decls, parser=choice(kind, choices), metavar="|".join(choices), help=help, **kwargs
    )


def package_or_default(package: Path | None) -> Path | str | None:
    """The package a command works on: `-p`, else ./datapackage.json (or .yaml), else the bundle.

    `-p` may be the http(s) URL of a descriptor (returned as the URL, read with
    --allow-remote). When no `-p` was given, one line on stderr names the package used, in
    every output format and whether or not stderr is a terminal (stdout stays the command's own).
    """
    if package is not None:
        from ..model.remote import remote_url

        return remote_url(package) or package
    from ..model.paths import descriptor_in

    local = descriptor_in(".")
    say(f"Using ./{local.name}" if local else f"Using {_bundled()}", err=True)
    return local


def refuse_installed(target: Path) -> None:
    """Exit 2 when `target` (a file or folder a command would write) is inside the
    installed expo_data package: no command writes there."""
    from ..model.locate import is_installed

    if is_installed(target):
        fail(f"{target} is inside the installed expo_data package, which is never written", 2)


def warn_metadata(package: Path | None, *, trusted: bool = False) -> None:
    """One line on stderr naming what the package's descriptor lacks for its card and
    citation (nothing when it lacks nothing)."""
    from ..model.credits import metadata_warning
    from ..model.descriptor import open_package

    opened = open_package(package, trusted=trusted)
    warning = metadata_warning(opened.descriptor, opened.path.name)
    if warning:
        typer.echo(warning, err=True)


def _bundled() -> str:
    """`the bundled package (TITLE, version V)`."""
    from ..model.descriptor import read_descriptor

    try:
        _, descriptor = read_descriptor(None)
    except ExpoDataError:
        return "the bundled package"
    about = ", ".join(
        part
        for part in (
            str(descriptor.get("title") or descriptor.get("name") or ""),
            f"version {descriptor['version']}" if descriptor.get("version") else "",
        )
        if part
    )
    return f"the bundled package ({about})" if about else "the bundled package"


#: the library's words for an argument → the CLI's flag
_FLAGS = {
    r"trusted=True": "--allow-remote",
    r"force=True": "--force",
    r"\(sha256=\)": "(--manifest-sha256)",
    r"offline=True": "--offline",
    r'version="V"': "--version V",
    r"\(limit_errors\)": "(--limit-errors)",
    r"\(limit=N, 0 for no bound\)": "(--limit N, 0 for no bound)",
    r"\(deadline=\)": "(raise it with `expo-data download --deadline SECONDS`)",
    r"pass its package folder, e\.g\. (\S+)": r"pass -p \1",
    r"to make (\S+) a package, use init_package": r"to make \1 a package, run `expo-data init \1`",
}
_ARGUMENTS = [(re.compile(pattern), flag) for pattern, flag in _FLAGS.items()]
#: a flag then the same flag in brackets, as "trusted=True (--allow-remote)" becomes
_TWICE = re.compile(r"(--[\w-]+) \(\1\)")


def cli_words(text: str) -> str:
    """A library message as the CLI says it: flags for the arguments it names."""
    for pattern, flag in _ARGUMENTS:
        text = pattern.sub(flag, text)
    return _TWICE.sub(r"\1", text)


def say(text: object = "", *, err: bool = False, nl: bool = True) -> None:
    """Print text made of data or paths: control characters escaped (`display.printable`)."""
    from ..display import printable

    typer.echo(printable(str(text)), err=err, nl=nl)


def emit(text: str) -> None:
    """Print CSV or JSON output: exact when piped, control characters escaped on a terminal."""
    if sys.stdout.isatty():
        say(text)
    else:
        typer.echo(text, color=True)  # click would strip what looks like ANSI styles


def _say_error(message: object) -> None:
    say(f"Error: {' '.join(cli_words(str(message)).split())}", err=True)


def fail(message: object, code: int = 1) -> NoReturn:
    """Inside a command: print `Error: …` on one line to stderr and exit with `code`."""
    _say_error(message)
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"expo-data {__version__}")
        raise typer.Exit()


@app.callback(
    epilog=examples(
        "expo-data validate                 # the package here, or the bundled one",
        "expo-data show winners -n 5        # the first rows of a resource",
        "expo-data init my-data/            # start a package from a folder of CSVs",
    )
)
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Validate, explore, document and release Frictionless Data Packages.

    Every command works on ./datapackage.json when the current folder has one, else on the
    bundled CHTF 2023 Smart City Expo package; -p/--package names another one.
    """


class _PlainArgument(TyperArgument):
    """An argument shown as its NAME in usage and help, like options' metavars (no `{NAME}`,
    no `<str>`): one placeholder style."""

    def get_usage_pieces(self, ctx: Any) -> list[str]:
        name = self.metavar or str(self.name).upper()
        return [name if self.required else f"[{name}]"]

    def display_type_rich(self, ctx: Any) -> str | None:
        return None


def command() -> Any:
    """The app as a click command (what `main` runs and the CLI reference documents)."""
    root = typer.main.get_command(app)
    todo = [root]
    while todo:
        current = todo.pop()
        todo += list(getattr(current, "commands", {}).values())
        for param in current.params:
            if type(param) is TyperArgument:
                param.__class__ = _PlainArgument
    return root


def main() -> None:
    """Entry point: run the app, translating library errors into `Error: …` and an exit code."""
    try:
        command()()
        code = 0
    except SystemExit as exc:  # typer's own exit, with its code
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        if isinstance(exc.code, str):
            _say_error(exc.code)
    except ExpoDataError as exc:
        _say_error(exc)
        code = exc.exit_code
    except OSError as exc:
        _say_error(os_error(exc))
        code = 2
    except KeyboardInterrupt:
        code = 130
    except MemoryError:
        _say_error("out of memory: the input is too large for this command; narrow it")
        code = 1
    except Exception as exc:  # a bug: one line still (EXPO_DATA_DEBUG=1 shows the traceback)
        if os.environ.get(DEBUG_ENV):
            raise
        _say_error(f"{type(exc).__name__}: {exc} (an expo-data bug: please report it)")
        code = 1
    _leave(code)


#: set to show the traceback of an unexpected error instead of its one line
DEBUG_ENV = "EXPO_DATA_DEBUG"
#: the fix for an OS error, by errno name
_OS_FIXES = {
    "ENAMETOOLONG": "a file name may have at most 255 bytes: use a shorter name",
    "ENOSPC": "the disk is full: free some space and run it again",
    "EFBIG": "the file is larger than this system allows it to be",
    "EACCES": "check the file's permissions",
    "EROFS": "the file system is read-only: pick another folder",
}


def os_error(exc: OSError) -> str:
    """An OS error as one line: the file, what went wrong, and the fix where there is one."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    where = f"{exc.filename}: " if exc.filename else ""
    fix = f"; {_OS_FIXES[name]}" if name in _OS_FIXES else ""
    return f"{where}{exc.strerror or exc}{fix}"


def _leave(code: int) -> NoReturn:
    """Exit with `code` without tearing the interpreter down.

    Native thread pools (Arrow's, DuckDB's) can abort a finished process while it shuts
    down ("terminate called without an active exception", apache/arrow#34314); every file
    is closed by now, so the output is flushed and the process ends at once.
    """
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a closed pipe or stream: nothing more to say
            stream.flush()
    if "expo_data.model.remote" in sys.modules:  # atexit does not run after os._exit
        from ..model.remote import remove_mirrors

        remove_mirrors()
    os._exit(code)
