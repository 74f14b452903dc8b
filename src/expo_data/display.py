"""Rendering rows for people and programs: aligned tables by display width, CSV, JSON."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any


def _text(value: Any) -> str:
    """A value as plain text: booleans as the Table Schema writes them, NULL as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    return str(value)


def width(text: str) -> int:
    """Columns `text` takes in a terminal: CJK and emoji take two, combining marks none."""
    from rich.cells import cell_len

    return cell_len(text)


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` terminal columns, ending in `…` where it was cut."""
    if width(text) <= limit:
        return text
    out, used = [], 0
    for char in text:
        if used + width(char) > limit - 1:
            break
        out.append(char)
        used += width(char)
    return "".join(out) + "…"


#: control characters as escapes, so one row stays one line
_CONTROL = {c: f"\\x{c:02x}" for c in [*range(32), 127]} | {9: "\\t", 10: "\\n", 13: "\\r"}


#: what a terminal would act on rather than show: C0 and C1 controls (but tab and newline),
#: DEL, and the bidirectional overrides that reorder what is shown
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return {13: "\\r"}.get(code, f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}")


def printable(text: str) -> str:
    """`text` safe to print to a terminal: escape sequences and control characters shown as
    `\\xNN` escapes (tabs and newlines kept), so data and paths cannot drive the terminal."""
    return _UNPRINTABLE.sub(_escape, text)


def _cell(text: str, max_width: int | None) -> str:
    """A cell for one line of a table: control characters escaped, clipped to `max_width`."""
    text = text.translate(_CONTROL)
    return clip(text, max_width) if max_width else text


def render_table(
    columns: Sequence[str], rows: Sequence[tuple], *, max_width: int | None = None
) -> str:
    """Aligned plain text: a header, a rule, one line per row; numbers right-aligned.

    Columns line up by display width (Chinese, Japanese, Korean and emoji take two columns);
    `max_width` clips longer cells with `…`. Control characters show as escapes.
    """
    if not columns:
        return ""
    heads = [_cell(str(c), max_width) for c in columns]
    cells = [[_cell(_text(v), max_width) for v in row] for row in rows]
    widths = [max([width(c), *(width(r[i]) for r in cells)]) for i, c in enumerate(heads)]
    numeric = [
        bool(rows)
        and all(
            isinstance(r[i], int | float | Decimal) and not isinstance(r[i], bool)
            for r in rows
            if r[i] is not None
        )
        for i in range(len(columns))
    ]

    def line(values: Sequence[str]) -> str:
        padded = []
        for value, room, right in zip(values, widths, numeric, strict=True):
            pad = " " * (room - width(value))
            padded.append(pad + value if right else value + pad)
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(heads), rule, *(line(r) for r in cells)])


#: what a spreadsheet takes for the start of a formula (OWASP's CSV injection list)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: Any) -> Any:
    """A text value a spreadsheet would run as a formula, prefixed with `'`; others as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def render_csv(columns: Sequence[str], rows: Sequence[tuple], *, excel_safe: bool = False) -> str:
    """CSV with a header row (LF line endings, NULL as an empty cell).

    `excel_safe` prefixes text starting with = + - @ tab or CR with `'`, so a spreadsheet
    shows it instead of running it as a formula (numbers are left as they are); values
    then differ from the data, so it is off by default.
    """
    if not columns:
        return ""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    safe = defuse if excel_safe else (lambda v: v)
    writer.writerow([safe(c) for c in columns])
    writer.writerows([_text(safe(v)) for v in row] for row in rows)
    return out.getvalue().removesuffix("\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)


def render_json(columns: Sequence[str], rows: Sequence[tuple]) -> str:
    """A JSON array with one object per row (UTF-8, Chinese kept as is)."""
    records = [dict(zip(columns, row, strict=True)) for row in rows]
    return json.dumps(records, ensure_ascii=False, indent=2, default=_json_default)


FORMATS: dict[str, Callable[[Sequence[str], Sequence[tuple]], str]] = {
    "table": render_table,
    "csv": render_csv,
    "json": render_json,
}
