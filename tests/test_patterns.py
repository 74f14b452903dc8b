"""Simple `pattern` constraints are decided from the cells' bytes exactly as RE2 decides them.

The oracle is RE2 itself, as the pattern check used it on every cell before:
`pc.match_substring_regex(column, "^(?:P)$")`, a null cell never missing.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from expo_data.read.buffers import to_bools
from expo_data.validation import batch, patterns

from conftest import examples, run_cli

#: the patterns of the bundled package's schemas
REAL = ("^[a-z0-9]+(-[a-z0-9]+)*$", "^[0-9]+(;[0-9]+)*$", "^[0-9a-f]{64}$")
#: characters a cell is drawn from besides the pattern's own: controls, non-ASCII, CJK
OTHERS = "aZ09-_.;, \t\n\r\x00\x7fé\u00a0中文字\U0001f600"


def oracle(column: pa.Array, pattern: str) -> np.ndarray:
    """RE2 over every cell: true where a non-null cell does not match in full."""
    matched = pc.match_substring_regex(column, f"^(?:{pattern})$")
    return to_bools(pc.fill_null(pc.and_(pc.is_valid(column), pc.invert(matched)), False))


def fast(column: pa.Array, pattern: str) -> np.ndarray:
    return to_bools(batch.pattern_misses(column, pattern))


# -- random patterns of the family -------------------------------------------------------------

LITERALS = "abcxyzABZ0159 #%&',/:;<=>@_`~\"!-"
ESCAPED = tuple("\\" + c for c in ".-][\\+*?(){}|^$/;nt")  # \. \- \] … \n \t
RANGES = ("a-z", "0-9", "A-F", "a-f", "b-y", "0-4", " -/", "!-~", r"\--9")


@st.composite
def bracket(draw: st.DrawFn) -> str:
    """A bracketed class: literals, escapes, ranges, \\d \\w \\s; sometimes negated."""
    items = draw(
        st.lists(
            st.sampled_from(RANGES)
            | st.sampled_from(ESCAPED)
            | st.sampled_from([r"\d", r"\w", r"\s"])
            | st.sampled_from(LITERALS.replace("-", "")),
            min_size=1,
            max_size=4,
        )
    )
    dash = draw(st.sampled_from(["", "-first", "-last"]))
    body = "".join(items)
    body = "-" + body if dash == "-first" else body + "-" if dash == "-last" else body
    negated = draw(st.booleans())
    return "[" + ("^" if negated else "") + body + "]"


CLASSES = (
    bracket()
    | st.sampled_from([".", r"\d", r"\w", r"\s", r"\D", r"\W", r"\S"])
    | st.sampled_from(ESCAPED)
    | st.sampled_from("abz09-_ ;,")
)


@st.composite
def quantifier(draw: st.DrawFn) -> str:
    low = draw(st.integers(0, 4))
    high = low + draw(st.integers(0, 3))
    return draw(
        st.sampled_from(["", "+", "*", "?", f"{{{low}}}", f"{{{low},}}", f"{{{low},{high}}}"])
    )


@st.composite
def simple_pattern(draw: st.DrawFn) -> str:
    """A pattern of the family: `C<quantifier>` or `C+(sC+)*`, anchored or not."""
    c = draw(CLASSES)
    if draw(st.booleans()):
        separator = draw(st.sampled_from(["-", ";", ",", " ", "_", "a", "0", r"\.", r"\|", r"\\"]))
        group = draw(st.sampled_from(["(", "(?:"]))
        body = f"{c}+{group}{separator}{c}+)*"
    else:
        body = c + draw(quantifier())
    return ("^" if draw(st.booleans()) else "") + body + ("$" if draw(st.booleans()) else "")


@st.composite
def cell(draw: st.DrawFn, pattern: str) -> str:
    """A cell likely to be near the pattern: runs of its class's characters, joined by its
    separator (doubled, leading, trailing at times), with other characters mixed in."""
    simple = patterns.recognise(pattern)
    own = "".join(chr(c) for c in sorted(simple.members)) if simple else pattern or "a"
    mixed = st.sampled_from(own) | st.sampled_from(own) | st.sampled_from(OTHERS + pattern)
    piece = st.text(st.sampled_from(own), max_size=5) | st.text(mixed, max_size=5)
    if simple is None or simple.separator is None:
        return draw(piece)
    separator = chr(simple.separator)
    joint = st.sampled_from([separator, separator, separator * 2])
    edge = st.sampled_from(["", "", separator])
    pieces = draw(st.lists(st.tuples(piece, joint), min_size=1, max_size=4))
    body = "".join(p + j for p, j in pieces)[: -len(pieces[-1][1])]
    return draw(edge) + body + draw(edge)


@st.composite
def column(draw: st.DrawFn, pattern: str) -> pa.Array:
    """A string column of cells near the pattern, with nulls, sometimes sliced (an offset),
    large_string, or with null slots over real bytes."""
    cells = draw(st.lists(st.none() | cell(pattern) | cell(pattern), min_size=1, max_size=30))
    kind = draw(st.sampled_from([pa.string(), pa.large_string()]))
    out = pa.array(cells, kind)
    if draw(st.booleans()):  # null slots that still span bytes
        hidden = np.array(draw(st.lists(st.booleans(), min_size=len(out), max_size=len(out))))
        valid = to_bools(out.is_valid()) & ~hidden
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
        out = pa.Array.from_buffers(kind, len(out), [bitmap, *out.buffers()[1:]])
    if draw(st.booleans()):
        start = draw(st.integers(0, min(3, len(out))))
        out = out.slice(start, len(out) - start - draw(st.integers(0, (len(out) - start) // 2)))
    return out


@st.composite
def case(draw: st.DrawFn) -> tuple[str, pa.Array]:
    pattern = draw(simple_pattern())
    return pattern, draw(column(pattern))


def agree(pattern: str, cells: pa.Array) -> None:
    assert patterns.recognise(pattern) is not None, pattern
    assert fast(cells, pattern).tolist() == oracle(cells, pattern).tolist(), (pattern, cells)


@settings(max_examples=examples(150))
@given(case())
def test_the_bytes_decide_as_re2(sample: tuple[str, pa.Array]) -> None:
    agree(*sample)


@pytest.mark.slow
@settings(max_examples=examples(5000))
@given(case())
def test_the_bytes_decide_as_re2_long(sample: tuple[str, pa.Array]) -> None:
    agree(*sample)


@settings(max_examples=examples(100))
@given(st.sampled_from(REAL).flatmap(lambda p: st.tuples(st.just(p), column(p))))
def test_the_real_patterns_decide_as_re2(sample: tuple[str, pa.Array]) -> None:
    agree(*sample)


# -- what is recognised, and what goes to RE2 ----------------------------------------------------


def test_the_real_patterns_are_recognised() -> None:
    slug, paragraphs, digest = (patterns.recognise(p) for p in REAL)
    assert slug is not None and slug.separator == ord("-") and not slug.wide
    assert paragraphs is not None and paragraphs.separator == ord(";")
    assert digest is not None and (digest.low, digest.high, digest.separator) == (64, 64, None)
    assert digest.members == frozenset(map(ord, "0123456789abcdef"))


@pytest.mark.parametrize(
    "pattern",
    [
        "(a|b)+",
        "ab",
        "[a-z]+?",
        "[a-z]+(-[a-z]+)*?",
        "[a-z]+(-[0-9]+)*",  # a list of two classes
        "[a-z]+([-_][a-z]+)*",  # a class as separator
        "(?i)[a-z]+",
        "[]a]+",
        "[[:alpha:]]+",
        "[a-c-e]+",
        "[é]+",
        "é+",
        r"\pL+",
        r"\bword\b",
        "[a-z]{,3}",
        "[a-z]{2,1}",
        "[a-z]{1001}",
        "^^a$",
        "",
    ],
)
def test_other_patterns_are_not_recognised(pattern: str) -> None:
    assert patterns.recognise(pattern) is None


def calls_to_re2(monkeypatch: pytest.MonkeyPatch) -> list[pa.Array]:
    """The columns RE2 is asked about from now on."""
    seen: list[pa.Array] = []
    match = pc.match_substring_regex

    def spy(strings: pa.Array, pattern: str) -> pa.Array:
        seen.append(strings)
        return match(strings, pattern)

    monkeypatch.setattr(pc, "match_substring_regex", spy)
    return seen


def test_a_pattern_not_recognised_goes_to_re2(monkeypatch: pytest.MonkeyPatch) -> None:
    cells = pa.array(["ab", "ba", "abc", None, "中"])
    seen = calls_to_re2(monkeypatch)
    assert fast(cells, "(ab|ba)").tolist() == [False, False, True, False, True]
    assert [c.to_pylist() for c in seen] == [cells.to_pylist()]


def test_a_recognised_pattern_asks_re2_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    cells = pa.array(["a-b", "a--b", "-a", "中-文", "", None])
    seen = calls_to_re2(monkeypatch)
    assert fast(cells, REAL[0]).tolist() == [False, True, True, True, True, False]
    assert seen == []


@pytest.mark.parametrize(
    "pattern", ["[^a]+", "[^;]+(;[^;]+)*", r"\D{1,3}", ".*", r"\W+", r"\S+", "[^-a-z]?"]
)
def test_wide_classes_hold_non_ascii_characters(pattern: str) -> None:
    cells = pa.array(["é", "中文", "a中", ";中;", "中;文", "中;;文", "\n中", "1é2", "-", "", None])
    assert patterns.recognise(pattern).wide
    assert fast(cells, pattern).tolist() == oracle(cells, pattern).tolist()


def test_re2_reads_only_the_cells_a_wide_class_leaves_open(monkeypatch: pytest.MonkeyPatch):
    cells = pa.array(["ab", "a\nb", "中文", "abcd", None, "é"])
    seen = calls_to_re2(monkeypatch)
    assert fast(cells, ".{1,3}").tolist() == [False, True, False, True, False, False]
    assert [c.to_pylist() for c in seen] == [["中文", "é"]]


def test_separators_across_scan_chunks() -> None:
    """Two separators in a row where one chunk of the byte scan ends and the next begins."""
    filler = "a" * 100
    cells = [filler] * (3 * patterns.CHUNK // 100)
    at = patterns.CHUNK // 100  # the cell whose bytes cross the first chunk's end
    offset = patterns.CHUNK - at * 100  # where in that cell the chunk ends
    cells[at] = "a" * (offset - 1) + "--" + "a" * (99 - offset)
    cells[2 * at] = "a" * 50 + "-" + "a" * 49
    column = pa.array(cells)
    misses = fast(column, REAL[0])
    assert misses.tolist() == oracle(column, REAL[0]).tolist()
    assert np.flatnonzero(misses).tolist() == [at]


def test_a_chunked_column_still_goes_to_re2() -> None:
    cells = pa.chunked_array([["a-b", "a--b"], [None, "中"]])
    assert to_bools(batch.pattern_misses(cells, REAL[0])).tolist() == [False, True, False, True]


# -- end to end: the CLI, every engine -----------------------------------------------------------

FIELDS = {  # field → pattern: three of the family (one wide), one RE2 reads
    "id": REAL[0],
    "refs": REAL[1],
    "note": ".{0,3}",
    "code": "[0-9a-f]{4}",
    "pair": "(ab|cd)+",
}


def rows(count: int, seed: int = 24) -> list[dict[str, str]]:
    """Cells near each field's pattern: doubled, leading and trailing separators, capitals,
    CJK, spaces, empty (missing) cells."""
    rng = np.random.default_rng(seed)
    pieces = {
        "id": ["a", "b1", "x9z", "-", "--", "A", "中", " ", ""],
        "refs": ["1", "23", ";", ";;", "x", "4", ""],
        "note": ["a", "中", "é", "\n", "bc", "😀", ""],
        "code": ["0", "f", "a9", "G", "ff", "中", ""],
        "pair": ["ab", "cd", "a", "b", "abcd", ""],
    }
    out = []
    for i in range(count):
        row = {
            name: "".join(rng.choice(options, rng.integers(0, 4)))
            for name, options in pieces.items()
        }
        row["id"] = row["id"] or f"r{i}"  # no blank row
        out.append(row)
    return out


def write_package(root: Path, table: list[dict[str, str]]) -> Path:
    fields = [
        {"name": n, "type": "string", "constraints": {"pattern": p}} for n, p in FIELDS.items()
    ]
    resource = {"name": "items", "path": "items.csv", "format": "csv", "encoding": "utf-8"}
    resource["schema"] = {"fields": fields}
    descriptor = {"name": "patterns", "resources": [resource]}
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    with open(root / "items.csv", "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, list(FIELDS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)
    return root / "datapackage.json"


@pytest.mark.parametrize("engine", ["fast", "frictionless", "duckdb"])
def test_every_engine_reports_the_cells_re2_rejects(engine: str, tmp_path: Path) -> None:
    table = rows(300)
    expected = []
    for name, pattern in FIELDS.items():
        cells = pa.array([row[name] or None for row in table])  # "" is a missing value
        expected += [(int(i) + 2, name) for i in np.flatnonzero(oracle(cells, pattern))]
    done = run_cli("validate", write_package(tmp_path, table), "-f", "json", "--engine", engine)
    assert done.returncode == 1 and done.stderr == "", done.stderr
    found = json.loads(done.stdout)["findings"]
    assert {f["code"] for f in found} == {"constraint-error"}
    assert sorted((f["row"], f["field"]) for f in found) == sorted(expected)
    assert len(expected) > 100 and {name for _, name in expected} == set(FIELDS)
