"""Small Arrow arrays built from buffers: pyarrow's own constructors import pandas (~0.5 s)."""

from __future__ import annotations

from array import array
from collections.abc import Iterable

import pyarrow as pa


def string_array(values: Iterable[object]) -> pa.Array:
    """A pyarrow string array of `values` (as str), without touching pandas."""
    encoded = [str(v).encode("utf-8") for v in values]
    offsets = array("i", [0])
    for item in encoded:
        offsets.append(offsets[-1] + len(item))
    buffers = [None, pa.py_buffer(offsets.tobytes()), pa.py_buffer(b"".join(encoded))]
    return pa.Array.from_buffers(pa.string(), len(encoded), buffers)
