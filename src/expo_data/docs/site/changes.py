"""The release history beside a package (CHANGELOG.md, CHANGES.md) rendered as safe HTML."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

#: where a package keeps its release history, in the order they are looked for
HISTORY_FILES = ("CHANGELOG.md", "CHANGES.md")


def find_history(folder: Path) -> Path | None:
    """The release history file in the package's folder, if there is one."""
    for name in HISTORY_FILES:
        candidate = folder / name
        if candidate.is_file() and not candidate.is_symlink():
            return candidate
    return None


def render_markdown(text: str) -> str:
    """CommonMark as HTML: raw HTML escaped, only absolute http(s) and in-page links kept.

    A relative or in-page link or image would point nowhere in the site: it becomes its text.
    """
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False})
    tokens = md.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):  # below the page's own headings
            token.tag = f"h{min(6, int(token.tag[1]) + 3)}"
        kept: list[bool] = []
        for child in token.children or ():
            if child.type == "link_open":
                kept.append(_absolute(str(child.attrGet("href") or "")))
                if not kept[-1]:
                    child.tag, child.attrs = "span", {}
            elif child.type == "link_close" and not (kept.pop() if kept else False):
                child.tag = "span"
            elif child.type == "image" and not _absolute(str(child.attrGet("src") or "")):
                child.type, child.children = "text", None
    return md.renderer.render(tokens, md.options, {})


def _absolute(url: str) -> bool:
    return url.startswith(("https://", "http://", "mailto:"))
