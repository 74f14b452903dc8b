"""Write the pip constraints that pin every dependency of pyproject.toml at its declared floor.

    python scripts/floors.py [--extra sql] [OUT]      # default OUT: standard output

Each `name>=X` of `[project] dependencies` (and of the extras named) becomes `name==X`, so
`pip install -c OUT -e .` installs the oldest versions the project claims to support, and
the tests `.ci/run` runs there (FLOORS_TESTS) show whether the claim holds. A dependency
without a `>=` floor is an error: every one must declare the oldest version it was tested at.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*)")


def floors(pyproject: Path, extras: list[str]) -> list[str]:
    """`name==floor` for each dependency (and each of `extras`' dependencies), in order."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        raise SystemExit("Error: scripts/floors.py needs Python 3.11 or later (tomllib)") from None

    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = list(project.get("dependencies", []))
    optional = project.get("optional-dependencies", {})
    for extra in extras:
        if extra not in optional:
            raise SystemExit(f"Error: {pyproject} has no extra {extra!r}")
        requirements += optional[extra]
    pins: dict[str, str] = {}
    for requirement in requirements:
        match = REQUIREMENT.match(requirement)
        if not match:
            raise SystemExit(f"Error: {pyproject}: cannot read the requirement {requirement!r}")
        name, specifiers = match[1].lower().replace("_", "-"), match[2]
        floor = next(
            (s.strip()[2:].strip() for s in specifiers.split(",") if s.strip().startswith(">=")),
            None,
        )
        if floor is None:
            raise SystemExit(f"Error: {pyproject}: {requirement!r} declares no >= floor")
        pins.setdefault(name, floor)
    return [f"{name}=={floor}" for name, floor in pins.items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", help="file to write (default: standard output)")
    parser.add_argument("--extra", action="append", default=[], help="an extra to pin too")
    parser.add_argument("--pyproject", type=Path, default=ROOT / "pyproject.toml")
    args = parser.parse_args(argv)
    text = "".join(f"{pin}\n" for pin in floors(args.pyproject, args.extra))
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
