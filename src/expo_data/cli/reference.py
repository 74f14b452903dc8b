"""The CLI reference page (docs/cli.md), generated from the typer app: every command's help.

Importing `expo_data.cli` registers every command module, so new commands appear here.

Deterministic: the help is laid out at a fixed width, whatever the terminal. Regenerate with
`python -m expo_data.cli.reference docs/cli.md`; `--check` writes nothing and exits 1 when the
file differs (a test does the same).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from .app import command as app_command

#: columns the help is laid out in
WIDTH = 88
PROG = "expo-data"


def commands() -> list[tuple[str, Any, Any]]:
    """(name path, command, context) of the app and every command under it, in help order."""
    root = app_command()
    out = []

    def walk(command: Any, ctx: Any, path: str) -> None:
        out.append((path, command, ctx))
        for name in getattr(command, "list_commands", lambda _: [])(ctx):
            sub = command.get_command(ctx, name)
            if sub is None or getattr(sub, "hidden", False):
                continue
            walk(sub, _context(sub, name, ctx), f"{path} {name}")

    walk(root, _context(root, PROG, None), PROG)
    return out


def _context(command: Any, name: str, parent: Any) -> Any:
    settings = {**command.context_settings, "terminal_width": WIDTH, "max_content_width": WIDTH}
    return typer.Context(command, info_name=name, parent=parent, **settings)


def render() -> str:
    """The page: an index of the commands, then each one's `--help`."""
    found = commands()
    lines = [
        f"# `{PROG}` command reference",
        "",
        "Generated from the command line itself by `python -m expo_data.cli.reference "
        "docs/cli.md`; do not edit. `expo-data COMMAND --help` prints the same text.",
        "",
    ]
    for path, command, _ in found[1:]:
        summary = command.get_short_help_str(limit=WIDTH)
        lines.append(f"- [`{path}`](#{path.replace(' ', '-')}): {summary}")
    for path, command, ctx in found:
        help_text = command.get_help(ctx).rstrip()
        lines += ["", f"## {path}", "", "```text", help_text, "```"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """`python -m expo_data.cli.reference [--check] PATH`: write (or check) the page."""
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    paths = [a for a in args if a != "--check"]
    target = Path(paths[0] if paths else "docs/cli.md")
    page = render()
    current = target.read_text(encoding="utf-8") if target.is_file() else None
    if check:
        if current != page:
            print(f"stale: {target}; run `python -m expo_data.cli.reference {target}`")
            return 1
        print(f"{target} is up to date")
        return 0
    if current != page:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
        print(f"wrote: {target}")
    else:
        print(f"{target} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
