"""Schema changes between two versions of a resource, each classified breaking or not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..model.descriptor import Field, Resource, Schema

#: bounds whose raising narrows what a field accepts (the others narrow when lowered)
LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength")
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength")
#: constraints that only narrow when they are added (and widen when removed)
FLAGS = ("required", "unique")


@dataclass(frozen=True)
class SchemaChange:
    """One schema change: a stable kebab-case `change` code, the field ('' = resource-wide)."""

    change: str
    field: str = ""
    breaking: bool = False
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "field": self.field,
            "breaking": self.breaking,
            "detail": self.detail,
        }


def resource_changes(old: Resource | None, new: Resource | None) -> list[SchemaChange]:
    """What changed in the resource's schema from `old` to `new` (None = absent)."""
    if old is None and new is not None:
        return [SchemaChange("resource-added", detail=f"new resource {new.name!r}")]
    if new is None and old is not None:
        return [SchemaChange("resource-removed", breaking=True, detail=f"{old.name!r} is gone")]
    assert old is not None and new is not None
    return schema_changes(old.schema, new.schema)


def schema_changes(old: Schema, new: Schema) -> list[SchemaChange]:
    """Field, constraint, key and missingValues changes between two Table Schemas."""
    changes: list[SchemaChange] = []
    old_names, new_names = old.names, new.names
    for name in old_names:
        if name not in new_names:
            changes.append(SchemaChange("field-removed", name, True, f"{old.field(name).type}"))
    for name in new_names:
        if name not in old_names:
            f = new.field(name)
            required = f.required
            changes.append(
                SchemaChange(
                    "field-added",
                    name,
                    required,
                    f"{f.type}, {'required' if required else 'nullable'}",
                )
            )
    common = [n for n in old_names if n in new_names]
    if [n for n in new_names if n in common] != common:
        changes.append(
            SchemaChange("fields-reordered", detail=f"now {', '.join(new_names)}", breaking=False)
        )
    for name in common:
        changes.extend(field_changes(old.field(name), new.field(name)))
    if tuple(old.primary_key) != tuple(new.primary_key):
        changes.append(
            SchemaChange(
                "primary-key-changed",
                breaking=True,
                detail=f"{_keys(old.primary_key)} → {_keys(new.primary_key)}",
            )
        )
    old_fks, new_fks = set(old.foreign_keys), set(new.foreign_keys)
    for fk in sorted(new_fks - old_fks, key=repr):
        changes.append(SchemaChange("foreign-key-added", ",".join(fk.fields), True, _fk(fk)))
    for fk in sorted(old_fks - new_fks, key=repr):
        changes.append(SchemaChange("foreign-key-removed", ",".join(fk.fields), False, _fk(fk)))
    added = [v for v in new.missing_values if v not in old.missing_values]
    removed = [v for v in old.missing_values if v not in new.missing_values]
    if added or removed:
        changes.append(
            SchemaChange(
                "missing-values-changed",
                breaking=bool(added),
                detail=_delta(added, removed),
            )
        )
    return changes


def field_changes(old: Field, new: Field) -> list[SchemaChange]:
    """Type, format, constraint and enum/categories changes of one field."""
    name, changes = old.name, []
    if old.type != new.type:
        changes.append(SchemaChange("type-changed", name, True, f"{old.type} → {new.type}"))
    if old.format != new.format:
        changes.append(SchemaChange("format-changed", name, False, f"{old.format} → {new.format}"))
    before, after = dict(old.constraints), dict(new.constraints)
    for key in sorted(set(before) | set(after)):
        if key == "enum":
            continue
        changes.extend(_constraint(name, key, before.get(key), after.get(key)))
    changes.extend(_values("enum", name, old.enum, new.enum))
    changes.extend(
        _values("categories", name, _categories(old.descriptor), _categories(new.descriptor))
    )
    return changes


def _constraint(name: str, key: str, old: Any, new: Any) -> list[SchemaChange]:
    if old == new:
        return []
    if key in FLAGS:
        old, new = bool(old), bool(new)
        if old == new:
            return []
        code = "constraint-added" if new else "constraint-removed"
        return [SchemaChange(code, name, new, f"{key}")]
    if old is None:
        return [SchemaChange("constraint-added", name, True, f"{key} {new!r}")]
    if new is None:
        return [SchemaChange("constraint-removed", name, False, f"{key} {old!r}")]
    detail = f"{key} {old!r} → {new!r}"
    try:
        if key in LOWER_BOUNDS:
            narrowed = new > old
        elif key in UPPER_BOUNDS:
            narrowed = new < old
        else:  # a pattern or another constraint: no order to tell, so treat it as narrowing
            return [SchemaChange("constraint-changed", name, True, detail)]
    except TypeError:
        return [SchemaChange("constraint-changed", name, True, detail)]
    code = "constraint-narrowed" if narrowed else "constraint-widened"
    return [SchemaChange(code, name, narrowed, detail)]


def _values(what: str, name: str, old: list | None, new: list | None) -> list[SchemaChange]:
    """Changes of an enum or categories list; adding or dropping the list changes the type."""
    if old == new:
        return []
    if old is None:
        return [SchemaChange("constraint-added", name, True, f"{what} {_list(new or [])}")]
    if new is None:
        return [SchemaChange("constraint-removed", name, True, f"{what} {_list(old)}")]
    changes = []
    added = [v for v in new if v not in old]
    removed = [v for v in old if v not in new]
    if added:
        changes.append(SchemaChange(f"{what}-values-added", name, False, _list(added)))
    if removed:
        changes.append(SchemaChange(f"{what}-values-removed", name, True, _list(removed)))
    if not added and not removed:
        changes.append(SchemaChange(f"{what}-reordered", name, False, f"now {_list(new)}"))
    return changes


def _categories(descriptor: Any) -> list | None:
    """A field's Data Package v2 `categories` as plain values (labels dropped)."""
    raw = descriptor.get("categories") if hasattr(descriptor, "get") else None
    if not isinstance(raw, list):
        return None
    return [c.get("value") if isinstance(c, dict) else c for c in raw]


def _keys(fields: tuple[str, ...] | list[str]) -> str:
    return f"[{', '.join(fields)}]" if fields else "none"


def _fk(fk: Any) -> str:
    target = fk.resource or "(this resource)"
    return f"{_keys(fk.fields)} → {target} {_keys(fk.reference_fields)}"


def _list(values: list) -> str:
    return ", ".join(repr(v) for v in values)


def _delta(added: list, removed: list) -> str:
    parts = [f"+{v!r}" for v in added] + [f"-{v!r}" for v in removed]
    return " ".join(parts)


def rename(removed: SchemaChange, added: SchemaChange) -> SchemaChange:
    """The change that replaces a removed and an added field holding the same values."""
    return SchemaChange(
        "field-renamed", added.field, True, f"{removed.field} → {added.field} (same values)"
    )
