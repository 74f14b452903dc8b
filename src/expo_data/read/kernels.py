"""The Arrow compute kernels the loader uses, called by name.

`import pyarrow.compute` spends ~90 ms generating docstrings for every kernel: more than
reading a resource. The loader calls the same kernels through `call_function`; everything
else (validation, the rare paths) uses `pyarrow.compute` itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
from pyarrow._compute import (
    CastOptions,
    MatchSubstringOptions,
    ScalarAggregateOptions,
    SetLookupOptions,
    SliceOptions,
    call_function,
)


def _kernel(name: str, options: Callable[..., Any] | None = None) -> Callable[..., Any]:
    """`pyarrow.compute.<name>`: arrays as arguments, or one array plus the kernel's options."""

    def kernel(*args: Any, **kwargs: Any) -> Any:
        if options is None:
            return call_function(name, list(args))
        return call_function(name, [args[0]], options(*args[1:], **kwargs))

    kernel.__name__ = kernel.__qualname__ = name
    kernel.__doc__ = f"The `{name}` kernel."
    return kernel


and_, or_, invert = _kernel("and"), _kernel("or"), _kernel("invert")
is_null, is_valid = _kernel("is_null"), _kernel("is_valid")
equal, less_equal = _kernel("equal"), _kernel("less_equal")
fill_null, replace_with_mask = _kernel("coalesce"), _kernel("replace_with_mask")
ascii_is_decimal, binary_length = _kernel("ascii_is_decimal"), _kernel("binary_length")
any = _kernel("any", lambda: ScalarAggregateOptions(skip_nulls=True, min_count=1))
cast = _kernel("cast", CastOptions.safe)  # fails on a value the target type cannot hold
index_in, is_in = _kernel("index_in", SetLookupOptions), _kernel("is_in", SetLookupOptions)
starts_with = _kernel("starts_with", MatchSubstringOptions)
match_substring = _kernel("match_substring", MatchSubstringOptions)
match_substring_regex = _kernel("match_substring_regex", MatchSubstringOptions)
utf8_slice_codeunits = _kernel("utf8_slice_codeunits", SliceOptions)
year, less, is_inf = _kernel("year"), _kernel("less"), _kernel("is_inf")
greater_equal = _kernel("greater_equal")


def index(values: Any, value: Any) -> Any:
    """Position of the first `value` (an error path: uses pyarrow.compute itself)."""
    import pyarrow.compute as pc

    return pc.index(values, value)


#: pyarrow < 24 reads a sliced string array beside a scalar in `if_else` from its buffer's
#: start, not its offset (apache/arrow#49410): such arrays are copied unsliced first
IF_ELSE_IGNORES_OFFSETS = int(pa.__version__.split(".")[0]) < 24
#: pyarrow < 26 returns decomposed text from `utf8_normalize(…, "NFC")` (apache/arrow#51225)
NFC_DECOMPOSES = int(pa.__version__.split(".")[0]) < 26


def if_else(cond: Any, left: Any, right: Any) -> Any:
    """The `if_else` kernel, right on sliced string arrays with any pyarrow."""
    if IF_ELSE_IGNORES_OFFSETS:
        left, right = _unsliced(left), _unsliced(right)
    return call_function("if_else", [cond, left, right])


def _unsliced(value: Any) -> Any:
    if isinstance(value, pa.ChunkedArray):
        return pa.chunked_array([_unsliced(c) for c in value.chunks], value.type)
    if isinstance(value, pa.Array) and value.offset and _is_text(value.type):
        return pa.concat_arrays([value])  # a copy starting at offset 0
    return value


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_binary(kind)


def utf8_normalize_nfc(strings: Any) -> Any:
    """Strings in Unicode NFC, with any pyarrow (Python's `unicodedata` where Arrow's is wrong)."""
    if not NFC_DECOMPOSES:
        from pyarrow._compute import Utf8NormalizeOptions

        return call_function("utf8_normalize", [strings], Utf8NormalizeOptions("NFC"))
    import unicodedata

    def nfc(chunk: pa.Array) -> pa.Array:
        values = chunk.to_pylist()
        return pa.array([None if v is None else unicodedata.normalize("NFC", v) for v in values])

    if isinstance(strings, pa.ChunkedArray):
        return pa.chunked_array([nfc(c) for c in strings.chunks], pa.string())
    return nfc(strings)
