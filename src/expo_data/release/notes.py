"""Rendering a package diff: a text summary, JSON, and Markdown release notes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..docs import escape

if TYPE_CHECKING:
    from .diff import PackageDiff, ResourceDiff

#: how many keys and cells the text and Markdown renderings list per resource
LIMIT = 50


def _side(info: Any) -> str:
    version = info.get("version") or "(no version)"
    return f"{info.get('name') or '?'} {version} ({info.get('spec')})"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _counts(r: ResourceDiff) -> str:
    parts = [
        f"{_plural(len(r.added), 'row')} added",
        f"{len(r.removed)} removed",
        f"{_plural(len(r.changed), 'cell')} changed",
        _plural(len(r.schema), "schema change"),
    ]
    multiset = "" if r.keyed else " (rows compared as a multiset: no primary key)"
    return ", ".join(parts) + multiset


def _key(key: tuple[str, ...]) -> str:
    return ", ".join(key)


def _verdict(d: PackageDiff) -> str:
    changed = [r for r in d.resources if r.status != "unchanged"]
    if not changed:
        return "no differences"
    kind = "breaking" if d.breaking else "not breaking"
    verb = "differs" if len(changed) == 1 else "differ"
    return f"{_plural(len(changed), 'resource')} {verb}; the changes are {kind}"


def render_text(d: PackageDiff, limit: int = LIMIT) -> str:
    """A readable summary with counts, then the first `limit` keys and cells per resource."""
    lines = [f"{_side(d.old)} → {_side(d.new)}"]
    for r in d.resources:
        if r.status == "unchanged":
            continue
        if r.status in ("added", "removed"):
            lines.append(f"{r.name}: resource {r.status}")
        else:
            lines.append(f"{r.name}: {_counts(r)}")
        for c in r.schema:
            where = f" {c.field}" if c.field else ""
            lines.append(f"  {'BREAKING ' if c.breaking else ''}{c.change}{where}: {c.detail}")
        for sign, keys in (("+", r.added), ("-", r.removed)):
            lines += [f"  {sign} {_key(k)}" for k in keys[:limit]]
            if len(keys) > limit:
                lines.append(f"  {sign} … and {len(keys) - limit} more")
        for c in r.changed[:limit]:
            lines.append(f"  ~ {_key(c.key)} {c.field}: {c.old!r} → {c.new!r}")
        if len(r.changed) > limit:
            lines.append(f"  ~ … and {len(r.changed) - limit} more")
    lines.append(_verdict(d))
    return "\n".join(lines)


def render_json(d: PackageDiff) -> str:
    """The diff as a JSON document (see PackageDiff.to_dict)."""
    return json.dumps(d.to_dict(), ensure_ascii=False, indent=2)


def _cell(value: Any) -> str:
    text = "" if value is None else json.dumps(value, ensure_ascii=False)
    return escape.cell(text) or "*(missing)*"


def _code(text: str) -> str:
    return escape.in_cell(escape.code(text))


def render_markdown(d: PackageDiff, *, level: int = 1, limit: int = LIMIT) -> str:
    """Release notes: a heading (at `level`), a summary table, then each changed resource."""
    h = "#" * level
    old, new = d.old.get("version") or "(no version)", d.new.get("version") or "(no version)"
    name = escape.text(d.new.get("name") or "the package")
    lines = [f"{h} Changes in {name} {escape.text(new)} (since {escape.text(old)})", ""]
    changed = [r for r in d.resources if r.status != "unchanged"]
    if not changed:
        return "\n".join([*lines, "No differences.", ""])
    lines += [
        f"**{'Breaking' if d.breaking else 'Not breaking'}**: {_verdict(d)}.",
        "",
        "| Resource | Status | Rows added | Rows removed | Cells changed | Schema changes |",
        "|---|---|---:|---:|---:|---|",
    ]
    for r in changed:
        codes = ", ".join(sorted({c.change for c in r.schema})) or "—"
        lines.append(
            f"| {_code(r.name)} | {r.status}{' (breaking)' if r.breaking else ''} | "
            f"{len(r.added)} | {len(r.removed)} | {len(r.changed)} | {codes} |"
        )
    for r in changed:
        lines += ["", f"{h}# {_code(r.name)}", ""]
        if not r.keyed and r.status == "changed":
            lines += ["No primary key: rows are compared as a multiset of whole rows.", ""]
        for c in r.schema:
            where = f" {_code(c.field)}" if c.field else ""
            mark = "**breaking** " if c.breaking else ""
            lines.append(f"- {mark}{_code(c.change)}{where}: {escape.text(c.detail)}")
        for what, keys in (("added", r.added), ("removed", r.removed)):
            if keys:
                shown = ", ".join(_code(_key(k)) for k in keys[:limit])
                more = f" … and {len(keys) - limit} more" if len(keys) > limit else ""
                lines.append(f"- Rows {what} ({len(keys)}): {shown}{more}")
        if r.changed:
            lines += ["", "| Key | Field | Old | New |", "|---|---|---|---|"]
            for c in r.changed[:limit]:
                lines.append(
                    f"| {_code(_key(c.key))} | {_code(c.field)} | {_cell(c.old)} | {_cell(c.new)} |"
                )
            if len(r.changed) > limit:
                lines += ["", f"… and {len(r.changed) - limit} more changed cells."]
    return "\n".join(lines) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
