"""Release tags for the workflows: check a tag against the versions, find the previous release.

    python scripts/release_tag.py check v1.2.0     # exit 1 unless datapackage.json and
                                                   # pyproject.toml both say 1.2.0
    python scripts/release_tag.py previous v1.2.0  # prints the highest vX.Y.Z tag below it
    python scripts/release_tag.py latest           # prints the highest vX.Y.Z tag's version

Versions are printed without the `v`; nothing is printed when there is no such tag. Reads
the repository's tags with `git tag` (read-only).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import tomllib

TAG = re.compile(r"v(\d+)\.(\d+)\.(\d+)")


def _versions() -> list[tuple[int, int, int]]:
    tags = subprocess.run(
        ["git", "tag", "--list", "v*"], capture_output=True, text=True, check=True
    ).stdout.split()
    return sorted(tuple(map(int, m.groups())) for t in tags if (m := TAG.fullmatch(t)))


def _parse(tag: str) -> tuple[int, int, int]:
    found = TAG.fullmatch(tag)
    if not found:
        sys.exit(f"Error: tag {tag!r} is not vX.Y.Z")
    return tuple(map(int, found.groups()))  # type: ignore[return-value]


def check(tag: str) -> None:
    version = ".".join(map(str, _parse(tag)))
    descriptor = json.loads(Path("datapackage.json").read_text(encoding="utf-8"))
    project = tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = {"datapackage.json": descriptor.get("version"), "pyproject.toml": project["version"]}
    wrong = [f"{name} says {value!r}" for name, value in found.items() if value != version]
    if wrong:
        sys.exit(f"Error: tag {tag} is version {version} but {'; '.join(wrong)}")
    print(f"tag {tag} matches version {version}")


def main(argv: list[str]) -> None:
    if argv[:1] == ["check"] and len(argv) == 2:
        check(argv[1])
    elif argv[:1] == ["previous"] and len(argv) == 2:
        current = _parse(argv[1])
        below = [v for v in _versions() if v < current]
        if below:
            print(".".join(map(str, below[-1])))
    elif argv == ["latest"]:
        versions = _versions()
        if versions:
            print(".".join(map(str, versions[-1])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
