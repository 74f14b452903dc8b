"""The project's own checks, beyond the Table Schema: bytes, text hygiene and citations.

A package declares which of them it wants in its descriptor (`"expo:checks": [names]`, its
*profile*); a package that declares none gets only the Table Schema checks. They run inside
the engine's single pass over a file: `ByteChecks` is fed the raw bytes as they are read,
`text_hits` and `citation_hits` one record batch (or typed column) at a time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..read import kernels
from ..read.buffers import FALSE, NULL_STRING, array, bools, ints, scalar, to_bools
from . import catalogue
from .catalogue import CHECKS, check_names, finding
from .report import Finding
from .suspects import CellBytes

if TYPE_CHECKING:
    from ..model.descriptor import Field, Package, Resource

#: the descriptor properties: the profile (a list of check names) and the citation settings
PROFILE, CITATIONS = "expo:checks", "expo:citations"
BOM = b"\xef\xbb\xbf"
FORMULA_PREFIXES = "=+-@"
#: a string field may opt out of the formula-injection check with this property
ALLOW_FORMULA = "expo:allowFormulaPrefix"
#: every Unicode format character (category Cf: zero-width, bidi controls, soft hyphen…)
_FORMAT_RE = r"\p{Cf}"


#: `"expo:citations"` keys, by `Citations` attribute
CITATION_KEYS = {
    "resource": "resource",
    "id": "idField",
    "count": "countField",
    "source": "sourceField",
    "paragraph": "paragraphField",
}


@dataclass(frozen=True)
class Citations:
    """Where a package's sources are and how its rows cite them (`"expo:citations"`)."""

    resource: str = "sources"  # the resource listing the sources
    id: str = "id"  # its key field
    count: str = "paragraph_count"  # its field giving each source's paragraph count
    source: str = "source_id"  # the field by which every other row cites a source…
    paragraph: str = "source_paragraph"  # …and a paragraph of it

    @classmethod
    def of(cls, package: Package) -> Citations:
        raw = package.descriptor.get(CITATIONS)
        raw = raw if isinstance(raw, dict) else {}
        given = {k: raw[key] for k, key in CITATION_KEYS.items() if isinstance(raw.get(key), str)}
        return cls(**given)


@dataclass(frozen=True)
class Profile:
    """The checks that run on a package, its citation settings and (read later) its sources."""

    enabled: frozenset[str]
    citations: Citations
    sources: tuple | None = None  # (ids, paragraph counts) of the sources resource

    def __contains__(self, name: str) -> bool:
        return name in self.enabled

    def __bool__(self) -> bool:
        return bool(self.enabled)

    def citing(self, resource: Resource, names: list[str | None]) -> tuple[int, int] | None:
        """Positions of the citation fields in `names`, where this resource is checked."""
        c = self.citations
        if (
            "citations" not in self
            or self.sources is None
            or resource.name == c.resource
            or c.source not in names
            or c.paragraph not in names
        ):
            return None
        return names.index(c.source), names.index(c.paragraph)


def profile(package: Package, checks: Mapping[str, bool] | None = None) -> Profile:
    """The checks the package declares (`"expo:checks"`), switched on or off by `checks`."""
    overrides = check_names(checks)
    declared = package.descriptor.get(PROFILE)
    names = {n for n in declared if n in CHECKS} if isinstance(declared, list) else set()
    names |= {n for n, on in overrides.items() if on}
    names -= {n for n, on in overrides.items() if not on}
    return Profile(frozenset(names), Citations.of(package))


def profile_findings(package: Package, profile: Profile) -> list[Finding]:
    """Descriptor findings about the profile: not a list, unknown names, bad citation settings."""
    declared = package.descriptor.get(PROFILE, [])
    where = package.path.name
    out = []
    if not isinstance(declared, list):
        message = f"{PROFILE} must be a list of check names, got {declared!r}"
        out.append(finding(catalogue.PROFILE_ERROR, path=where, note=message))
    else:
        for name in declared:
            if name not in CHECKS:
                message = f"{PROFILE}: unknown check {name!r}; known: {', '.join(CHECKS)}"
                out.append(finding(catalogue.PROFILE_ERROR, path=where, note=message))
    raw = package.descriptor.get(CITATIONS, {})
    keys = list(CITATION_KEYS.values())
    if not isinstance(raw, dict) or any(
        k not in keys or not isinstance(v, str) for k, v in raw.items()
    ):
        message = f"{CITATIONS} must be an object of field names with keys {', '.join(keys)}"
        out.append(finding(catalogue.PROFILE_ERROR, path=where, note=message))
    sources = profile.citations.resource
    if "citations" in profile and sources not in package.resource_names:
        message = f"the citations check needs a resource {sources!r} listing the sources"
        out.append(finding(catalogue.PROFILE_ERROR, path=where, note=message))
    return out


class Hits(NamedTuple):
    """The cells of one batch column that fail one check."""

    code: str
    field: str
    mask: pa.Array
    message: str


class ByteChecks:
    """UTF-8 byte order mark and CR line endings, fed the file's bytes in order.

    Only the first CR's offset is kept (a memchr per chunk, where counting every line
    would hold the GIL for a pass of its own); its line is counted when it is reported.
    """

    def __init__(self) -> None:
        self.bom = False
        self.cr_at: int | None = None  # offset of the first CR
        self._size = 0
        self._start = b""

    def feed(self, chunk: bytes) -> None:
        if len(self._start) < len(BOM):
            self._start += chunk[: len(BOM) - len(self._start)]
            self.bom = self._start == BOM
        if self.cr_at is None and (cr := chunk.find(b"\r")) >= 0:
            self.cr_at = self._size + cr
        self._size += len(chunk)

    def findings(self, resource: Resource, profile: Profile) -> list[Finding]:
        from .sources import line_of

        findings = []
        if self.bom and "bom" in profile:
            findings.append(
                _f(catalogue.BYTE_ORDER_MARK, resource, 1, "", "the file starts with a UTF-8 BOM")
            )
        if self.cr_at is not None and "line-endings" in profile:
            line = line_of(resource, self.cr_at)
            message = f"CR line ending on physical line {line}; use LF only"
            findings.append(_f(catalogue.LINE_ENDING, resource, None, "", message))
        return findings


def text_hits(field: Field, column: pa.Array, profile: Profile) -> list[Hits]:
    """The profile's text checks (whitespace, NFC, format characters, formula prefixes) that
    some cell of a column fails.

    `column` holds the cells as read, null where missing. Each exact kernel runs only on the
    cells whose bytes could fail it (`suspects.CellBytes`), and a column none of whose cells
    could is cleared from its bytes as a whole; formula prefixes are read from each cell's
    first byte.
    """
    if column.null_count == len(column):
        return []
    cells = CellBytes(column)
    if not len(cells.span):  # every cell empty or null
        return []
    found = []
    scans = [(CHECKS[name], kernel, message) for name, kernel, message in _INNER if name in profile]
    inner = cells.inner() if scans else None
    if "whitespace" in profile:
        (untrimmed,) = _at(column, cells.edges(inner), [_untrimmed])
        found.append((catalogue.UNTRIMMED, untrimmed, "leading or trailing whitespace"))
    if inner is not None:
        verdicts = _at(column, inner, [kernel for _, kernel, _ in scans])
        found += [
            (code, at, message) for (code, _, message), at in zip(scans, verdicts, strict=True)
        ]
    if (
        "formula-prefix" in profile
        and field.type == "string"
        and not field.descriptor.get(ALLOW_FORMULA)
    ):
        at = cells.starting(FORMULA_PREFIXES)
        message = f"cell starts with one of {FORMULA_PREFIXES} (spreadsheet formula injection)"
        at = np.flatnonzero(_starts_with(column, FORMULA_PREFIXES)) if at is None else at
        found.append((catalogue.FORMULA_INJECTION, at, message))
    return [
        Hits(code, field.name, _mask(len(column), at), message)
        for code, at, message in found
        if len(at)
    ]


#: the checks whose suspects are the cells holding a character other than ASCII and CJK
_INNER = (
    (
        "nfc",
        lambda s: pc.not_equal(kernels.utf8_normalize_nfc(s), s),
        "text is not NFC-normalised",
    ),
    (
        "format-characters",
        lambda s: pc.match_substring_regex(s, _FORMAT_RE),
        "invisible format character (Unicode Cf: zero-width, bidi control, soft hyphen…)",
    ),
)


def _at(column: pa.Array, at: np.ndarray, kernels: list) -> list[np.ndarray]:
    """The positions among `at` that each kernel finds true (the cells taken once)."""
    if not len(at):
        return [at for _ in kernels]
    subset = column.take(ints(at))
    return [at[to_bools(kernel(subset))] for kernel in kernels]


def _mask(size: int, at: np.ndarray) -> pa.Array:
    """A boolean Arrow array, true at positions `at`."""
    mask = np.zeros(size, bool)
    mask[at] = True
    return bools(mask)


def _untrimmed(cells: pa.Array) -> pa.Array:
    """Whether each cell has leading or trailing whitespace, as Arrow trims it."""
    return pc.not_equal(pc.utf8_trim_whitespace(cells), cells)


def _starts_with(column: pa.Array, prefixes: str) -> np.ndarray:
    """Whether each cell starts with one of `prefixes`, by Arrow's kernels."""
    mask = np.zeros(len(column), bool)
    for prefix in prefixes:
        mask |= to_bools(pc.starts_with(column, prefix))
    return mask


def missing_citation_fields(resource: Resource, profile: Profile) -> Finding | None:
    """A finding when a resource that must cite sources has no fields to do it."""
    c = profile.citations
    if "citations" not in profile or resource.name == c.resource:
        return None
    names = resource.schema.names
    if c.source in names and c.paragraph in names:
        return None
    message = f"resource has no {c.source}/{c.paragraph} fields"
    return _f(catalogue.SOURCE_CITATION, resource, None, "", message)


def paragraph_counts(sources: pa.Table, citations: Citations) -> tuple[pa.Array, pa.Array]:
    """(ids, paragraph counts) of the sources resource, from its cells as strings."""
    ids = sources.column(citations.id).combine_chunks()
    counts = sources.column(citations.count).combine_chunks()
    return ids, pc.fill_null(_to_int(counts), scalar(0, pa.int64()))


def citation_hits(ids: pa.Array, paragraphs: pa.Array, profile: Profile) -> list[Hits]:
    """Every row cites a source, and a paragraph the source has (one batch of strings)."""
    known_ids, counts = profile.sources or ((), ())
    maximum = pc.take(counts, pc.index_in(ids, value_set=known_ids))
    number = _to_int(paragraphs)
    one = array([1], pa.int64())[0]
    bad = pc.fill_null(pc.or_(pc.less(number, one), pc.greater(number, maximum)), FALSE)
    bad = pc.or_(bad, pc.and_(pc.is_valid(ids), pc.is_null(paragraphs)))
    c = profile.citations
    return [
        Hits(catalogue.SOURCE_CITATION, c.source, pc.is_null(ids), "row cites no source"),
        Hits(catalogue.SOURCE_CITATION, c.paragraph, bad, "paragraph not in the cited source"),
    ]


def _to_int(column: pa.Array) -> pa.Array:
    digits = pc.match_substring_regex(column, r"^[0-9]{1,9}$")
    return pc.cast(kernels.if_else(digits, column, NULL_STRING), pa.int64())


def _f(code: str, resource: Resource, row: int | None, field: str, message: str) -> Finding:
    return finding(code, resource.name, row, field, resource.path, note=message)
