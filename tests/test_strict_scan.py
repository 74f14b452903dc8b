"""The strict byte scan's shortcuts against its exact forms, and the read-ahead thread.

The vectorised chunk pass (`_Scan._fast`) must leave exactly the state and findings the exact
byte-by-byte machine (`_slow`) leaves, however the file is cut into chunks and slices and
whatever its dialect; the UTF-8 check by Arrow's validator must place the first bad byte where
Python's decoder places it.
"""

from __future__ import annotations

import codecs
import itertools
import json
import threading
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from expo_data.model.descriptor import open_package
from expo_data.sources.ahead import read_ahead
from expo_data.validation import background, marks, strict
from expo_data.validation.background import BackgroundScan
from expo_data.validation.encoding import Decoder

from conftest import examples

#: the pieces CSV files are made of, the awkward ones included
PIECES = [
    b"a",
    b"bc",
    b",",
    b'"',
    b'""',
    b"\n",
    b"\r\n",
    b"\r",
    b"\0",
    b" ",
    "中".encode(),
    "é".encode(),
    b"\xff",
    b"\xe4\xb8",  # a character cut short
    b"x" * 30,  # past the small cell limit
    b"*",  # with `"` and LF, the bytes one mask and one compare find (`marks.Marker.find`)
    b"\x02",
]
CELL = st.lists(
    st.sampled_from([b"a", b"1", "中".encode(), b" ", b",", b"\n", b'"', b"\r\n", b"\r", b"*"]),
    max_size=12,
)


def _cell(pieces: list[bytes]) -> bytes:
    text = b"".join(pieces)
    if any(c in text for c in (b",", b"\n", b"\r", b'"')):  # a CR quoted too: no bare CR
        return b'"' + text.replace(b'"', b'""') + b'"'
    return text


#: well-formed rows (quoted cells with line breaks among them), now and then an awkward piece
ROW = st.tuples(CELL, CELL, CELL, st.sampled_from([b"\n", b"\r\n"])).map(
    lambda r: b",".join(_cell(c) for c in r[:3]) + r[3]
)
CSV = st.lists(st.one_of(ROW, ROW, ROW, st.sampled_from(PIECES)), max_size=40).map(b"".join)


#: dialects (delimiter, quote) as bytes swapped into the generated files: the default (its
#: quote and LF found by one mask), a quote that no mask separates from LF, one that a mask does
DIALECTS = [(b",", b'"'), (b";", b"'"), (b",", b"*")]


def _package(root: Path, body: bytes, dialect: tuple[bytes, bytes] = DIALECTS[0]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    delimiter, quote = dialect
    # a swap, so a generated `*` (or `;`, `'`) stays a byte of its own
    (root / "t.csv").write_bytes(
        body.translate(bytes.maketrans(b',"' + delimiter + quote, delimiter + quote + b',"'))
    )
    fields = [{"name": n} for n in "abc"]
    resource = {"name": "t", "path": "t.csv", "format": "csv", "schema": {"fields": fields}}
    if dialect != DIALECTS[0]:
        resource["dialect"] = {"delimiter": delimiter.decode(), "quoteChar": quote.decode()}
    (root / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [resource]}))
    return root / "datapackage.json"


def _findings(descriptor: Path, limit: int) -> list[tuple]:
    found = strict.strict_findings(open_package(descriptor), max_cell_bytes=limit)
    return [(f.code, f.row, f.field, f.message) for f in found]


@settings(max_examples=examples(300), deadline=None)
@given(
    body=CSV,
    chunk=st.sampled_from([1, 2, 3, 5, 8, 16, 64, 256, 1 << 22]),
    part=st.sampled_from([3, 8, 16, 24, 1 << 18]),
    runs=st.sampled_from([(8, 2), (64, 16), (strict.FIRST_RUN, strict.SHORTEST_RUN)]),
    limit=st.sampled_from([8, 40, 1 << 20]),
    dialect=st.sampled_from(DIALECTS),
)
def test_the_chunk_pass_finds_what_the_byte_machine_finds(
    body: bytes,
    chunk: int,
    part: int,
    runs: tuple[int, int],
    limit: int,
    dialect: tuple[bytes, bytes],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    descriptor = _package(tmp_path_factory.mktemp("scan"), b"a,b,c\n" + body, dialect)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(strict, "CHUNK", chunk)
        patch.setattr(marks, "SLICE", part)  # chunks looked at in slices of `part` bytes
        # the runs of lines tried where a chunk is not all for the vectorised pass
        patch.setattr(strict, "FIRST_RUN", runs[0])
        patch.setattr(strict, "SHORTEST_RUN", runs[1])
        fast = _findings(descriptor, limit)
        patch.setattr(strict._Scan, "_fast", lambda self, raw: False)  # all by the byte machine
        exact = _findings(descriptor, limit)
    assert fast == exact


@settings(max_examples=examples(300), deadline=None)
@given(
    raw=st.lists(st.sampled_from(b'ab"*\n\r\x02,'), max_size=120).map(bytes),
    part=st.sampled_from([1, 3, 8, 16, 24, 1 << 18]),
    quote=st.sampled_from(b"\"'*"),
)
def test_the_marks_are_the_quotes_and_line_feeds(raw: bytes, part: int, quote: int) -> None:
    """Every quote and line feed, in order, with the bytes there (and only a few others)."""
    if not raw:
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(marks, "SLICE", part)
        found, kinds, returns = marks.Marker(quote, ord(",")).find(
            raw, np.frombuffer(raw, np.uint8)
        )
    data = np.frombuffer(raw, np.uint8)
    assert found.tolist() == sorted(set(found.tolist()))
    assert kinds.tolist() == data[found].tolist()
    wanted = np.flatnonzero((data == quote) | (data == 10)).tolist()
    assert found[(kinds == quote) | (kinds == 10)].tolist() == wanted
    assert returns == raw.count(b"\r")


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.booleans(), max_size=200))
def test_the_word_at_a_time_nonzero_is_numpys(flags: list[bool]) -> None:
    array = np.array(flags, bool)
    words = np.empty(len(flags) // 8 + 1, bool)
    assert marks.nonzero(array, words).tolist() == np.flatnonzero(array).tolist()


def _well_formed(rows: int) -> bytes:
    """CSV rows of every well-formed kind: quoted cells across lines (LF, CR LF), doubled
    quotes, empty quoted cells, `*` (found with the quotes, then left out), CR LF line ends."""
    kinds = [
        b'1,"a ""b"" c",x\n',
        b'2,"two\nlines, and \r\n a third",*\r\n',
        b'3,"",""""\n',
        b"4,plain *,text\n",
    ]
    return b"a,b,c\n" + b"".join(kinds[i % 4] for i in range(rows))


def test_a_well_formed_file_never_needs_the_byte_machine(tmp_path: Path) -> None:
    """Every chunk of a well-formed file is decided by the vectorised pass (the byte machine
    reads only what the vectorised pass cannot decide), however the slices cut its rows."""
    descriptor = _package(tmp_path, _well_formed(20_000))

    def refuse(self, chunk: bytes) -> None:
        raise AssertionError(f"the byte machine was given {len(chunk)} bytes")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(strict._Scan, "_slow", refuse)
        for chunk, part in [(1 << 22, 1 << 18), (1 << 16, 1000), (4099, 64)]:
            patch.setattr(strict, "CHUNK", chunk)
            patch.setattr(marks, "SLICE", part)
            assert _findings(descriptor, 1 << 20) == []


def test_only_the_odd_lines_of_a_chunk_go_to_the_byte_machine(tmp_path: Path) -> None:
    """A quote inside an unquoted cell (a byte like any other to the parsers) breaks the pairing
    by parity: the lines around it go to the byte machine, not its whole chunk."""
    rows = [b'%d,"a quoted cell, of some length",plain text\n' % i for i in range(40_000)]
    for i in range(1000, 40_000, 4000):
        rows[i] = b'%d,"a quoted cell, of some length",plain "quoted" text\n' % i
    descriptor = _package(tmp_path, b"a,b,c\n" + b"".join(rows))
    seen = []
    slow = strict._Scan._slow

    def counted(self, chunk: bytes) -> None:
        seen.append(len(chunk))
        slow(self, chunk)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(strict._Scan, "_slow", counted)
        found = _findings(descriptor, 1 << 20)
        assert len(seen) >= 10 and sum(seen) < 10 * 4 * strict.SHORTEST_RUN
        patch.setattr(strict._Scan, "_fast", lambda self, raw: False)
        assert found == _findings(descriptor, 1 << 20) == []


def test_the_chunk_pass_allocates_slices_not_chunks(tmp_path: Path) -> None:
    """Its numpy temporaries are slices and positions, never a copy of the chunk: over the
    bytes it is given, the vectorised pass holds less than half a chunk more."""
    text = b"a note of the length of a real one, " * 5
    rows = b"".join(b'%d,"%s",x\n' % (i, text + b"\n" * (i % 100 == 0)) for i in range(70_000))
    assert len(rows) > 3 * strict.CHUNK
    package = open_package(_package(tmp_path, b"a,b,c\n" + rows))
    peaks = []
    scan = strict._Scan._scan

    def measured(self, data: bytes) -> None:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        scan(self, data)
        peaks.append(tracemalloc.get_traced_memory()[1] - before)

    tracemalloc.start()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(strict._Scan, "_scan", measured)
            assert strict.strict_findings(package) == []
    finally:
        tracemalloc.stop()
    assert len(peaks) > 3
    assert max(peaks) < strict.CHUNK // 2


BYTES = st.lists(
    st.sampled_from(
        [b"a", "中".encode(), "😀".encode(), b"\xff", b"\xe4", b"\x80", b"\xed\xa0\x80"]
    ),
    max_size=40,
).map(b"".join)


@settings(max_examples=examples(300), deadline=None)
@given(data=BYTES, cuts=st.lists(st.integers(0, 160), max_size=6))
def test_the_utf8_check_places_the_first_bad_byte_as_python_does(data: bytes, cuts: list[int]):
    decoder = Decoder("utf-8")
    edges = sorted({0, len(data), *(c for c in cuts if c < len(data))})
    for start, end in itertools.pairwise(edges):
        decoder.feed(data[start:end])
    decoder.feed(b"", final=True)
    try:
        codecs.decode(data, "utf-8")
        expected = None
    except UnicodeDecodeError as exc:
        expected = (exc.start, data[exc.start : exc.start + 1])
    assert decoder.error == expected


def test_other_encodings_are_checked_by_their_codec() -> None:
    decoder = Decoder("cp1252")
    decoder.feed(b"caf\xe9 ")
    decoder.feed(b"\x81")  # undefined in cp1252
    assert decoder.error == (5, b"\x81")


def test_read_ahead_keeps_order_and_raises_where_the_item_would_come() -> None:
    def items():
        yield from range(5)
        raise ValueError("the sixth item")

    seen = []
    with pytest.raises(ValueError, match="sixth"):
        for item in read_ahead(items()):
            seen.append(item)
    assert seen == [0, 1, 2, 3, 4]
    assert not [t for t in threading.enumerate() if t.name == "expo-data-read-ahead"]


def test_read_ahead_stops_its_thread_when_the_caller_stops_early() -> None:
    made = []

    def items():
        for i in range(1000):
            made.append(i)
            yield i

    iterator = read_ahead(items(), depth=1)
    assert next(iterator) == 0
    iterator.close()
    assert not [t for t in threading.enumerate() if t.name == "expo-data-read-ahead"]
    assert len(made) <= 4  # one item in hand, one waiting, one being made


def test_a_cell_too_large_stops_the_pass_that_reads_alongside(tmp_path: Path) -> None:
    """A resource with a cell over the limit is left out as when the scan ran first."""
    from expo_data import validate

    root = tmp_path / "p"
    root.mkdir()
    (root / "big.csv").write_text("a,b\n" + "x," + "y" * 5000 + "\n" + "1,2\n" * 10)
    (root / "small.csv").write_text("a,b\nx,1\n2,y\n")
    fields = {"fields": [{"name": "a", "type": "integer"}, {"name": "b"}]}
    resources = [
        {"name": n, "path": f"{n}.csv", "format": "csv", "schema": fields} for n in ("big", "small")
    ]
    (root / "datapackage.json").write_text(json.dumps({"name": "p", "resources": resources}))
    report = validate(root / "datapackage.json", max_cell_bytes=1000)
    found = [(f.code, f.resource, f.row) for f in report.findings]
    # the big resource: only the scan's finding (no type error for "x"); the small one: checked
    assert found == [("cell-too-large", "big", 2), ("type-error", "small", 2)]
    assert report.stats["tables"]["big"]["rows"] is None
    names = {t.name for t in threading.enumerate()}
    assert not {"expo-data-strict", "expo-data-read-ahead"} & names


def test_only_a_header_longer_than_the_most_read_is_refused(tmp_path: Path) -> None:
    """A first line ended by CR alone is a line; one past MAX_HEADER is a finding, not a parse."""
    from expo_data import validate
    from expo_data.validation.scan import MAX_HEADER

    rows = MAX_HEADER // 8 + 10  # the file is longer than the header limit
    old_mac = _package(tmp_path / "cr", b"a,b,c\r" + b"1,2,3\r" * rows)
    found = {f.code: f.message for f in validate(old_mac).findings}
    assert "bare-carriage-return" in found and "source-error" not in found
    wide = ",".join(f"c{i}" for i in range(MAX_HEADER // 7)).encode()
    assert len(wide) > MAX_HEADER
    found = {
        f.code: f.message for f in validate(_package(tmp_path / "wide", wide + b"\n1\n")).findings
    }
    assert f"header row is longer than {MAX_HEADER} bytes" in found["source-error"]


def test_a_header_longer_than_a_parse_block_is_read(tmp_path: Path) -> None:
    """pyarrow parses in blocks of BLOCK bytes; a longer first line (within MAX_HEADER) is a
    header all the same: its label is compared, its row read."""
    from expo_data import validate
    from expo_data.validation.scan import BLOCK, MAX_HEADER

    label = b"c" * (2 * BLOCK)
    assert BLOCK < len(label) < MAX_HEADER
    body = b"a,b," + label + b"\n1,2,3\n"
    report = validate(_package(tmp_path, body), max_cell_bytes=MAX_HEADER)
    assert [(f.code, f.row, f.field) for f in report.findings] == [("incorrect-label", 1, "c")]
    assert report.stats["tables"]["t"]["rows"] == 1


def _big_package(root: Path, bad_at: int | None) -> Path:
    """A 3-column CSV of about 3 MiB (several parse blocks), one byte not UTF-8 at `bad_at`."""
    rows = [b"a,b,c\n"] + [f"{i},\u4e2d\u6587{i},x\n".encode() for i in range(200_000)]
    body = bytearray(b"".join(rows))
    if bad_at is not None:
        at = body.index(b"x", bad_at)  # a cell's own byte, not a delimiter
        body[at : at + 1] = b"\xff"
    return _package(root, bytes(body))


@pytest.mark.parametrize("bad_at", [None, 100, 1 << 21, -40])
def test_the_parser_leaves_utf8_to_the_strict_scan_and_the_findings_stay(
    tmp_path: Path, bad_at: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pyarrow does not check UTF-8 cell by cell where the strict scan reads the file; a bad
    byte anywhere (the first batch, a later one, the last line) is the one encoding-error it
    always was, with the line of the byte, and no other finding on that resource."""
    from expo_data import validate
    from expo_data.validation import scan as scanning
    from expo_data.validation import sources

    descriptor = _big_package(tmp_path, bad_at if bad_at is None or bad_at >= 0 else None)
    data = tmp_path / "t.csv"
    if bad_at is not None and bad_at < 0:  # the last row's cell
        body = data.read_bytes()
        data.write_bytes(body[:-2] + b"\xff\n")
    checked = []
    original = sources.csv_batches

    def recording(*args, **kwargs):
        checked.append(kwargs.get("check_utf8", True))
        return original(*args, **kwargs)

    monkeypatch.setattr(scanning, "csv_batches", recording)
    monkeypatch.setattr(scanning, "BATCH", 1)  # every 1 MiB block a batch of its own
    report = validate(descriptor, max_cell_bytes=1 << 20)
    assert checked == [False]
    body = data.read_bytes()
    if bad_at is None:
        assert report.findings == ()
        return
    line = body[: body.index(b"\xff")].count(b"\n") + 1
    assert [(f.code, f.resource) for f in report.findings] == [("encoding-error", "t")]
    assert f"at line {line}" in report.findings[0].message


def test_a_scan_stopped_short_leaves_the_encoding_unknown_and_arrow_checks_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`decoded_to` answers True, False, or None where the scan never got that far; then the
    batch is checked by Arrow's validator, so a bad byte is still an encoding-error."""
    from expo_data import validate

    valid = open_package(_big_package(tmp_path / "valid", None))
    (resource,) = valid.resources
    size = resource.location.stat().st_size
    scan = BackgroundScan(valid)
    assert scan.decoded_to(resource, size) is True
    scan.stop()
    invalid = _big_package(tmp_path / "invalid", 1 << 20)
    scan = BackgroundScan(open_package(invalid))
    assert scan.decoded_to(open_package(invalid).resources[0], 10) is False
    scan.stop()
    monkeypatch.setattr(background, "resource_findings", lambda resource, **options: [])
    silent = BackgroundScan(valid)
    assert silent.decoded_to(resource, size) is None
    silent.stop()
    codes = [f.code for f in validate(invalid).findings]
    assert codes == ["encoding-error"]
