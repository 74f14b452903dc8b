"""The package's CHANGELOG.md: one section per version, parsed, and written from a diff."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import PackageError

if TYPE_CHECKING:
    from ..model.descriptor import Package
    from .diff import PackageDiff

CHANGELOG = "CHANGELOG.md"
#: a version's section heading: `## 1.2.0 — 2026-11-27` (the date is optional)
HEADING = re.compile(r"^## (?P<version>\S+)(?: — (?P<date>\d{4}-\d{2}-\d{2}))?\s*$", re.M)
PREAMBLE = """\
# Changelog

Every version of the data package, newest first. A section is written by
`expo-data changelog --previous PREVIOUS` from the diff against the previous release (or
by hand); `expo-data changelog --check` fails when the current version has no section.
"""


@dataclass(frozen=True)
class Section:
    """One version's entry: version, date ('' when not given) and Markdown body."""

    version: str
    date: str
    body: str

    @property
    def summary(self) -> str:
        """The body's first paragraph on one line."""
        paragraph = self.body.strip().split("\n\n", 1)[0]
        return " ".join(paragraph.split())

    def text(self) -> str:
        date = f" — {self.date}" if self.date else ""
        return f"## {self.version}{date}\n\n{self.body.strip()}\n"


def parse_changelog(text: str) -> tuple[str, list[Section]]:
    """The text before the first section, and the sections in file order."""
    found = list(HEADING.finditer(text))
    preamble = text[: found[0].start()] if found else text
    sections = []
    for i, match in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        body = text[match.end() : end].strip("\n")
        sections.append(Section(match["version"], match["date"] or "", body))
    return preamble, sections


def read_changelog(folder: Path) -> list[Section] | None:
    """The sections of `folder`/CHANGELOG.md, or None when there is no such file."""
    path = folder / CHANGELOG
    if not path.is_file():
        return None
    try:
        return parse_changelog(path.read_text(encoding="utf-8"))[1]
    except (OSError, UnicodeDecodeError) as exc:
        raise PackageError(f"{path}: cannot read the changelog: {exc}") from None


def section(package: Package, changes: PackageDiff | None) -> Section:
    """The section for the package's version: the diff as release notes, or a first release."""
    date = str(package.descriptor.get("created", ""))[:10]
    date = date if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) else ""
    if changes is None:
        from ..read.tables import read_table

        rows = sum(read_table(r, package).num_rows for r in package.resources)
        count = len(package.resources)
        body = (
            f"First release: {count} resource{'s' if count != 1 else ''}, "
            f"{rows} row{'s' if rows != 1 else ''}."
        )
        return Section(package.version, date, body)
    from .notes import render_markdown

    notes = render_markdown(changes, level=3, limit=10).split("\n", 2)[2]  # drop the heading
    previous = changes.old.get("version") or "the previous release"
    kind = "Breaking changes" if changes.breaking else "Changes"
    body = (
        f"{kind} since {previous}.\n\n{notes.strip()}"
        if changes.changed
        else (f"No changes to the data or schemas since {previous}.")
    )
    return Section(package.version, date, body)


def update_changelog(
    path: Path, package: Package, changes: PackageDiff | None, *, check: bool = False
) -> bool:
    """Write (or, with `check`, only compare) the current version's section; True if stale.

    With `changes` the section is (re)generated from them; without, an existing section is
    kept as written and a missing one becomes a first-release entry. Sections stay newest first.
    """
    text = path.read_text(encoding="utf-8") if path.is_file() else PREAMBLE
    preamble, sections = parse_changelog(text)
    current = next((s for s in sections if s.version == package.version), None)
    if current is not None and changes is None:
        return False
    new = section(package, changes)
    if current is not None:
        sections[sections.index(current)] = new
    else:
        sections.insert(0, new)
    result = preamble.rstrip("\n") + "\n\n" + "\n".join(s.text() for s in sections)
    if result == text:
        return False
    if not check:
        path.write_text(result, encoding="utf-8")
    return True
