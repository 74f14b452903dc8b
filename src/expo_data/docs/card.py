"""The dataset card and its coverage chart, computed from the data."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape

from ..model.credits import citation
from .common import CHART, DICTIONARY, GENERATED, DocData, code, plural, table
from .escape import anchor, block, line, link, text

#: resources the card computes its coverage section and chart from (the CHTF shape)
CARD_RESOURCES = ("sources", "sessions", "awards", "winners")
PLACE_NOUNS = {
    "city": "cities",
    "county-level-city": "county-level cities",
    "urban-district": "districts",
}
#: the library's licence, on the card of expo-data's own (bundled) package only
CODE_LICENCE = "MIT"


def charted(awards: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The awards with winners named or a winner count reported."""
    return [a for a in awards if a["winners_named"] or a["winners_reported"] is not None]


def empty_segments(awards: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The segment categories announced with no winners named."""
    return [a for a in awards if a["kind"] == "segment-category" and not a["winners_named"]]


def _award(award: dict[str, Any]) -> str:
    return f"{text(award['name_zh_hant'])} ({code(award['id'])})"


def _licences(data: DocData) -> str:
    licences = [
        link(lic.get("name"), lic["path"]) if lic.get("path") else text(lic.get("name"))
        for lic in data.package.descriptor.get("licenses", [])
    ]
    return ", ".join(licences) or "not stated"


def dataset_card(data: DocData) -> str:
    """Markdown: what the dataset is, its source, coverage and gaps, licence, citation, versions.

    The source table needs a `sources` resource, the coverage section CARD_RESOURCES; a
    package without them gets the card without those sections.
    """
    package, descriptor = data.package, data.package.descriptor
    contents = f"{plural(len(package.resources), 'resource')}, {plural(data.total, 'row')}"
    ours = _is_bundled(data)
    code_row = [("Code licence", f"{CODE_LICENCE} (the `expo_data` library and CLI)")]
    sources = "its sources (see Source)" if descriptor.get("sources") else ""
    credit = f"Credit this dataset (see How to cite){' and ' + sources if sources else ''}."
    lines = [
        f"# Dataset card: {text(data.title)}",
        "",
        GENERATED,
        "",
        *table(
            ("", ""),
            [
                ("Name", code(package.name)),
                ("Version", text(package.version)),
                ("Contents", contents),
                ("Data licence", _licences(data)),
                *(code_row if ours else []),
                ("Keywords", ", ".join(text(k) for k in descriptor.get("keywords", []))),
            ],
        ),
        "",
        "## What it is",
        "",
        block(descriptor.get("description", "")),
        "",
        *table(
            ("Resource", "Rows", "Description"),
            [
                (
                    f"[{code(r.name)}]({DICTIONARY}{anchor(r.name)})",
                    data.count(r),
                    text(r.description),
                )
                for r in package.resources
            ],
        ),
        "",
        f"Every field with its type, constraints and an example: [data dictionary]({DICTIONARY}).",
        "",
        *_source(data),
        "",
        *([*_coverage(data), ""] if data.has(*CARD_RESOURCES) else []),
        "## Licence",
        "",
        f"- Data: {_licences(data)}. {credit}",
        *(
            [f"- Code (the `expo_data` library and CLI): {CODE_LICENCE}, see `LICENSE`."]
            if ours
            else []
        ),
        "",
        *_citation(data),
        "",
        *_version_history(data, contents),
    ]
    return "\n".join(lines) + "\n"


def _version_history(data: DocData, contents: str) -> list[str]:
    """One row per version: from CHANGELOG.md beside the package, else the current version."""
    from ..release.changelog import CHANGELOG, read_changelog

    package, sections = data.package, read_changelog(data.package.basepath)
    if sections is None:
        rows = [
            (text(package.version), text(str(package.descriptor.get("created", ""))[:10]), contents)
        ]
        note = ""
    else:
        rows = [(text(s.version), text(s.date), text(s.summary)) for s in sections]
        note = f" The changes of every version: `{CHANGELOG}`."
    return [
        "## Version history",
        "",
        *table(("Version", "Date", "Changes"), rows),
        "",
        "Each version is published as a checksummed Parquet release "
        f"(`expo-data release build`, `expo-data download`).{note}",
    ]


def _source(data: DocData) -> list[str]:
    lines = ["## Source", ""]
    for source in data.rows("sources") if data.has("sources") else ():
        facts = [
            ("Title", source.get("title")),
            ("Language", source.get("language")),
            ("File", code(source["file_name"]) if source.get("file_name") else None),
            ("SHA-256", code(source["sha256"]) if source.get("sha256") else None),
            ("Size", f"{source['bytes']} bytes" if source.get("bytes") is not None else None),
            ("Paragraphs", source.get("paragraph_count")),
            ("Publisher", source.get("publisher") or "not stated"),
            ("Published", source.get("published_date") or "not stated"),
        ]
        shown = [(k, v if k in ("File", "SHA-256") else text(v)) for k, v in facts if v is not None]
        lines += table(("", code(source.get("id"))), shown)
        lines += ["", block(source["notes"]), ""] if source.get("notes") else [""]
    lines += [
        f"Credit: {text(c['title'])}"
        for c in data.package.descriptor.get("sources", [])
        if c.get("title")
    ]
    return lines if len(lines) > 2 else [*lines, "Not stated in the package."]


def _coverage(data: DocData) -> list[str]:
    awards, winners = data.rows("awards"), data.rows("winners")
    partial = {True: "yes", False: "no", None: "no list"}
    lines = [
        "## Coverage and known gaps",
        "",
        f"![Award winners the source names vs the number it reports, per award]({CHART})",
        "",
        *table(
            ("Award", "Kind", "Reported", "Named", "List ends with 等"),
            [
                (
                    _award(a),
                    text(a["kind"]),
                    "not stated" if a["winners_reported"] is None else a["winners_reported"],
                    a["winners_named"],
                    partial[a["named_list_partial"]],
                )
                for a in charted(awards)
            ],
        ),
        "",
    ]
    gaps = []
    for a in charted(awards):
        noun = PLACE_NOUNS.get(a["place_level"] or "", "winners")
        if a["winners_reported"] is not None and a["winners_reported"] > a["winners_named"]:
            gaps.append(
                f"{_award(a)}: the source names only {a['winners_named']} of the "
                f"{a['winners_reported']} {noun} it reports."
            )
        elif a["awards_reported"] is not None:
            names = "、".join(
                text(w["winner_name_zh_hant"]) for w in winners if w["award_id"] == a["id"]
            )
            gaps.append(
                f"{_award(a)}: stands for {a['awards_reported']} awards won by "
                f"{plural(a['winners_named'], 'named winner')} ({names}); which awards they are "
                "and how they split between the winners is not stated."
            )
        elif a["winners_reported"] is None:
            gaps.append(f"{_award(a)}: {a['winners_named']} {noun} named, no total reported.")
    empty = empty_segments(awards)
    if empty:
        groups = " ".join(
            text(a["notes"]) for a in awards if a["kind"] == "award-group" and a["notes"]
        )
        gaps.append(
            f"{plural(len(empty), 'segment category', 'segment categories')} "
            f"({'、'.join(text(a['name_zh_hant']) for a in empty)}) are announced with no winners "
            f"named and no counts given. {groups}".strip()
        )
    gaps += [*_dates(data), *_partial_lists(data), *_english_names(data), _notes(data)]
    return lines + [f"- {gap}" for gap in gaps]


def _dates(data: DocData) -> list[str]:
    sessions = data.rows("sessions")
    dated = [s for s in sessions if s.get("date") or s.get("end_date")]
    stated = "; ".join(
        f"{code(s['id'])} "
        + (f"from {s['date']}" if s.get("date") else "start not stated")
        + (f", ends {s['end_date']}" if s.get("end_date") else ", end not stated")
        for s in dated
    )
    gaps = [
        f"Dates: {len(dated)} of {plural(len(sessions), 'session')} "
        f"{'has' if len(dated) == 1 else 'have'} a date ({stated or 'none'}); "
        "no other session's date is stated."
    ]
    for source in data.rows("sources"):
        unstated = [k for k in ("publisher", "published_date") if not source.get(k)]
        if unstated:
            gaps.append(f"Source {code(source['id'])}: {' and '.join(unstated)} not stated.")
    return gaps


def _partial_lists(data: DocData) -> list[str]:
    """Resources with a `list_marked_partial` field: rows from printed lists that end in 等."""
    gaps = []
    for resource in data.package.resources:
        if "list_marked_partial" not in resource.schema.names:
            continue
        partial = sum(1 for r in data.rows(resource.name) if r["list_marked_partial"])
        if partial:
            gaps.append(
                f"{text(resource.name)}: {partial} of {plural(data.count(resource), 'row')} "
                "come from a printed list that ends with 等, so that list is incomplete."
            )
    return gaps


def _english_names(data: DocData) -> list[str]:
    counts = [
        f"{text(r.name)} {data.filled(r, 'name_en')}/{data.count(r)}"
        for r in data.package.resources
        if "name_en" in r.schema.names
    ]
    if not counts:
        return []
    return [
        "English names are given only where an established one exists: " + ", ".join(counts) + "."
    ]


def _notes(data: DocData) -> str:
    noted = {r.name: data.filled(r, "notes") for r in data.package.resources}
    return (
        f"{sum(noted.values())} rows carry a curator's note on what the source leaves uncertain "
        "(the `notes` field): "
        + ", ".join(f"{text(name)} {count}" for name, count in noted.items() if count)
        + "."
    )


def _is_bundled(data: DocData) -> bool:
    """Whether the package is expo-data's own (the one the library's licence goes with)."""
    from ..errors import ExpoDataError
    from ..model.descriptor import read_descriptor

    try:
        return data.package.name == read_descriptor(None)[1].get("name")
    except ExpoDataError:
        return False


def _citation(data: DocData) -> list[str]:
    """How to cite: authors from `contributors`, year from `created` (left out when unknown)."""
    package = data.package
    cited, bib = citation(
        package.descriptor, data.title, inline=text, emphasis=lambda t: f"*{t}*", line=line
    )
    # inside the fence every value is kept to one line: no line can close it
    lines = ["## How to cite", "", f"> {cited}", "", "```bibtex", *bib, "```"]
    if _is_bundled(data) or (package.basepath / "CITATION.cff").is_file():
        lines += [
            "",
            "The repository's `CITATION.cff` holds the citation in machine-readable form.",
        ]
    return lines


# --- the coverage chart: plain SVG, integer geometry, no timestamps -------------------------

WIDTH, LABEL_X, BAR_X, BAR_MAX, ROW, TOP = 760, 16, 300, 300, 46, 64
NAMED, REPORTED, INK, MUTED = "#2b6cb0", "#cbd5e0", "#1a202c", "#4a5568"
FONT = "system-ui, -apple-system, 'Segoe UI', 'Noto Sans CJK SC', 'PingFang SC', sans-serif"


def coverage_svg(data: DocData) -> str:
    """An SVG bar chart: per award, the winners the source names against those it reports."""
    awards = data.rows("awards")
    bars, empty = charted(awards), len(empty_segments(awards))
    scale = max([1, *(max(a["winners_named"], a["winners_reported"] or 0) for a in bars)])
    height = TOP + ROW * len(bars) + (48 if empty else 24)
    title = "Award winners: named in the source vs reported"
    summary = "; ".join(f"{a['id']}: {_bar_label(a)}" for a in bars)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="title desc" '
        f'font-family="{escape(FONT)}">',
        f'<title id="title">{escape(title)}</title>',
        f'<desc id="desc">{escape(summary)}</desc>',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        _text(LABEL_X, 26, title, 16, INK, ' font-weight="bold"'),
        _rect(BAR_X, 38, 12, 12, NAMED),
        _text(BAR_X + 18, 48, "named", 12, MUTED),
        _rect(BAR_X + 80, 38, 12, 12, REPORTED),
        _text(BAR_X + 98, 48, "reported", 12, MUTED),
    ]
    for i, a in enumerate(bars):
        y = TOP + i * ROW
        named, reported = _length(a["winners_named"], scale), _length(a["winners_reported"], scale)
        out += [
            _text(LABEL_X, y + 14, a["name_zh_hant"], 13, INK),
            _text(LABEL_X, y + 30, a["id"], 11, MUTED),
        ]
        if a["winners_reported"] is not None:
            out.append(_rect(BAR_X, y + 4, reported, 22, REPORTED))
        out.append(_rect(BAR_X, y + 4, named, 22, NAMED))
        out.append(_text(BAR_X + max(named, reported) + 8, y + 20, _bar_label(a), 12, INK))
    if empty:
        note = f"+ {plural(empty, 'segment category', 'segment categories')}: no winners named, no counts reported"
        out.append(_text(LABEL_X, TOP + ROW * len(bars) + 16, note, 12, MUTED))
    return "\n".join([*out, GENERATED, "</svg>"]) + "\n"  # the marker `write_docs` looks for


def _bar_label(award: dict[str, Any]) -> str:
    named, reported = award["winners_named"], award["winners_reported"]
    if reported is not None:
        return f"{named} of {reported} named"
    if award["awards_reported"] is not None:
        return f"{named} named · {award['awards_reported']} awards, split not stated"
    return f"{named} named · total not reported"


def _length(value: int | None, scale: int) -> int:
    return round((value or 0) * BAR_MAX / scale)


def _rect(x: int, y: int, width: int, height: int, fill: str) -> str:
    return f'<rect x="{x}" y="{y}" width="{width}" height="{height}" fill="{fill}"/>'


def _text(x: int, y: int, text: str, size: int, fill: str, extra: str = "") -> str:
    return f'<text x="{x}" y="{y}" font-size="{size}" fill="{fill}"{extra}>{escape(text)}</text>'
