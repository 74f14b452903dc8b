"""Who made a package and when, as its descriptor says: the one source of credits and citations."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

#: contributor roles that make an author (a Zenodo creator); the others are contributors
CREATOR_ROLES = frozenset({"author", "creator"})
#: what the card, citation, site and zenodo.json are made from, in the order to ask for it
CITED = ("title", "description", "version", "licenses", "contributors", "created")


def roles(person: Mapping[str, Any]) -> set[str]:
    """A contributor's roles (v2 `roles`, v1 `role`; default `contributor`)."""
    found = person.get("roles") or [person.get("role", "contributor")]
    return {str(r).lower() for r in found}


def person_name(person: Mapping[str, Any]) -> str:
    """`Given Family` when the parts are known, else the title, name or organization."""
    if person.get("familyName"):
        return f"{person.get('givenName', '')} {person['familyName']}".strip()
    return str(person.get("title") or person.get("name") or person.get("organization") or "")


def contributors(descriptor: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The descriptor's contributors that name someone."""
    people = descriptor.get("contributors")
    if not isinstance(people, list):
        return []
    return [p for p in people if isinstance(p, Mapping) and person_name(p)]


def creators(descriptor: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The authors: contributors with an author or creator role, else every contributor."""
    people = contributors(descriptor)
    return [p for p in people if roles(p) & CREATOR_ROLES] or people


def authors(descriptor: Mapping[str, Any]) -> str:
    """The authors' names for a citation (`A and B`), or "" when the descriptor names none."""
    return " and ".join(person_name(p) for p in creators(descriptor))


def year(descriptor: Mapping[str, Any]) -> str:
    """The year of `created` (`2023`), or ""."""
    created = str(descriptor.get("created") or "")[:4]
    return created if created.isdigit() else ""


def missing_metadata(descriptor: Mapping[str, Any]) -> list[str]:
    """The properties a publisher should add for a complete card, citation and zenodo.json."""
    missing = []
    for key in CITED:
        value = contributors(descriptor) if key == "contributors" else descriptor.get(key)
        if key == "created":
            value = year(descriptor)
        if not value:
            missing.append(key)
    return missing


def metadata_warning(descriptor: Mapping[str, Any], where: object) -> str | None:
    """One line naming what `where` (a descriptor) lacks, or None when nothing is missing."""
    missing = missing_metadata(descriptor)
    if not missing:
        return None
    return (
        f"Warning: {where} has no {', '.join(missing)}: add "
        f"{'it' if len(missing) == 1 else 'them'} so the dataset card, "
        "citation, site and zenodo.json can credit and date the data (contributors: "
        '[{"title": "Your Name", "roles": ["author"]}], created: "2024-01-31")'
    )


def licence_names(descriptor: Mapping[str, Any]) -> str:
    """The licences' names (`CC-BY-4.0, ODbL-1.0`), or ""."""
    found = descriptor.get("licenses")
    names = (
        [str(x.get("name") or "") for x in found if isinstance(x, Mapping)]
        if isinstance(found, list)
        else []
    )
    return ", ".join(n for n in names if n)


def citation(
    descriptor: Mapping[str, Any],
    title: str,
    *,
    inline: Callable[[object], str] = str,
    emphasis: Callable[[str], str] = str,
    line: Callable[[object], str] = str,
) -> tuple[str, list[str]]:
    """The citation as one line of text and as BibTeX lines, authors and year left out when
    the descriptor does not say. `inline` escapes values in the text (`emphasis` marks the
    title), `line` those in the BibTeX (kept to one line each)."""
    author, when = authors(descriptor), year(descriptor)
    version, licence = str(descriptor.get("version") or ""), licence_names(descriptor)
    lead = f"{inline(author)} ({inline(when)})" if author and when else inline(author or when)
    lead = f"{lead}. " if lead else ""
    edition = f" (version {inline(version)})" if version else ""
    text = f"{lead}{emphasis(inline(title))}{edition} [Data set]. {inline(licence)}"
    name = str(descriptor.get("name") or "dataset")
    bib = [f"@misc{{{line(name)},", f"  title   = {{{line(title)}}},"]
    for key, value in (
        ("author", f"{{{line(author)}}}"),
        ("year", line(when)),
        ("version", line(version)),
    ):
        if value.strip("{}"):
            bib.append(f"  {key:<7} = {{{value}}},")
    note = f"Frictionless Data Package, {licence}" if licence else "Frictionless Data Package"
    return text.rstrip(". ") + ".", [*bib, f"  note    = {{{line(note)}}}", "}"]
