"""Reading string cells as their Table Schema type, exactly as frictionless' value readers do.

The common path is a whole-column Arrow cast; the few cells it cannot decide (a cast that
fails, an unusual but valid spelling such as " +7" or "1_000") go one by one through
`python_reader`, a transcription of frictionless' value reader for the field (or, for the rare
types and formats not transcribed, frictionless' own reader).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from ..model.typemap import ARROW_TYPES, arrow_type
from . import kernels as pc
from .buffers import FALSE, NULL_STRING, StringBytes, array, bools, scalar, to_bools
from .buffers import strings as string_array

if TYPE_CHECKING:
    from ..model.descriptor import Field

INT64_RANGE = (-(2**63), 2**63 - 1)
#: a run of cells this short whose cast fails goes to the exact per-cell reader as a whole
_EXACT_RUN = 64
#: casts retried after setting aside the cell Arrow names, before halving the array
_RETRIES = 8
_CAST_FAILED = re.compile(r"Failed to parse string: '(.*)' as a scalar of type [^ ]+$", re.S)
_NUMBER_OPTIONS = {"bareNumber", "groupChar", "decimalChar"}
_4, _18 = (array([n], pa.int32())[0] for n in (4, 18))
#: 0001-01-01 as days since 1970-01-01: Arrow reads year 0, Python's `date` refuses it
_YEAR_ONE = array([-719162], pa.int32())[0]
#: what `datetime.strptime(cell, "%Y-%m-%d")` matches: the regex Python's _strptime builds
_ISO_DATE = re.compile(
    r"(?P<Y>\d\d\d\d)-(?P<m>1[0-2]|0[1-9]|[1-9])-(?P<d>3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])",
    re.IGNORECASE,
)


def values(field: Field, strings: pa.Array | pa.ChunkedArray) -> tuple[Any, Any, Any]:
    """The cells as the field's type (null where missing or unreadable) and two masks.

    `strings` is a string column, null where a cell is a missing value. The first mask is true
    where a present cell cannot be read as the field's type (a frictionless `type-error`), the
    second where frictionless reads a value the Arrow type cannot hold (an integer beyond
    int64, a number beyond float64). Values are of the plain Arrow type of
    `typemap.ARROW_TYPES` (enum strings stay strings).
    """
    return _per_chunk(field, strings)


def parse(field: Field, strings: pa.ChunkedArray) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """Cast a string column to the field's Arrow type, for loading.

    Returns the typed column (null where a cell does not parse; enum strings as an ordered
    dictionary) and a mask true where a non-null cell cannot be loaded: a `type-error`, or a
    valid value the Arrow type cannot hold (an integer beyond 64 bits).
    """
    typed, bad, lost = _per_chunk(field, strings)
    target = arrow_type(field)
    if pa.types.is_list(target):
        reader, item = python_reader(field), target.value_type
        chunks = []
        for chunk in typed.chunks:
            lists = [None if c is None else reader(c) for c in chunk.to_pylist()]
            items = [None if v is None else [_to_arrow(item, x, str(x)) for x in v] for v in lists]
            chunks.append(pa.array(items, type=target))
        typed = pa.chunked_array(chunks, target)
    elif pa.types.is_dictionary(target):
        typed = pa.chunked_array(
            [_dictionary(c, categories(field), target.ordered) for c in typed.chunks], target
        )
    return typed, pc.or_(bad, lost)


def _dictionary(chunk: pa.Array, values: pa.Array, ordered: bool) -> pa.DictionaryArray:
    """A chunk as a dictionary over `values`; a value outside them is added after them.

    An enum or category is a constraint: validation reports a value outside it, loading
    keeps it (data are read as written, never lost).
    """
    outside = pc.and_(pc.is_valid(chunk), pc.invert(pc.is_in(chunk, value_set=values)))
    if pc.any(outside).as_py():
        extra = chunk.filter(outside).unique()
        values = pa.concat_arrays([values, extra.cast(values.type)])
    indices = pc.index_in(chunk, value_set=values)
    return pa.DictionaryArray.from_arrays(indices, values, ordered=ordered)


def categories(field: Field) -> pa.Array:
    """The values a dictionary-typed field may hold (v2 `categories`, else its `enum`)."""
    values = field.categories if field.categories is not None else field.enum
    return array([read_value(field, v) for v in values], ARROW_TYPES[field.type])


def _per_chunk(field: Field, strings: pa.Array | pa.ChunkedArray) -> tuple[Any, Any, Any]:
    if isinstance(strings, pa.Array):
        return _read(field, strings)
    parts = [_read(field, chunk) for chunk in strings.chunks]
    typed, bad, lost = zip(*parts, strict=True) if parts else ((), (), ())
    return (
        pa.chunked_array(typed, ARROW_TYPES[field.type]),
        pa.chunked_array(bad, pa.bool_()),
        pa.chunked_array(lost, pa.bool_()),
    )


def _read(field: Field, strings: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(typed, type-error mask, lost mask) for one string array."""
    kind, fmt = field.type, field.format
    none = pc.is_null(pc.is_null(strings))  # all false, as long as the column
    if kind == "string" and fmt == "default":
        return strings, none, none
    if kind == "boolean":  # one lookup: false values first, as a value in both is false
        falses = list(field.false_values)
        at = pc.index_in(strings, value_set=string_array(falses + list(field.true_values)))
        typed = pc.greater_equal(at, scalar(len(falses), pa.int32()))
        return typed, pc.and_(pc.is_valid(strings), pc.is_null(at)), none
    if kind == "integer" and field.descriptor.get("bareNumber", True):
        return _cast_then_exact(field, strings, pa.int64(), _integer_like)
    if kind == "number" and not _NUMBER_OPTIONS & set(field.descriptor):
        return _cast_then_exact(field, strings, pa.float64(), _number_like)
    if kind == "date" and fmt == "default":
        return _cast_then_exact(field, strings, pa.date32(), _date_like)
    if kind == "year":
        return _cast_then_exact(field, strings, pa.int16(), _year_like)
    return _exact(field, strings, pc.is_valid(strings), pa.nulls(len(strings), ARROW_TYPES[kind]))


def _cast_then_exact(
    field: Field, strings: pa.Array, target: pa.DataType, like: Callable[[pa.Array], pa.Array]
) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Cast what Arrow reads the frictionless way; read the rest cell by cell.

    A column Arrow casts whole is done: every string Arrow's integer, float and date parsers
    accept, frictionless accepts with the same value (but Arrow reads "nan(1)", so a number
    column with "(" and a year column are never cast whole). Otherwise `like` picks the
    cells in the common spelling, cast together, and the rest are read by `python_reader`.
    """
    none = pc.is_null(pc.is_null(strings))
    whole = target != pa.int16()  # Arrow would read "-123" or "12" as an int16 year
    if target == pa.float64():
        whole = not _holds(strings, b"(")
    if target == pa.int64():  # Arrow reads hex ("0x10", "0X1F"); frictionless refuses it
        whole = not _holds(strings, b"xX")
    if whole:
        try:
            typed = pc.cast(strings, target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        else:
            doubtful = _doubtful(typed)
            if doubtful is None:
                return typed, none, none
            return _exact(field, strings, doubtful, typed)
    common = pc.fill_null(like(strings), FALSE)
    typed, failed = _cast_or_split(pc.if_else(common, strings, NULL_STRING), target)
    rest = pc.or_(failed, pc.and_(pc.is_valid(strings), pc.invert(common)))
    doubtful = _doubtful(typed)
    return _exact(field, strings, rest if doubtful is None else pc.or_(rest, doubtful), typed)


def _holds(strings: pa.Array, chars: bytes) -> bool:
    """Whether a cell may hold one of these ASCII bytes: one byte search over the cells' data.

    The bytes under null cells are searched too: a false alarm only sends the column to
    the exact path, which reads what the whole cast would.
    """
    if not StringBytes.reads(strings):
        return any(
            pc.any(pc.fill_null(pc.match_substring(strings, chr(char)), FALSE)).as_py()
            for char in chars
        )
    span = StringBytes(strings).span
    return any(bool((span == char).any()) for char in chars)


def _doubtful(typed: pa.Array) -> pa.Array | None:
    """Cells Arrow read but frictionless may not, to be read exactly; None if there are none.

    A number Arrow read as infinite may be a finite one beyond float64 ("1e400"), which
    frictionless reads and a float64 cannot hold; a date in year 0 Arrow reads, Python's
    `date` (and so frictionless) refuses.
    """
    if typed.type == pa.float64():
        mask = pc.is_inf(typed)
    elif typed.type == pa.date32():  # before 0001-01-01: its days since 1970, not its year
        mask = pc.less(typed.view(pa.int32()), _YEAR_ONE)
    else:
        return None
    mask = pc.fill_null(mask, FALSE)
    return mask if pc.any(mask).as_py() else None


def _integer_like(strings: pa.Array) -> pa.Array:
    """Up to 18 digits, maybe after a minus: always an int64, read as Python's int() does."""
    if not StringBytes.reads(strings):
        digits = pc.if_else(
            pc.starts_with(strings, "-"), pc.utf8_slice_codeunits(strings, 1), strings
        )
        return pc.and_(pc.ascii_is_decimal(digits), pc.less_equal(pc.binary_length(digits), _18))
    cells = StringBytes(strings)  # from the bytes: a cell's bytes that are not digits
    others = np.concatenate(([0], np.cumsum(~_digits(cells.span), dtype=np.int64)))
    lengths = cells.ends - cells.starts
    minus = (cells.first() == ord("-")) & (lengths > 0)
    inside = others[cells.ends - cells.low] - others[cells.starts - cells.low]
    digits = lengths - minus
    return _valid_and(strings, (inside == minus) & (digits >= 1) & (digits <= 18))


def _number_like(strings: pa.Array) -> pa.Array:
    return pc.match_substring_regex(strings, r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")


def _date_like(strings: pa.Array) -> pa.Array:
    """YYYY-MM-DD in ASCII digits (`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`), decided from the bytes."""
    if not StringBytes.reads(strings):
        return pc.match_substring_regex(strings, r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    cells = StringBytes(strings)
    like = (cells.ends - cells.starts) == 10
    for k in range(10):
        at = cells.byte(cells.starts + k)
        like &= (at == ord("-")) if k in (4, 7) else _digits(at)
    return _valid_and(strings, like)


def _digits(values: np.ndarray) -> np.ndarray:
    """Whether each byte is an ASCII digit (one subtraction and one comparison, wrapping)."""
    return (values - np.uint8(ord("0"))) < np.uint8(10)


def _valid_and(strings: pa.Array, mask: np.ndarray) -> pa.Array:
    """`mask` as a boolean array, false where the cell is null (the kernels' null, filled)."""
    if strings.null_count:
        mask &= to_bools(pc.is_valid(strings))
    return bools(mask)


def _year_like(strings: pa.Array) -> pa.Array:
    """Four ASCII digits: what frictionless reads as a year, and an int16 holds."""
    return pc.and_(pc.ascii_is_decimal(strings), pc.equal(pc.binary_length(strings), _4))


def _cast_or_split(strings: pa.Array, target: pa.DataType) -> tuple[pa.Array, pa.Array]:
    """Cast, setting aside the cells that fail; (typed, mask of cells left undecided).

    Arrow names the cell a cast fails on: those cells are set aside and the cast retried, a
    few times (work per failing value, not per row); then the array is halved around them.
    """
    undecided = pc.is_null(pc.is_null(strings))
    for _ in range(_RETRIES if len(strings) > _EXACT_RUN else 0):
        try:
            return pc.cast(strings, target), undecided
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            named = _CAST_FAILED.match(str(exc))
            if named is None:
                break
            failed = pc.fill_null(pc.equal(strings, scalar(named[1], pa.string())), FALSE)
            if not pc.any(failed).as_py():
                break
            undecided = pc.or_(undecided, failed)
            strings = pc.if_else(failed, NULL_STRING, strings)
    typed, rest = _split(strings, target)
    return typed, pc.or_(undecided, rest)


def _split(strings: pa.Array, target: pa.DataType) -> tuple[pa.Array, pa.Array]:
    """Cast, halving the array around cells that fail; (typed, mask of cells left undecided)."""
    try:
        typed = pc.cast(strings, target)
        return typed, pc.is_null(pc.is_null(strings))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    if len(strings) <= _EXACT_RUN:
        return pa.nulls(len(strings), target), pc.is_valid(strings)
    half = len(strings) // 2
    left, right = _split(strings.slice(0, half), target), _split(strings.slice(half), target)
    return (
        pa.concat_arrays([left[0], right[0]]),
        pa.concat_arrays([left[1], right[1]]),
    )


def _exact(
    field: Field, strings: pa.Array, todo: pa.Array, typed: pa.Array
) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Read the `todo` cells one by one with `python_reader` and merge them into `typed`."""
    todo = pc.fill_null(todo, FALSE)
    reader = python_reader(field)
    target = ARROW_TYPES[field.type]
    cells = strings.filter(todo).to_pylist()
    read = [reader(cell) for cell in cells]
    arrow = [_to_arrow(target, value, cell) for value, cell in zip(read, cells, strict=True)]
    none = pc.is_null(pc.is_null(strings))
    typed = pc.replace_with_mask(typed, todo, array(arrow, target))
    bad = pc.replace_with_mask(none, todo, bools(np.array([v is None for v in read], bool)))
    lost = [v is not None and a is None for v, a in zip(read, arrow, strict=True)]
    return typed, bad, pc.replace_with_mask(none, todo, bools(np.array(lost, bool)))


def _to_arrow(target: pa.DataType, value: Any, cell: str) -> Any:
    """A value from `python_reader` as the Arrow type holds it (None if it cannot)."""
    if value is None:
        return None
    if target == pa.string():
        return cell  # kept in its lexical form
    if target == pa.int64():
        return value if INT64_RANGE[0] <= value <= INT64_RANGE[1] else None
    if target == pa.float64():
        if not isinstance(value, Decimal):
            return float(value)
        if value.is_nan():
            return float("nan")
        number = float(value)
        return None if value.is_finite() and math.isinf(number) else number  # beyond float64
    if target == pa.time64("us"):
        return value.replace(tzinfo=None)
    if isinstance(value, datetime) and value.tzinfo is not None:
        try:  # its UTC instant may fall outside the years 1-9999 Python holds
            return value.astimezone(timezone.utc)
        except OverflowError:
            return None
    return value


def read_value(field: Field, value: Any) -> Any:
    """A descriptor value (enum item, minimum…) read as frictionless reads it, for Arrow."""
    target = ARROW_TYPES[field.type]
    if isinstance(value, str):
        return _to_arrow(target, python_reader(field)(value), value)
    if isinstance(value, bool):
        return value if field.type == "boolean" else None
    if field.type == "number" and isinstance(value, int | float):
        return float(value)
    if field.type in ("integer", "year") and isinstance(value, int | float):
        return int(value) if float(value).is_integer() else None
    return value


def python_reader(field: Field) -> Callable[[str], Any]:
    """frictionless' value reader for `field`: a value, or None where the cell is unreadable."""
    kind, fmt, descriptor = field.type, field.format, field.descriptor
    if kind == "string" and fmt == "default":
        return str
    if kind == "boolean":
        mapping = {v: True for v in field.true_values} | {v: False for v in field.false_values}
        return mapping.get
    if kind == "integer" and descriptor.get("bareNumber", True):
        return _integer
    if kind == "number" and not _NUMBER_OPTIONS & set(descriptor):
        return _float if descriptor.get("floatNumber") else _decimal
    if kind == "date" and fmt == "default":
        return _date
    if kind == "year":
        return _year
    if kind == "datetime" and fmt == "default":
        return _datetime
    import frictionless

    return frictionless.Field.from_descriptor(dict(descriptor)).create_value_reader()


def _integer(cell: str) -> int | None:
    try:
        return int(cell.strip())
    except Exception:
        return None


def _decimal(cell: str) -> Decimal | None:
    try:
        return Decimal(cell.strip())
    except Exception:
        return None


def _float(cell: str) -> float | None:
    try:
        return float(cell.strip())
    except Exception:
        return None


def _date(cell: str) -> date | None:
    """`datetime.strptime(cell, "%Y-%m-%d").date()`, without strptime's per-call overhead."""
    found = _ISO_DATE.match(cell)
    if found is None or found.end() != len(cell):
        return None
    try:
        return date(int(found["Y"]), int(found["m"]), int(found["d"]))
    except ValueError:
        return None


def _year(cell: str) -> int | None:
    if len(cell) != 4:
        return None
    try:
        year = int(cell)
    except Exception:
        return None
    return year if 0 <= year <= 9999 else None


def _datetime(cell: str) -> datetime | None:
    from dateutil import parser

    try:
        if cell[16] != ":" or len(cell) < 19:  # frictionless' guard against short forms
            return None
        return parser.isoparse(cell)
    except Exception:
        return None
