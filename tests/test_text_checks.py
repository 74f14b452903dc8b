"""The profile's text checks read each cell's bytes once and run exact kernels only on suspects.

The oracle is the old implementation, kept here and only here: every text check as an Arrow
kernel over every cell of the column.
"""

from __future__ import annotations

import string
import sys
import tracemalloc
import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from expo_data.model.descriptor import Field
from expo_data.read import kernels
from expo_data.read.buffers import to_bools
from expo_data.validation import catalogue, checks, suspects
from expo_data.validation.suspects import CellBytes

from conftest import examples

ALL = frozenset({"whitespace", "nfc", "format-characters", "formula-prefix"})
CODES = {
    "whitespace": catalogue.UNTRIMMED,
    "nfc": catalogue.NON_NFC,
    "format-characters": catalogue.ZERO_WIDTH,
    "formula-prefix": catalogue.FORMULA_INJECTION,
}


def old_masks(column: pa.Array, prefixes: str = checks.FORMULA_PREFIXES) -> dict[str, np.ndarray]:
    """The old full-column kernels: the oracle (null as False)."""
    starts = np.zeros(len(column), bool)
    for prefix in prefixes:
        starts |= to_bools(pc.starts_with(column, prefix))
    return {
        "whitespace": to_bools(pc.not_equal(pc.utf8_trim_whitespace(column), column)),
        "nfc": to_bools(pc.not_equal(kernels.utf8_normalize_nfc(column), column)),
        "format-characters": to_bools(pc.match_substring_regex(column, r"\p{Cf}")),
        "formula-prefix": starts,
    }


def new_masks(column: pa.Array, enabled: frozenset[str] = ALL) -> dict[str, np.ndarray]:
    """The masks text_hits returns, all False for a check it reports nothing for."""
    profile = checks.Profile(enabled, checks.Citations())
    hits = checks.text_hits(Field("text"), column, profile)
    out = {name: np.zeros(len(column), bool) for name in enabled}
    for hit in hits:
        (name,) = [n for n in enabled if CODES[n] == hit.code]
        assert hit.field == "text"
        out[name] = to_bools(hit.mask)
    return out


CODEPOINTS = [c for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
WHITESPACE = [chr(c) for c in CODEPOINTS if chr(c).isspace()]
FORMAT = [chr(c) for c in CODEPOINTS if unicodedata.category(chr(c)) == "Cf"]
COMBINING = [chr(c) for c in (*range(0x300, 0x370), 0x1AB0, 0x1DC0, 0x20D0, 0x302A, 0xFE20)]
COMPATIBILITY = [chr(c) for c in (*range(0xF900, 0xF90A), 0xFA2E, 0x2F800, 0x2FA1D)]
CJK = [chr(c) for c in (0x4000, 0x4E00, 0x4E2D, 0x6587, 0x9FA5, 0x9FFF)]
OTHER = [
    "é",
    "e\u0301",
    "\u1100\u1161",
    "가",
    "。",
    "\uff0c",
    "\uff08",
    "Å",
    "\u212b",
    "ﬁ",
    "😀",
    "\x85",
]
ASCII = [chr(c) for c in range(0x80)]
PIECES = st.sampled_from(ASCII + WHITESPACE + FORMAT + COMBINING + COMPATIBILITY + CJK + OTHER)
CELL = st.one_of(
    st.none(),
    st.just(""),
    st.lists(PIECES, max_size=6).map("".join),
    st.lists(st.sampled_from(["=", "+", "-", "@", "a", "中", " ", "\u3000"]), max_size=3).map(
        "".join
    ),
    st.text(max_size=4),
)


def shaped(draw: st.DrawFn, cells: list[str | None], *, sparse: bool = False) -> pa.Array:
    """`cells` as a column: maybe large_string, maybe nulls over cells that hold bytes, maybe
    a slice (`sparse`: a few nulls, a slice that keeps most cells)."""
    kind = draw(st.sampled_from([pa.string(), pa.large_string()]))
    column = pa.array(cells, kind)
    if draw(st.booleans()) and len(column):  # nulls over cells that still hold bytes
        null = st.sampled_from([False, False, False, True]) if sparse else st.booleans()
        nulls = np.array(draw(st.lists(null, min_size=len(column), max_size=len(column))))
        valid = pa.py_buffer(np.packbits(~nulls, bitorder="little"))
        column = pa.Array.from_buffers(kind, len(column), [valid, *column.buffers()[1:]])
    if sparse:
        start = draw(st.integers(0, min(3, len(column))))
        end = len(column) - draw(st.integers(0, min(3, len(column) - start)))
        return column.slice(start, end - start)
    start = draw(st.integers(0, len(column)))
    return column.slice(start, draw(st.integers(0, len(column) - start)))


@st.composite
def columns(draw: st.DrawFn) -> pa.Array:
    """A string column: random cells, maybe large_string, maybe a slice, maybe nulls over bytes."""
    return shaped(draw, draw(st.lists(CELL, max_size=30)))


@settings(max_examples=examples(400))
@given(columns())
def test_fused_checks_equal_the_full_column_kernels(column: pa.Array) -> None:
    new, old = new_masks(column), old_masks(column)
    for name in ALL:
        assert new[name].tolist() == old[name].tolist(), (name, column.to_pylist())


#: what the cells of a column are made of, as real columns are: one family each
FAMILIES = {
    "slugs": st.sampled_from([*string.ascii_lowercase, *string.digits, "-", "_"]),
    "digits": st.sampled_from(string.digits),
    "ascii text": st.sampled_from(string.printable[:95]),
    "cjk": st.integers(0x4000, 0x9FFF).map(chr),
    "cjk and ascii": st.one_of(
        st.integers(0x4000, 0x9FFF).map(chr), st.sampled_from([*string.ascii_letters, " ", "-"])
    ),
    "everything": PIECES,
}
#: what a few cells of a clean column get at their start, inside or at their end
DAMAGE = [
    *"\u00a0\u3000\u0085\u2028\u1680\u205f \t\n\x1c",  # whitespace, non-ASCII and ASCII
    *"\u200b\u00ad\ufeff\u202e\U000e0001",  # format characters (Cf)
    *COMPATIBILITY,  # CJK compatibility ideographs: not NFC
    "e\u0301",  # a combining accent, after a letter…
    "\u0301",  # …or after whatever the cell holds
    *"=+-@",  # formula prefixes
    *"é。\uff0c가😀\x7f\x00",  # characters other than CJK ideographs that are NFC; DEL, NUL
]


@st.composite
def family_columns(draw: st.DrawFn) -> pa.Array:
    """A column of one family, its cells clean but for a few damaged at either end or inside."""
    family = FAMILIES[draw(st.sampled_from(sorted(FAMILIES)))]
    text = st.lists(family, min_size=1, max_size=12).map("".join)
    cells = draw(
        st.lists(st.one_of(text, text, text, st.none(), st.just("")), min_size=1, max_size=40)
    )
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(cells) - 1))
        piece, where = draw(st.sampled_from(DAMAGE)), draw(st.sampled_from(["start", "in", "end"]))
        cell = cells[at] or ""
        middle = len(cell) // 2
        cells[at] = {
            "start": piece + cell,
            "in": cell[:middle] + piece + cell[middle:],
            "end": cell + piece,
        }[where]
    return shaped(draw, cells, sparse=True)


@settings(max_examples=examples(400))
@given(
    family_columns(),
    st.sets(st.sampled_from(sorted(ALL)), min_size=1),
    st.sampled_from([1, 3, 8, 64, suspects.CHUNK]),
    st.sampled_from([0, 4, suspects.SCAN_PER_CELL, 10**9]),
)
def test_the_fast_paths_equal_the_full_column_kernels(
    column: pa.Array, enabled: set[str], chunk: int, scan_per_cell: int
) -> None:
    """Every path (a column cleared as a whole, chunks skipped or scanned, the whitespace
    leads read with and without the inner scan) finds what the exact kernels find."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(suspects, "CHUNK", chunk)
        patch.setattr(suspects, "SCAN_PER_CELL", scan_per_cell)
        new = new_masks(column, frozenset(enabled))
    old = old_masks(column)
    for name in enabled:
        assert new[name].tolist() == old[name].tolist(), (name, column.to_pylist())


@settings(max_examples=examples(200))
@given(family_columns())
def test_suspects_hold_every_failing_cell(column: pa.Array) -> None:
    """The byte-level suspect sets contain every cell an exact kernel finds failing."""
    old, cells = old_masks(column), CellBytes(column)
    inner = cells.inner()
    for found in (cells.edges(), cells.edges(inner)):
        assert set(np.flatnonzero(old["whitespace"])) <= set(found.tolist())
    failing = old["nfc"] | old["format-characters"]
    assert set(np.flatnonzero(failing)) <= set(inner.tolist())
    assert (
        cells.starting(checks.FORMULA_PREFIXES).tolist()
        == np.flatnonzero(old["formula-prefix"]).tolist()
    )


@pytest.mark.parametrize("enabled", [ALL, frozenset({"whitespace"})], ids=["all", "whitespace"])
@pytest.mark.parametrize("character", WHITESPACE)
def test_every_whitespace_character_is_found_at_either_end(
    character: str, enabled: frozenset[str]
) -> None:
    """With the inner scan (all checks) and without it (its lead bytes read cell by cell)."""
    cells = [
        f"{character}中",
        f"中{character}",
        f"a{character}b",
        character,
        "中",
        f"ab{character}",
    ]
    found = new_masks(pa.array([*cells, f"{character}ab"]), enabled)["whitespace"]
    assert found.tolist() == [True, True, False, True, False, True, True]


def test_the_exact_whitespace_kernel_sees_only_the_suspect_cells(monkeypatch) -> None:
    """ASCII words and CJK text are cleared from their bytes: the kernel sees the other cells."""
    seen = []
    trim = pc.utf8_trim_whitespace

    def counting(cells: pa.Array) -> pa.Array:
        seen.append(len(cells))
        return trim(cells)

    monkeypatch.setattr(pc, "utf8_trim_whitespace", counting)
    clean = ["plain words", "中國領軍智慧城市獎", "2023 中國", "x", None, ""] * 500
    column = pa.array([*clean, " lead", "trail ", "中\u3000", "\u00a0中", "末尾。"])
    assert new_masks(column, frozenset({"whitespace"}))["whitespace"].nonzero()[0].tolist() == [
        3000,
        3001,
        3002,
        3003,
    ]
    assert sum(seen) == 5  # the four untrimmed cells, and one ending in a CJK full stop


def test_clean_cells_have_no_suspects() -> None:
    cells = CellBytes(pa.array(["abc", "中文字", "2023年", "a-b", None, "", "證"]))
    assert cells.edges().tolist() == []
    assert cells.inner().tolist() == []
    assert cells.starting("=+-@").tolist() == []


@pytest.mark.parametrize(
    "field, cells",
    [
        (Field("count", type="integer"), ["2023", "14", "7", "100000"]),
        (Field("id", descriptor={checks.ALLOW_FORMULA: True}), ["award-3", "session_1"]),
        (Field("name", descriptor={checks.ALLOW_FORMULA: True}), ["中國領軍智慧城市獎", "證"]),
    ],
    ids=["digits", "slugs", "cjk"],
)
def test_a_clean_column_is_cleared_in_the_memory_of_a_chunk(field: Field, cells: list) -> None:
    """No cell can fail a check (no formula check here: it reads every cell's first byte): that
    is decided from the column's bytes as a whole, without an array of a byte or more a cell."""
    column = pa.array(cells * (1_000_000 // len(cells)))
    profile = checks.Profile(ALL, checks.Citations())
    assert checks.text_hits(field, column, profile) == []
    tracemalloc.start()
    try:
        checks.text_hits(field, column, profile)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(column) // 2 > suspects.CHUNK  # room for a chunk
    assert peak < len(column) // 2


def test_a_prefix_of_several_bytes_falls_back_to_arrow(monkeypatch) -> None:
    monkeypatch.setattr(checks, "FORMULA_PREFIXES", "=→")
    column = pa.array(["→x", "=1", "x→", None, "", "→"])
    assert CellBytes(column).starting("=→") is None
    assert new_masks(column, frozenset({"formula-prefix"}))["formula-prefix"].tolist() == [
        True,
        True,
        False,
        False,
        False,
        True,
    ]
    assert old_masks(column, "=→")["formula-prefix"].tolist() == [1, 1, 0, 0, 0, 1]


def test_every_code_point_first_inside_and_last() -> None:
    """Exhaustive over Unicode: each character first, inside and last of a cell."""
    characters = [chr(c) for c in CODEPOINTS]
    cells = [f"{c}中" for c in characters] + [f"a{c}b" for c in characters]
    cells += [f"中{c}" for c in characters]
    column = pa.array(cells)
    new, old = new_masks(column), old_masks(column)
    for name in ALL:
        wrong = np.flatnonzero(new[name] != old[name])
        assert not len(wrong), (name, [cells[i] for i in wrong[:10]])
