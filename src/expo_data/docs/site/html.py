"""HTML building blocks of the site: escaping, stable anchors, cell text, languages, the page."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from ...model.descriptor import Field

#: a field property naming the language of its cells (a BCP 47 tag such as "zh-Hant")
LANG_PROPERTY = "expo:lang"
#: ISO 15924 scripts recognised in the `_<language>_<script>` field-name suffix convention
SCRIPTS = ("arab", "cyrl", "deva", "grek", "hans", "hant", "hebr", "hira", "jpan", "kana", "kore", "latn", "thai")  # fmt: skip
SUFFIX = re.compile(rf"_([a-z]{{2,3}})_({'|'.join(SCRIPTS)})$")
NUMERIC = ("integer", "number", "year")
_ANCHOR_SAFE = re.compile(r"[A-Za-z0-9_-]")
_FILE_SAFE = re.compile(r"[a-z0-9_-]")


def esc(text: object) -> str:
    """Text safe in HTML content and in double- or single-quoted attributes."""
    return escape(str(text), quote=True)


def _encode(text: str, safe: re.Pattern[str]) -> str:
    return "".join(
        ch if safe.fullmatch(ch) else "".join(f"~{b:02X}" for b in ch.encode("utf-8"))
        for ch in text
    )


def anchor(values: Sequence[str | None]) -> str:
    """The id of a row with these key values: `row-` + each value encoded, joined by `.`.

    Letters, digits, `_` and `-` stay; every other character becomes `~XX` per UTF-8 byte
    (so `.` and `~` never occur inside a value); a missing value is a lone `~`. The id is
    stable, unique per key, and needs no escaping in a URL fragment or a CSS selector.
    """
    return "row-" + ".".join("~" if v is None else _encode(v, _ANCHOR_SAFE) for v in values)


def file_name(name: str) -> str:
    """A resource's page file name: lowercase ASCII letters, digits, `_`, `-` kept, the rest `~XX`.

    Upper case is encoded too, so two names never share a file on a case-insensitive disk.
    """
    return _encode(name, _FILE_SAFE) + ".html"


def cell_text(value: object) -> str | None:
    """A typed value as displayed: the Table Schema's lexical form (None for missing)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "INF" if value > 0 else "-INF"
        text = repr(value)  # the shortest text that reads back as the same number
        return text.removesuffix(".0")
    if isinstance(value, (dt.date, dt.time, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (int, Decimal, str)):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def field_lang(field: Field) -> str:
    """The language of a field's cells: its `expo:lang` property, else its name's suffix.

    The suffix convention is `_<language>_<script>` with an ISO 15924 script code:
    `name_zh_hant` → `zh-Hant`, `name_zh_hans` → `zh-Hans`. "" when neither says.
    """
    declared = field.descriptor.get(LANG_PROPERTY)
    if isinstance(declared, str) and declared.strip():
        return declared.strip()
    match = SUFFIX.search(field.name.lower())
    return f"{match[1]}-{match[2].title()}" if match else ""


def lang_attr(lang: str) -> str:
    return f' lang="{esc(lang)}"' if lang else ""


def table(
    header: Iterable[str], rows: Iterable[Iterable[str]], *, caption: str = "", cls: str = ""
) -> str:
    """A table from header texts (escaped) and rows of cells that are already HTML."""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in header)
    body = "\n".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    klass = f' class="{cls}"' if cls else ""
    return f"<table{klass}>{cap}<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table>"


def human_bytes(size: int) -> str:
    """1234 → `1.2 kB` (decimal units)."""
    value, unit = float(size), "B"
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            break
        value /= 1000
    return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"


#: Only files of the site itself: no network at all, no inline script or style.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'none'; form-action 'none'; base-uri 'none'"
)


def page(*, title: str, site_title: str, root: str, body: str, footer: str) -> str:
    """A whole HTML page; `root` is the relative path to the site root ("" or "../")."""
    nav = (
        f'<a class="brand" href="{root}index.html">{esc(site_title)}</a>'
        f'<a href="{root}index.html#resources">Resources</a>'
        f'<a href="{root}index.html#relationships">Relationships</a>'
        f'<a href="{root}downloads.html">Downloads</a>'
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        f"<title>{esc(title)}</title>\n"
        f'<link rel="stylesheet" href="{root}assets/site.css">\n'
        f'<script src="{root}assets/site.js" defer></script>\n'
        "</head>\n<body>\n"
        '<a class="skip" href="#main">Skip to content</a>\n'
        f'<header class="top"><nav aria-label="Site">{nav}</nav></header>\n'
        f'<main id="main">\n{body}\n</main>\n'
        f"<footer>{footer}</footer>\n</body>\n</html>\n"
    )
