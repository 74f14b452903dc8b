"""Data Package v2 `uniqueKeys`: rows whose values in a key's fields repeat an earlier row's."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..read.buffers import to_bools
from .report import Finding
from .rowkeys import codes, duplicates, nan_mask

if TYPE_CHECKING:
    from ..model.descriptor import Resource
    from .fast import _Scan


def unique_key_findings(scan: _Scan, limit: int) -> list[Finding]:
    """One `unique-key` finding per repeating row and key (at most `limit` per resource).

    As the v2 spec reads (and SQL's UNIQUE): a row with a missing value in any of the key's
    fields is not compared.
    """
    resource, found = scan.resource, scan.found
    if scan.failure is not None or scan.labels is None or found.key_rows is None:
        return []
    position = {f.name: j for j, f in enumerate(scan.fields()) if f is not None}
    numbers, out = found.key_rows, []
    for key in resource.schema.unique_keys:
        where = [position.get(name) for name in key]
        if None in where or any(j not in found.keys for j in where):
            continue  # a missing column: the header findings say so
        out += key_findings(resource, key, [found.keys[j][0] for j in where], numbers)
    out.sort(key=lambda f: f.row)
    return out[:limit]


def key_findings(
    resource: Resource, key: tuple[str, ...], columns: list, numbers: np.ndarray
) -> list[Finding]:
    """A `unique-key` finding for each row whose `columns` (typed) repeat an earlier row's.

    `numbers` are the rows' record numbers; a row missing any of the key's values is skipped.
    """
    nulls = np.logical_or.reduce([to_bools(c.is_null()) for c in columns])
    at, before = duplicates(codes(columns), numbers, ~nulls & ~nan_mask(columns))
    out = []
    for i, b in zip(at.tolist(), before.tolist(), strict=True):
        message = (
            f'Row at position "{numbers[i]}" violates the unique key "{", ".join(key)}": '
            f"the same values as in the row at position {numbers[b]}"
        )
        out.append(
            Finding(
                "unique-key", resource.name, int(numbers[i]), ",".join(key), message, resource.path
            )
        )
    return out
