"""The project's own checks, beyond the Table Schema: bytes, text hygiene and citations.

They run inside the engine's single pass over a file: `ByteChecks` is fed the raw bytes as
they are read, `text_hits` and `citation_hits` one record batch at a time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..read.buffers import FALSE, NULL_STRING, array, bools, ints, to_bools
from .report import Finding

if TYPE_CHECKING:
    from ..model.descriptor import Field, Resource

BOM = b"\xef\xbb\xbf"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
FORMULA_PREFIXES = "=+-@"
#: a string field may opt out of the formula-injection check with this property
ALLOW_FORMULA = "expo:allowFormulaPrefix"
#: the resource that lists sources, and the fields by which rows cite it
SOURCES_RESOURCE, SOURCE_ID, SOURCE_PARAGRAPH = "sources", "source_id", "source_paragraph"
PARAGRAPH_COUNT = "paragraph_count"

_ZERO_WIDTH_RE = f"[{ZERO_WIDTH}]"


class Hits(NamedTuple):
    """The cells of one batch column that fail one check."""

    code: str
    field: str
    mask: pa.Array
    message: str


class ByteChecks:
    """UTF-8 byte order mark and CR line endings, fed the file's bytes in order."""

    def __init__(self) -> None:
        self.bom = False
        self.cr_line: int | None = None
        self._line = 1
        self._start = b""

    def feed(self, chunk: bytes) -> None:
        if len(self._start) < len(BOM):
            self._start += chunk[: len(BOM) - len(self._start)]
            self.bom = self._start == BOM
        if self.cr_line is not None:
            return
        cr = chunk.find(b"\r")
        if cr >= 0:
            self.cr_line = self._line + chunk.count(b"\n", 0, cr)
        else:
            self._line += chunk.count(b"\n")

    def findings(self, resource: Resource) -> list[Finding]:
        findings = []
        if self.bom:
            findings.append(
                _f("byte-order-mark", resource, 1, "", "the file starts with a UTF-8 BOM")
            )
        if self.cr_line is not None:
            message = f"CR line ending on physical line {self.cr_line}; use LF only"
            findings.append(_f("line-ending", resource, None, "", message))
        return findings


def text_hits(field: Field, column: pa.Array) -> list[Hits]:
    """NFC, trimmed, zero-width and formula-injection checks over one column of one batch.

    `column` holds the cells as read, null where missing. NFC and zero-width characters are
    only looked for in the cells whose bytes could hold one (see `_suspects`).
    """
    if column.null_count == len(column):
        return []
    hits = [
        Hits(
            "untrimmed",
            field.name,
            pc.not_equal(pc.utf8_trim_whitespace(column), column),
            "leading or trailing whitespace",
        )
    ]
    suspects = _suspects(column)
    if len(suspects):
        subset = column.take(ints(suspects))
        for code, mask, message in (
            (
                "non-nfc",
                pc.not_equal(pc.utf8_normalize(subset, "NFC"), subset),
                "text is not NFC-normalised",
            ),
            (
                "zero-width",
                pc.match_substring_regex(subset, _ZERO_WIDTH_RE),
                "zero-width character",
            ),
        ):
            full = np.zeros(len(column), bool)
            full[suspects] = to_bools(mask)
            hits.append(Hits(code, field.name, bools(full), message))
    if field.type == "string" and not field.descriptor.get(ALLOW_FORMULA):
        starts = [pc.starts_with(column, prefix) for prefix in FORMULA_PREFIXES]
        mask = starts[0]
        for other in starts[1:]:
            mask = pc.or_(mask, other)
        hits.append(
            Hits(
                "formula-injection",
                field.name,
                mask,
                f"cell starts with one of {FORMULA_PREFIXES} (spreadsheet formula injection)",
            )
        )
    return hits


def _suspects(column: pa.Array) -> np.ndarray:
    """Cells holding a character that may not be NFC or may be zero-width, from the bytes.

    ASCII and the CJK ideographs U+4000-U+9FFF (lead bytes E4-E9) are always NFC and never
    zero-width; any other multi-byte character makes its cell a suspect.
    """
    offsets_buffer, data_buffer = column.buffers()[1:3]
    if data_buffer is None or offsets_buffer is None:
        return np.array([], np.int64)
    offsets = np.frombuffer(offsets_buffer, np.int32)[
        column.offset : column.offset + len(column) + 1
    ]
    data = np.frombuffer(data_buffer, np.uint8)[offsets[0] : offsets[-1]]
    lead = (data >= 0xC0) & ((data <= 0xE3) | (data >= 0xEA))
    if not lead.any():
        return np.array([], np.int64)
    cells = np.searchsorted(offsets, np.flatnonzero(lead) + offsets[0], side="right") - 1
    return np.unique(cells)


def cites_sources(resource: Resource, names: list[str]) -> bool:
    """Whether a resource must cite sources, given the package's resource names."""
    return resource.name != SOURCES_RESOURCE and SOURCES_RESOURCE in names


def missing_citation_fields(resource: Resource) -> Finding | None:
    """A finding when a resource that must cite sources has no fields to do it."""
    names = resource.schema.names
    if SOURCE_ID in names and SOURCE_PARAGRAPH in names:
        return None
    message = f"resource has no {SOURCE_ID}/{SOURCE_PARAGRAPH} fields"
    return _f("source-citation", resource, None, "", message)


def paragraph_counts(sources: pa.Table) -> tuple[pa.Array, pa.Array]:
    """(ids, paragraph counts) of the sources resource, read as strings."""
    ids = sources.column("id").combine_chunks()
    counts = sources.column(PARAGRAPH_COUNT).combine_chunks()
    return ids, pc.fill_null(_to_int(counts), 0)


def citation_hits(ids: pa.Array, paragraphs: pa.Array, sources: tuple) -> list[Hits]:
    """Every row cites a source, and a paragraph the source has (one batch)."""
    known_ids, counts = sources
    maximum = pc.take(counts, pc.index_in(ids, value_set=known_ids))
    number = _to_int(paragraphs)
    one = array([1], pa.int64())[0]
    bad = pc.fill_null(pc.or_(pc.less(number, one), pc.greater(number, maximum)), FALSE)
    bad = pc.or_(bad, pc.and_(pc.is_valid(ids), pc.is_null(paragraphs)))
    return [
        Hits("source-citation", SOURCE_ID, pc.is_null(ids), "row cites no source"),
        Hits("source-citation", SOURCE_PARAGRAPH, bad, "paragraph not in the cited source"),
    ]


def _to_int(column: pa.Array) -> pa.Array:
    digits = pc.match_substring_regex(column, r"^[0-9]{1,9}$")
    return pc.cast(pc.if_else(digits, column, NULL_STRING), pa.int64())


def _f(code: str, resource: Resource, row: int | None, field: str, message: str) -> Finding:
    return Finding(
        code=code, resource=resource.name, row=row, field=field, message=message, path=resource.path
    )
