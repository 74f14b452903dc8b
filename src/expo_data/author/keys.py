"""Guessing keys as a person would: code-like primary keys, foreign keys to any unique column."""

from __future__ import annotations

import re

from .columns import Column, Table

KEY_TYPES = ("string", "integer", "date")
#: a code: letters and digits (with `-` or `_`), at least one letter, at most 12 characters
CODE = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9_-]{1,12}")
#: words in a column name that say it holds identifiers
KEY_WORDS = re.compile(r"(^|[^a-z])(id|iso|code|key|alpha)([^a-z]|$)|id$|code$|key$")


def is_code_like(values: set[str]) -> bool:
    """Short, fixed-width identifiers with letters: `AFG`, `DE`, `o-001` (not names, not numbers)."""
    return (
        bool(values)
        and len({len(v) for v in values}) == 1
        and all(CODE.fullmatch(v) for v in values)
    )


def key_rank(column: Column, missing: set[str]) -> int:
    """Lower is a better primary key: `id`; a code-like column named like a key; an `…_id`
    name; any other code-like column; a `…code`/`…key` name; the rest."""
    lowered = column.name.lower()
    code = column.type == "string" and is_code_like(set(column.present(missing)))
    named = bool(KEY_WORDS.search(lowered))
    if lowered == "id":
        return 0
    if code and named:
        return 1
    if lowered.endswith(("_id", "-id", " id")) or column.name.endswith("Id"):
        return 2
    if code:
        return 3
    if named:
        return 4
    return 5


def unique_columns(table: Table) -> list[Column]:
    """The never-missing key-typed columns whose every value differs."""
    missing = set(table.missing)
    return [
        c
        for c in table.columns
        if c.type in KEY_TYPES
        and c.cells
        and all(v not in missing for v in c.cells)
        and len(set(c.cells)) == table.rows
    ]


def primary_key(table: Table) -> list[str]:
    """The best-ranked unique column, else the best-ranked unique pair of never-missing columns
    (kept in file order)."""
    if not table.rows:
        return []
    missing = set(table.missing)
    unique = unique_columns(table)
    if unique:
        best = min(unique, key=lambda c: (key_rank(c, missing), table.columns.index(c)))
        return [best.name]
    candidates = sorted(
        (c for c in table.columns if c.required and c.type in KEY_TYPES),
        key=lambda c: (key_rank(c, missing), table.columns.index(c)),
    )
    for i, first in enumerate(candidates):
        for second in candidates[i + 1 :]:
            if len(set(zip(first.cells, second.cells, strict=True))) == table.rows:
                pair = sorted((first, second), key=table.columns.index)
                return [c.name for c in pair]
    return []


def foreign_keys(table: Table, tables: list[Table]) -> list[dict]:
    """Columns whose values all occur in a unique column of another table.

    A target is another table's one-column primary key, else any of its unique columns
    (best key first); types must match, and the column's name must mention the target, or
    (strings) it must hold two or more distinct values.
    """
    out = []
    for column in table.columns:
        if column.type not in KEY_TYPES or table.primary_key == [column.name]:
            continue
        values = set(column.present(set(table.missing)))
        if not values:
            continue
        target = _target(column, values, table, tables)
        if target is not None:
            other, key = target
            reference = {"resource": other.name, "fields": [key.name]}
            out.append({"fields": [column.name], "reference": reference})
    return out


def _target(
    column: Column, values: set[str], table: Table, tables: list[Table]
) -> tuple[Table, Column] | None:
    for other in tables:
        if other is table:
            continue
        missing = set(other.missing)
        ranked = sorted(
            unique_columns(other),
            key=lambda c: (other.primary_key != [c.name], key_rank(c, missing)),
        )
        for key in ranked:
            if key.type != column.type or not values <= set(key.cells):
                continue
            if _mentions(column.name, other, key) or (column.type == "string" and len(values) > 1):
                return other, key
    return None


def _mentions(name: str, other: Table, key: Column) -> bool:
    """Whether a column name refers to `other` or its key: `customer_id` → customers."""
    lowered = name.lower()
    stem = other.name.lower().rstrip("s")
    return (lowered == key.name.lower() and lowered != "id") or bool(stem and stem in lowered)
