"""Every finding code once: its level, origin, message template and what it means.

Engines build findings here (`finding`), never by writing a code or a message themselves; a
code's constant (`TYPE_ERROR`…) is the only place its string is written. Levels say what a
finding is about: the `package` descriptor, a whole `resource`, its `header`, a `row` or a
`cell`. Origin `frictionless` means frictionless-py reports the code (the engines match its
rows, fields and, where the template says so, words); `expo-data` means only expo-data does.
`docs/findings.md` is generated from this table (`python -m expo_data.validation.catalogue`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .report import Finding

if TYPE_CHECKING:
    from collections.abc import Mapping

FRICTIONLESS, PROJECT = "frictionless", "expo-data"
LEVELS = ("package", "resource", "header", "row", "cell")
#: what separates a message's words (frictionless' where it reports the code) from the fix
FIX_SEPARATOR = "; "
#: the generated page listing every code
PAGE = "docs/findings.md"
#: characters of a cell quoted in a message (frictionless' messages are cut so too)
MAX_CELL = 60


@dataclass(frozen=True)
class Entry:
    """One finding code: where it applies, who else reports it, how it is worded."""

    code: str
    level: str  # one of LEVELS
    origin: str  # FRICTIONLESS or PROJECT
    template: str  # str.format template of the message ("{note}": worded by the caller)
    means: str  # one line for the docs


CATALOGUE: dict[str, Entry] = {}


def _code(code: str, level: str, origin: str, template: str, means: str) -> str:
    CATALOGUE[code] = Entry(code, level, origin, template, means)
    return code


# -- the descriptor ------------------------------------------------------------------------------
PACKAGE_ERROR = _code(
    "package-error", "package", FRICTIONLESS, "{note}",
    "the package descriptor cannot be read, or breaks the Data Package spec",
)  # fmt: skip
SCHEMA_ERROR = _code(
    "schema-error", "package", FRICTIONLESS, "{note}", "a Table Schema breaks the spec"
)  # fmt: skip
FIELD_ERROR = _code(
    "field-error", "package", FRICTIONLESS, "{note}", "a field descriptor breaks the spec"
)  # fmt: skip
PROFILE_ERROR = _code(
    "profile-error", "package", PROJECT, "{note}",
    "`expo:checks` or `expo:citations` is malformed, or names an unknown check",
)  # fmt: skip
UNSAFE_PATH = _code(
    "unsafe-path", "package", PROJECT, "{note}",
    "a path outside the package or a URL, not read without trusted=True (--allow-remote)",
)  # fmt: skip

# -- a whole resource ---------------------------------------------------------------------------
SCHEME_ERROR = _code(
    "scheme-error", "resource", FRICTIONLESS,
    "The data source could not be successfully loaded: {note}",
    "the file cannot be opened (missing, unreadable, not fetched)",
)  # fmt: skip
ENCODING_ERROR = _code(
    "encoding-error", "resource", FRICTIONLESS,
    "The data source could not be successfully decoded: {note}",
    "the file is not in its declared encoding (one finding, naming the first bad byte's line)",
)  # fmt: skip
SOURCE_ERROR = _code(
    "source-error", "resource", FRICTIONLESS,
    "The data source has not supported or has inconsistent contents: {note}",
    "the file is empty, corrupt or not in its declared format",
)  # fmt: skip
RESOURCE_ERROR = _code(
    "resource-error", "resource", FRICTIONLESS, "The data resource has an error: {note}",
    "the resource cannot be checked (e.g. its foreign key names a resource that is not there)",
)  # fmt: skip
HASH_COUNT = _code(
    "hash-count", "resource", FRICTIONLESS,
    "The data source does not match the expected hash count: {note}",
    "the file's hash differs from the descriptor's `hash` (or the release manifest's sha256)",
)  # fmt: skip
BYTE_COUNT = _code(
    "byte-count", "resource", FRICTIONLESS,
    "The data source does not match the expected byte count: {note}",
    "the file's size differs from the descriptor's `bytes` (or the release manifest's)",
)  # fmt: skip
MISSING_COLUMN = _code(
    "missing-column", "resource", PROJECT, "the file has no column {field!r}",
    "Parquet: a schema field the file lacks",
)  # fmt: skip
EXTRA_COLUMN = _code(
    "extra-column", "resource", PROJECT, "the file has a column {field!r} the schema lacks",
    "Parquet: a column the schema lacks",
)  # fmt: skip
COLUMN_ORDER = _code(
    "column-order", "resource", PROJECT, "columns {order} are not in the schema's order",
    "Parquet: columns not in the schema's order",
)  # fmt: skip
COLUMN_TYPE = _code(
    "column-type", "resource", PROJECT,
    "column {field!r} is {got}; the schema's {type} is stored as {want}",
    "Parquet: a column whose type cannot hold the field's",
)  # fmt: skip
COLUMN_NULLABLE = _code(
    "column-nullable", "resource", PROJECT,
    "column {field!r} is {nullable}; the field is {required}",
    "Parquet: a column's nullability differs from the field's `required`",
)  # fmt: skip

# -- the header -----------------------------------------------------------------------------
EXTRA_LABEL = _code(
    "extra-label", "header", FRICTIONLESS,
    'There is an extra label "{label}" in header at position "{position}"',
    "a header label beyond the schema's fields",
)  # fmt: skip
MISSING_LABEL = _code(
    "missing-label", "header", FRICTIONLESS,
    "There is a missing label in the header's field \"{field}\" at position \"{position}\"",
    "a schema field the header lacks",
)  # fmt: skip
BLANK_LABEL = _code(
    "blank-label", "header", FRICTIONLESS,
    'Label in the header in field at position "{position}" is blank',
    "an empty header label",
)  # fmt: skip
DUPLICATE_LABEL = _code(
    "duplicate-label", "header", FRICTIONLESS,
    'Label "{label}" in the header at position "{position}" is duplicated to a label: '
    'at position "{same}"',
    "a header label repeating an earlier one",
)  # fmt: skip
INCORRECT_LABEL = _code(
    "incorrect-label", "header", FRICTIONLESS,
    'Label "{label}" in field {field} at position "{position}" does not match the field '
    "name in the schema",
    "a header label that is not its field's name (labels with surrounding whitespace too)",
)  # fmt: skip

# -- a row ----------------------------------------------------------------------------------
BLANK_ROW = _code(
    "blank-row", "row", FRICTIONLESS, 'Row at position "{row}" is completely blank',
    "a row whose every cell is missing",
)  # fmt: skip
EXTRA_CELL = _code(
    "extra-cell", "row", FRICTIONLESS,
    'Row at position "{row}" has an extra value in field at position "{position}"',
    "a row with more cells than the header",
)  # fmt: skip
MISSING_CELL = _code(
    "missing-cell", "row", FRICTIONLESS,
    'Row at position "{row}" has a missing cell in field "{field}" at position "{position}"',
    "a row with fewer cells than the header",
)  # fmt: skip
PRIMARY_KEY = _code(
    "primary-key", "row", FRICTIONLESS, 'Row at position "{row}" violates the primary key: {note}',
    "a primary key repeating an earlier row's, or all missing",
)  # fmt: skip
FOREIGN_KEY = _code(
    "foreign-key", "row", FRICTIONLESS, 'Row at position "{row}" violates the foreign key: {note}',
    "a foreign key not found in the referenced resource",
)  # fmt: skip
UNIQUE_KEY = _code(
    "unique-key", "row", PROJECT,
    'Row at position "{row}" violates the unique key "{key}": the same values as in the row at '
    "position {before}",
    "Data Package v2 `uniqueKeys`: a key repeating an earlier row's (rows missing a value are "
    "not compared)",
)  # fmt: skip
STRAY_QUOTE = _code(
    "stray-quote", "row", PROJECT, "Row {row}: {note}",
    'a quote inside a quoted cell, neither doubled nor closing it (`"Smart "City" Expo"`)',
)  # fmt: skip
UNCLOSED_QUOTE = _code(
    "unclosed-quote", "row", PROJECT, "Row {row}: {note}",
    "a quote opened and never closed",
)  # fmt: skip
NUL_BYTE = _code("nul-byte", "row", PROJECT, "Row {row}: {note}", "a NUL byte in the file")
BARE_CARRIAGE_RETURN = _code(
    "bare-carriage-return", "row", PROJECT, "Row {row}: {note}",
    "a carriage return not followed by a line feed",
)  # fmt: skip
CELL_TOO_LARGE = _code(
    "cell-too-large", "row", PROJECT, "Row {row}: {note}",
    "a cell over `--max-cell-bytes` (default 1 MiB); the resource is read no further",
)  # fmt: skip
BYTE_ORDER_MARK = _code(
    "byte-order-mark", "resource", PROJECT, "{note}",
    "profile check `bom`: the file starts with a byte order mark",
)  # fmt: skip
LINE_ENDING = _code(
    "line-ending", "resource", PROJECT, "{note}", "profile check `line-endings`: a line not ended by LF"
)  # fmt: skip

# -- a cell ---------------------------------------------------------------------------------
TYPE_ERROR = _code(
    "type-error", "cell", FRICTIONLESS,
    'Type error in the cell "{cell}" in row "{row}" and field "{field}" at position '
    '"{position}": type is "{type}/{format}"',
    "a cell that is not a value of its field's type and format",
)  # fmt: skip
CONSTRAINT_ERROR = _code(
    "constraint-error", "cell", FRICTIONLESS,
    'The cell "{cell}" in row at position "{row}" and field "{field}" at position "{position}" '
    'does not conform to a constraint: constraint "{constraint}" is "{rule}"',
    "a value breaking a constraint (`required`, bounds, lengths, `enum`, `pattern` by RE2; "
    "v2 `categories`)",
)  # fmt: skip
UNIQUE_ERROR = _code(
    "unique-error", "cell", FRICTIONLESS,
    'Row at position "{row}" has unique constraint violation in field "{field}" at position '
    '"{position}": the same as in the row at position {before}',
    "a `unique` field's value repeating an earlier row's",
)  # fmt: skip
OUT_OF_RANGE = _code(
    "out-of-range", "cell", PROJECT,
    'The cell "{cell}" in row "{row}" and field "{field}" is a valid {type} that the loaders '
    "cannot hold: beyond {limit}",
    "a valid integer beyond int64, number beyond float64 or date beyond the years 1-9999",
)  # fmt: skip
NON_NFC = _code(
    "non-nfc", "cell", PROJECT, "{note}", "profile check `nfc`: text not in NFC"
)  # fmt: skip
UNTRIMMED = _code(
    "untrimmed", "cell", PROJECT, "{note}",
    "profile check `whitespace`: leading or trailing whitespace",
)  # fmt: skip
ZERO_WIDTH = _code(
    "zero-width", "cell", PROJECT, "{note}",
    "profile check `format-characters`: an invisible format character (Unicode Cf)",
)  # fmt: skip
FORMULA_INJECTION = _code(
    "formula-injection", "cell", PROJECT, "{note}",
    "profile check `formula-prefix`: a string cell starting with = + - @",
)  # fmt: skip
SOURCE_CITATION = _code(
    "source-citation", "cell", PROJECT, "{note}",
    "profile check `citations`: a row citing no source, or a paragraph its source lacks",
)  # fmt: skip

#: the project's checks a package's profile may name, each with the finding code it reports
CHECKS = {
    "bom": BYTE_ORDER_MARK,
    "line-endings": LINE_ENDING,
    "nfc": NON_NFC,
    "whitespace": UNTRIMMED,
    "format-characters": ZERO_WIDTH,
    "formula-prefix": FORMULA_INJECTION,
    "citations": SOURCE_CITATION,
}


def check_names(checks: Mapping[str, bool] | None) -> dict[str, bool]:
    """`checks` ({name: on}) checked against CHECKS; ValueError naming the known ones."""
    unknown = sorted(set(checks or {}) - set(CHECKS))
    if unknown:
        raise ValueError(
            f"unknown check(s) {', '.join(map(repr, unknown))}; known: {', '.join(CHECKS)}"
        )
    return {name: bool(on) for name, on in (checks or {}).items()}


def finding(
    code: str,
    resource: str = "",
    row: int | None = None,
    field: str = "",
    path: str = "",
    *,
    message: str | None = None,
    fix: str = "",
    **values: Any,
) -> Finding:
    """A finding of `code`, its message the code's template filled with `values` (and `row`).

    `fix` (how to fix it, `fixes`) follows the template's words after "; ". `message` words
    it instead, where a check says more than the template can (a header label with
    surrounding whitespace is an `incorrect-label` of another kind).
    """
    if message is None:
        message = CATALOGUE[code].template.format(row=row, field=field, **values)
    elif code not in CATALOGUE:
        raise KeyError(code)
    return Finding(code, resource, row, field, with_fix(message, fix), path)


def with_fix(message: str, fix: str) -> str:
    """A message followed by how to fix it (if said)."""
    return f"{message}{FIX_SEPARATOR}{fix}" if fix else message


def note_of(found: Finding) -> str:
    """What a finding's message says past its code's fixed prefix (its `{note}`)."""
    prefix = CATALOGUE[found.code].template.split("{note}")[0]
    return found.message.removeprefix(prefix)


def show(value: Any) -> str:
    """A cell as a message quotes it: cut to MAX_CELL characters."""
    text = str(value)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 3] + "..."


def codes(*, level: str | None = None, origin: str | None = None) -> tuple[str, ...]:
    """The codes of a level and/or an origin, in the catalogue's order."""
    return tuple(
        e.code
        for e in CATALOGUE.values()
        if (level is None or e.level == level) and (origin is None or e.origin == origin)
    )


def markdown() -> str:
    """The catalogue as the Markdown page `docs/findings.md`."""
    lines = [
        "# Finding codes",
        "",
        "<!-- generated by `python -m expo_data.validation.catalogue`: do not edit -->",
        "",
        "Every finding `validate` reports has one of these codes (descriptor errors that",
        "frictionless reports under other codes of its own pass through unchanged). *Level*:",
        "what the finding is about; *origin*: `frictionless` where frictionless-py reports the",
        "code too (same resource, row and field), `expo-data` where only expo-data does.",
        "Where frictionless reports a code, the message starts with its words; messages then",
        'say how to fix the finding after "; " (a type error the expected format, a repeated',
        "key the key and the row that first held it, a missing foreign key the nearest",
        "existing one). A shifted header (every row with the same extra or missing cells) is",
        "one finding on the first row, and a missing header (no label is a field name) one",
        "`incorrect-label`: frictionless repeats them per row and per label.",
        "",
        "| code | level | origin | means |",
        "|---|---|---|---|",
    ]
    lines += [f"| `{e.code}` | {e.level} | {e.origin} | {e.means} |" for e in CATALOGUE.values()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """`python -m expo_data.validation.catalogue [--check] [PATH]`: write (or check) the page."""
    args = list(sys.argv[1:] if argv is None else argv)
    paths = [a for a in args if a != "--check"]
    target = Path(paths[0] if paths else PAGE)
    page = markdown()
    current = target.read_text(encoding="utf-8") if target.is_file() else None
    if current == page:
        print(f"{target} is up to date")
        return 0
    if "--check" in args:
        print(f"stale: {target}; run `python -m expo_data.validation.catalogue {target}`")
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    print(f"wrote: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
