"""Escaping package text for generated Markdown, Mermaid and YAML: shown, never run or parsed."""

from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import quote

#: HTML (tags, entities, comments, autolinks: `<` and `&`) as entities; Markdown link,
#: image, code and fence syntax and backslashes escaped. Emphasis and lists stay
#: (descriptions may use Markdown).
_MARKDOWN = {
    "&": "&amp;",
    "<": "&lt;",
    "\\": "\\\\",
    "[": "\\[",
    "]": "\\]",
    "`": "\\`",
    "~": "\\~",
}
_MARKDOWN_TABLE = str.maketrans(_MARKDOWN)
#: characters that may not be printed raw: controls (but tab and newline), bidi overrides
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def text(value: object) -> str:
    """Package text inside Markdown prose, on one line: no HTML, link, code or fence in it."""
    return " ".join(block(value).split())


def line(value: object) -> str:
    """Package text on one line, controls dropped, for a fenced block it cannot then close."""
    return " ".join(_CONTROL.sub("", str(value)).split())


def block(value: object) -> str:
    """Package text as Markdown paragraphs (line breaks kept), escaped as `text` is."""
    return _CONTROL.sub("", str(value)).translate(_MARKDOWN_TABLE)


def cell(value: object) -> str:
    """Package text inside a Markdown table cell: one line, `|` escaped too."""
    return in_cell(text(value))


def in_cell(markdown: str) -> str:
    """Markdown made safe already (`code`, `text`) in a table cell: one line, `|` escaped."""
    return " ".join(markdown.split()).replace("|", "\\|")


def code(value: object) -> str:
    """Package text as inline code: a fence longer than any run of backticks in it, one line.

    Inside a table the `|` still needs `cell`'s escape, which GitHub removes in code too.
    """
    content = " ".join(_CONTROL.sub("", str(value)).split())
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if content.startswith("`") or content.endswith("`") or longest else ""
    return f"{fence}{pad}{content}{pad}{fence}" if content else "` `"


def link(label: object, target: object) -> str:
    """A Markdown link to package text `target` when it is a web or relative address; else
    the escaped label alone (no `javascript:` or `data:` link is made)."""
    address = str(target).strip()
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", address)
    if _CONTROL.search(address) or (scheme and scheme.group(1).lower() not in ("http", "https")):
        return text(label)
    return f"[{text(label)}]({quote(address, safe=URL_SAFE)})"


#: what stays as is in a link address: the reserved characters but the brackets
URL_SAFE = ":/?#@!$&'*+,;=%~-._"


def anchor(value: object) -> str:
    """A link target `#…` for package text: percent-encoded, so it cannot end the link."""
    return "#" + quote(str(value), safe="")


def mermaid_id(value: object) -> str:
    """A Mermaid identifier for package text: letters, digits and `_` only, unique per text.

    A name that needs changing gets a short hash of the original, so two names that
    differ only in the characters replaced stay two entities.
    """
    raw = str(value)
    safe = re.sub(r"[^A-Za-z0-9_]", "_", raw)
    if safe == raw and safe[:1].isalpha():
        return safe
    digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{'e_' if not safe[:1].isalpha() else ''}{safe[:40]}_{digest}"


def mermaid_label(value: object) -> str:
    """Package text inside a quoted Mermaid label: quotes and fence-breaking characters as
    Mermaid entity codes (`#quot;`), on one line."""
    content = " ".join(_CONTROL.sub("", str(value)).split())
    for char, entity in (
        ("#", "#35;"),
        ('"', "#quot;"),
        ("`", "#96;"),
        ("<", "#lt;"),
        (">", "#gt;"),
    ):
        content = content.replace(char, entity)
    return content


def yaml_scalar(value: object) -> str:
    """Package text as a YAML double-quoted scalar: every special character escaped."""
    dumped = json.dumps(str(value), ensure_ascii=False)  # JSON strings are YAML scalars
    return re.sub(
        "[\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", dumped
    )
