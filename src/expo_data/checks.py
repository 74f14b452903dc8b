"""The project's own checks, beyond the Table Schema: bytes, text hygiene and citations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from .report import Finding

if TYPE_CHECKING:
    from .package import Package, Resource

BOM = b"\xef\xbb\xbf"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
FORMULA_PREFIXES = "=+-@"
#: a string field may opt out of the formula-injection check with this property
ALLOW_FORMULA = "expo:allowFormulaPrefix"
#: the resource that lists sources, and the fields by which rows cite it
SOURCES_RESOURCE, SOURCE_ID, SOURCE_PARAGRAPH = "sources", "source_id", "source_paragraph"
PARAGRAPH_COUNT = "paragraph_count"

_ZERO_WIDTH_RE = f"[{ZERO_WIDTH}]"
_FORMULA_RE = "^[" + re.escape(FORMULA_PREFIXES) + "]"


def check_bytes(resource: Resource, chunks: Iterator[bytes]) -> list[Finding]:
    """UTF-8 byte order mark and CR line endings, from the file's raw bytes."""
    findings, first, line = [], True, 1
    for chunk in chunks:
        if first and chunk.startswith(BOM):
            findings.append(
                _f("byte-order-mark", resource, 1, "", "the file starts with a UTF-8 BOM")
            )
        first = False
        cr = chunk.find(b"\r")
        if cr >= 0:
            line += chunk.count(b"\n", 0, cr)
            findings.append(
                _f(
                    "line-ending",
                    resource,
                    None,
                    "",
                    f"CR line ending on physical line {line}; use LF only",
                )
            )
            break
        line += chunk.count(b"\n")
    return findings


def check_text(
    resource: Resource, strings: pa.Table, rows: pa.Array | None, package: Package
) -> list[Finding]:
    """NFC, trimmed, zero-width and formula-injection checks over every string cell."""
    findings = []
    for field in resource.schema.fields:
        column = strings.column(field.name)
        if column.null_count == len(column):
            continue
        tests = [
            (
                "non-nfc",
                pc.not_equal(pc.utf8_normalize(column, "NFC"), column),
                "text is not NFC-normalised",
            ),
            (
                "untrimmed",
                pc.not_equal(pc.utf8_trim_whitespace(column), column),
                "leading or trailing whitespace",
            ),
            (
                "zero-width",
                pc.match_substring_regex(column, _ZERO_WIDTH_RE),
                "zero-width character",
            ),
        ]
        if field.type == "string" and not field.descriptor.get(ALLOW_FORMULA):
            tests.append(
                (
                    "formula-injection",
                    pc.match_substring_regex(column, _FORMULA_RE),
                    f"cell starts with one of {FORMULA_PREFIXES} (spreadsheet formula injection)",
                )
            )
        for code, mask, message in tests:
            findings += _cell_findings(code, resource, field.name, column, mask, rows, message)
    findings += _check_citations(resource, strings, rows, package)
    return findings


def _check_citations(
    resource: Resource, strings: pa.Table, rows: pa.Array | None, package: Package
) -> list[Finding]:
    """Every row cites a source, and a paragraph the source has."""
    if resource.name == SOURCES_RESOURCE or SOURCES_RESOURCE not in package.resource_names:
        return []
    names = strings.column_names
    if SOURCE_ID not in names or SOURCE_PARAGRAPH not in names:
        return [
            _f(
                "source-citation",
                resource,
                None,
                "",
                f"resource has no {SOURCE_ID}/{SOURCE_PARAGRAPH} fields",
            )
        ]
    from .read import read_strings  # a small resource, read once per check

    try:
        sources = read_strings(package.resource(SOURCES_RESOURCE))
    except Exception:  # the sources resource's own findings report why
        return []
    counts = dict(
        zip(
            sources.column("id").to_pylist(),
            sources.column(PARAGRAPH_COUNT).to_pylist(),
            strict=True,
        )
    )
    ids = strings.column(SOURCE_ID)
    paragraphs = strings.column(SOURCE_PARAGRAPH)
    findings = _cell_findings(
        "source-citation", resource, SOURCE_ID, ids, pc.is_null(ids), rows, "row cites no source"
    )
    known = pa.array([int(c) if c and c.isdigit() else 0 for c in counts.values()], pa.int64())
    at = pc.index_in(ids, value_set=pa.array(list(counts), pa.string()))
    maximum = pc.take(known, at)
    number = _to_int(paragraphs)
    bad = pc.fill_null(pc.or_(pc.less(number, 1), pc.greater(number, maximum)), False)
    bad = pc.or_(bad, pc.and_(pc.is_valid(ids), pc.is_null(paragraphs)))
    findings += _cell_findings(
        "source-citation",
        resource,
        SOURCE_PARAGRAPH,
        paragraphs,
        bad,
        rows,
        "paragraph not in the cited source",
    )
    return findings


def _to_int(column: pa.ChunkedArray) -> pa.ChunkedArray:
    digits = pc.match_substring_regex(column, r"^[0-9]{1,9}$")
    return pc.cast(pc.if_else(digits, column, pa.scalar(None, pa.string())), pa.int64())


def _cell_findings(
    code: str,
    resource: Resource,
    field: str,
    column: pa.ChunkedArray,
    mask: pa.ChunkedArray,
    rows: pa.Array | None,
    message: str,
) -> list[Finding]:
    mask = pc.fill_null(mask, False)
    if not pc.any(mask).as_py():
        return []
    indices = pc.indices_nonzero(mask)
    values = pc.take(column, indices).to_pylist()
    numbers = (pc.take(rows, indices) if rows is not None else pc.add(indices, 2)).to_pylist()
    return [
        _f(code, resource, row, field, f"{message}: {_show(value)}")
        for row, value in zip(numbers, values, strict=True)
    ]


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _f(code: str, resource: Resource, row: int | None, field: str, message: str) -> Finding:
    return Finding(
        code=code, resource=resource.name, row=row, field=field, message=message, path=resource.path
    )
