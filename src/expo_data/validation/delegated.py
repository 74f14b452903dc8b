"""The checks frictionless lacks, for the packages the fast engine hands to frictionless.

A package whose dialect, `fieldsMatch` or compression the fast engine does not read gets its
Table Schema findings from frictionless, which checks no `pattern` (left out: it would match
with a backtracking regex), no v2 `categories` or `uniqueKeys`, and reads values the loaders
cannot hold. These checks read the loader's own string table instead (which reads such
packages), so the promise holds for them too.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ExpoDataError
from ..read import cells
from ..read.buffers import to_bools
from ..sources.delimited import read_strings, record_numbers
from .batch import OUT_OF_RANGE, pattern_misses
from .keys import repeat_findings
from .ordering import cell_finding
from .report import Finding
from .sources import is_text

if TYPE_CHECKING:
    from ..model.descriptor import Package, Resource


def delegated_findings(package: Package, *, limit: int) -> list[Finding]:
    """Pattern, categories, out-of-range and uniqueKeys findings of every CSV resource."""
    out: list[Finding] = []
    for resource in package.resources:
        if not is_text(resource):
            continue
        try:
            table = read_strings(resource)
        except (ExpoDataError, pa.ArrowException):
            continue  # frictionless' findings say why the resource cannot be read
        out += _resource(resource, table)[:limit]
    return out


def _resource(resource: Resource, table: pa.Table) -> list[Finding]:
    found: list[tuple[int, int, str, object]] = []  # (index, column, constraint, cell)
    typed_columns = {}
    for j, field in enumerate(resource.schema.fields):
        raw = table.column(field.name).combine_chunks()
        typed, _, lost = cells.values(field, raw)
        typed_columns[field.name] = typed
        masks = [(OUT_OF_RANGE, lost)]
        pattern = field.constraints.get("pattern")
        if pattern is not None and field.type == "string":
            masks.append(("pattern", pattern_misses(typed, pattern)))
        if field.categories is not None:
            allowed = cells.categories(field)
            outside = pc.and_(pc.is_valid(typed), pc.invert(pc.is_in(typed, value_set=allowed)))
            masks.append(("categories", outside))
        for constraint, mask in masks:
            for i in np.flatnonzero(to_bools(mask)).tolist():
                found.append((i, j, constraint, raw[i].as_py()))
    numbers = record_numbers(resource) if found or resource.schema.unique_keys else []
    out = []
    for i, j, constraint, cell in sorted(found):
        field = resource.schema.fields[j]
        error = SimpleNamespace(position=j, constraint=constraint)
        out.append(cell_finding(resource, field, error, int(numbers[i]), cell))
    rows = np.asarray(numbers, np.int64)
    for key in resource.schema.unique_keys:
        out += repeat_findings(resource, key, [typed_columns[name] for name in key], rows)
    return out
