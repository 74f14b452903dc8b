"""The Arrow compute kernels the loader uses, called by name.

`import pyarrow.compute` spends ~90 ms generating docstrings for every kernel: more than
reading a resource. The loader calls the same kernels through `call_function`; everything
else (validation, the rare paths) uses `pyarrow.compute` itself.
"""

from __future__ import annotations

from typing import Any

from pyarrow._compute import (
    CastOptions,
    MatchSubstringOptions,
    ScalarAggregateOptions,
    SetLookupOptions,
    SliceOptions,
    call_function,
)


def _kernel(name: str):
    def kernel(*args: Any) -> Any:
        return call_function(name, list(args))

    kernel.__name__ = kernel.__qualname__ = name
    kernel.__doc__ = f"The `{name}` kernel."
    return kernel


and_, or_, invert = _kernel("and"), _kernel("or"), _kernel("invert")
is_null, is_valid = _kernel("is_null"), _kernel("is_valid")
equal, less_equal, if_else = _kernel("equal"), _kernel("less_equal"), _kernel("if_else")
fill_null, replace_with_mask = _kernel("coalesce"), _kernel("replace_with_mask")
ascii_is_decimal, binary_length = _kernel("ascii_is_decimal"), _kernel("binary_length")


def any(values: Any) -> Any:
    """True where some value is true (nulls skipped)."""
    return call_function("any", [values], ScalarAggregateOptions(skip_nulls=True, min_count=1))


def cast(values: Any, target: Any) -> Any:
    """A safe cast: fails on a value the target type cannot hold."""
    return call_function("cast", [values], CastOptions.safe(target))


def index_in(values: Any, value_set: Any) -> Any:
    """Position of each value in `value_set` (null where absent)."""
    return call_function("index_in", [values], SetLookupOptions(value_set))


def is_in(values: Any, value_set: Any) -> Any:
    """True where a value is in `value_set`."""
    return call_function("is_in", [values], SetLookupOptions(value_set))


def starts_with(strings: Any, prefix: str) -> Any:
    """True where a string starts with `prefix`."""
    return call_function("starts_with", [strings], MatchSubstringOptions(prefix))


def match_substring(strings: Any, pattern: str) -> Any:
    """True where a string contains `pattern`."""
    return call_function("match_substring", [strings], MatchSubstringOptions(pattern))


def match_substring_regex(strings: Any, pattern: str) -> Any:
    """True where the regular expression `pattern` matches somewhere in a string."""
    return call_function("match_substring_regex", [strings], MatchSubstringOptions(pattern))


def utf8_slice_codeunits(strings: Any, start: int) -> Any:
    """Each string from code unit `start` on."""
    return call_function("utf8_slice_codeunits", [strings], SliceOptions(start))


def index(values: Any, value: Any) -> Any:
    """Position of the first `value` (an error path: uses pyarrow.compute itself)."""
    import pyarrow.compute as pc

    return pc.index(values, value)
