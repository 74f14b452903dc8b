"""How to fix a finding: the hint its message ends with, and a wrong header told once.

A hint names the expected format (type errors), the key and the row that first held it
(repeated keys), the nearest existing key (foreign keys). frictionless' words come first, unchanged, so a message still starts as frictionless words it;
the hint follows after "; " (`catalogue.finding(..., fix=hint)`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from .catalogue import EXTRA_CELL, INCORRECT_LABEL, MISSING_CELL, with_fix

if TYPE_CHECKING:
    from ..model.descriptor import Field
    from .report import Finding

#: the most distinct referenced keys searched for a near match (more: no suggestion)
MAX_CANDIDATES = 20_000
#: the most distinct missing keys of one foreign key that get a suggestion
MAX_SEARCHES = 50
#: how alike a missing key and an existing one must be to be suggested (difflib's ratio)
CUTOFF = 0.75

_DEFAULT_FORMATS = {
    "date": "YYYY-MM-DD (e.g. 2023-10-25)",
    "datetime": "YYYY-MM-DDThh:mm:ss, with an optional Z or UTC offset",
    "time": "hh:mm:ss",
    "year": "a four-digit year (e.g. 2023)",
    "yearmonth": "YYYY-MM",
    "duration": "an ISO 8601 duration (e.g. P1Y2M10D)",
    "geojson": "a GeoJSON object",
    "object": "a JSON object",
    "array": "a JSON array",
    "any": "any value",
}
_STRING_FORMATS = {
    "email": "an email address",
    "uri": "a URI (e.g. https://example.org/)",
    "uuid": "a UUID",
    "binary": "base64-encoded bytes",
}
_GEOPOINT = {
    "default": '"LON, LAT" (e.g. "113.9, 22.5")',
    "array": "[LON, LAT]",
    "object": '{"lon": LON, "lat": LAT}',
}


def expected(field: Field) -> str:
    """What a cell of the field must look like, as a type error's hint says it."""
    kind, fmt, raw = field.type, field.format or "default", field.descriptor
    if kind in ("date", "datetime", "time") and fmt not in ("default", "any"):
        return f"expected the format {fmt}"
    if kind == "integer":
        return "expected a whole number (e.g. 42)" + _bare(raw)
    if kind == "number":
        decimal = raw.get("decimalChar", ".")
        group = f', thousands grouped by "{raw["groupChar"]}"' if raw.get("groupChar") else ""
        return f'expected a number (e.g. 3{decimal}14; decimal mark "{decimal}"{group})' + _bare(
            raw
        )
    if kind == "boolean":
        values = [*raw.get("trueValues", ["true", "True", "TRUE", "1"])]
        values += raw.get("falseValues", ["false", "False", "FALSE", "0"])
        return "expected one of " + ", ".join(f'"{v}"' for v in values)
    if kind == "geopoint":
        return f"expected {_GEOPOINT.get(fmt, _GEOPOINT['default'])}"
    if kind == "list":
        return f'expected values separated by "{raw.get("delimiter", ",")}"'
    if kind == "string":
        return f"expected {_STRING_FORMATS.get(fmt, 'text')}"
    return f"expected {_DEFAULT_FORMATS.get(kind, f'a {kind}')}"


def _bare(raw: dict) -> str:
    return "" if raw.get("bareNumber", True) else ", currency signs and % allowed"


def repeated(key: str, first: int, before: int) -> str:
    """A repeated key's hint: the key, and the row that first held it."""
    where = f"row {first}" if first == before else f"row {first} (and row {before} since)"
    return f'key "{key}" first held by {where}: keep one row per key'


def nearest(missing: str, candidates: Iterable[str]) -> str:
    """A foreign key's hint: the existing key most like the missing one, if one is close."""
    close = difflib.get_close_matches(missing, list(candidates), n=1, cutoff=CUTOFF)
    return f'did you mean "{close[0]}"?' if close else ""


def one_per_header(
    findings: list[Finding], fields: dict[str, int], rows: dict[str, int], limit: int
) -> list[Finding]:
    """The findings, with a wrong header told once rather than once per row or label.

    Where every data row (every row read, where `limit` cut the resource) has the same extra
    or missing cells and nothing else wrong, the header, not the rows, is shifted: the first row's findings stay,
    saying so, and the other rows' go. Where no label of a resource's header is a field name
    (`fields`: the number of fields), the header row is missing: the first `incorrect-label`
    stays, saying so. A deliberate difference from frictionless, which repeats them.
    """
    by_resource: dict[str, list[Finding]] = {}
    for f in findings:
        by_resource.setdefault(f.resource, []).append(f)
    dropped: set[int] = set()
    fixed: dict[int, Finding] = {}
    for name, found in by_resource.items():
        ragged: dict[int, list[Finding]] = {}
        for f in found:
            if f.code in (EXTRA_CELL, MISSING_CELL) and f.row is not None:
                ragged.setdefault(f.row, []).append(f)
        shapes = {tuple((f.code, f.field) for f in row) for row in ragged.values()}
        cut = len(found) >= limit
        every = sorted(ragged) == list(range(2, len(ragged) + 2))  # the first rows, each
        every &= {f.row for f in found if (f.row or 0) > 1} == set(ragged)  # and nothing else
        if (
            len(ragged) > 1
            and len(shapes) == 1
            and every
            and (cut or len(ragged) == rows.get(name))
        ):
            first, *others = sorted(ragged)
            n = "every row" if not cut else f"each of the first {len(ragged)} rows"
            hint = f"{n} has it: the header seems shifted; give it one label per column"
            for f in ragged[first]:
                fixed[id(f)] = replace(f, message=with_fix(f.message, hint))
            dropped.update(id(f) for row in others for f in ragged[row])
        labels = [f for f in found if f.code == INCORRECT_LABEL and f.row == 1]
        if len(labels) > 1 and len(labels) == fields.get(name):
            hint = "no label is a field name: is the header row missing?"
            fixed[id(labels[0])] = replace(labels[0], message=with_fix(labels[0].message, hint))
            dropped.update(id(f) for f in labels[1:])
    return [fixed.get(id(f), f) for f in findings if id(f) not in dropped]
