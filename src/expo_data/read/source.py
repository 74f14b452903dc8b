"""Opening a resource's bytes: files memory-mapped, trusted URLs fetched."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from ..errors import DataError

if TYPE_CHECKING:
    from ..model.descriptor import Resource


def open_source(resource: Resource) -> pa.NativeFile | str:
    """An input stream for the resource's bytes (files are memory-mapped, URLs fetched)."""
    if resource.is_remote:
        from urllib.request import urlopen

        try:
            with urlopen(resource.location, timeout=60) as response:
                return pa.BufferReader(response.read())
        except OSError as exc:
            raise DataError(f"cannot fetch: {exc}", path=resource.path) from None
    try:
        return pa.memory_map(str(resource.location))
    except FileNotFoundError:
        raise DataError("file not found", path=resource.path) from None
    except OSError as exc:
        raise DataError(f"cannot read: {exc}", path=resource.path) from None
