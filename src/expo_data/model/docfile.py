"""Reading a descriptor file (JSON or YAML, local or a trusted URL) into one JSON object."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from ..errors import PackageError

#: how deeply a descriptor's or schema's JSON may nest
MAX_JSON_DEPTH = 64
#: the largest descriptor or schema file read (bytes)
MAX_DESCRIPTOR_BYTES = 64 << 20
#: suffixes read as YAML (frictionless reads `.yaml`; the datahub core datasets publish `.yml`)
YAML_SUFFIXES = (".yaml", ".yml")


def read_object(path: Path | str, what: str) -> dict:
    """The JSON object in a JSON or YAML file (or trusted URL); PackageError if it cannot be read."""
    if isinstance(path, str):
        from .transfer import read_url

        raw = read_url(path, limit=MAX_DESCRIPTOR_BYTES, what=what)
        name = path.split("?", 1)[0]
    else:
        name = path.name
        try:
            if path.stat().st_size > MAX_DESCRIPTOR_BYTES:
                raise PackageError(f"{path}: {what} is larger than {MAX_DESCRIPTOR_BYTES} bytes")
            raw = path.read_bytes()
        except FileNotFoundError:
            raise PackageError(f"{path}: {what} not found") from None
        except OSError as exc:
            raise PackageError(f"{path}: cannot read {what}: {exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PackageError(f"{path}: cannot read {what}: {exc}") from None
    yaml = name.lower().endswith(YAML_SUFFIXES)
    try:
        data = yaml_object(text) if yaml else strict_json(text)
    except json.JSONDecodeError as exc:
        raise PackageError(f"{path}: {what} is not valid JSON: {exc}") from None
    except ValueError as exc:
        raise PackageError(f"{path}: {what} {exc}") from None
    except RecursionError:
        raise PackageError(f"{path}: {what} is nested too deeply") from None
    if _depth(data) > MAX_JSON_DEPTH:
        raise PackageError(f"{path}: {what} is nested too deeply (over {MAX_JSON_DEPTH} levels)")
    if not isinstance(data, dict):
        raise PackageError(f"{path}: {what} must be a {'YAML mapping' if yaml else 'JSON object'}")
    return data


def strict_json(text: str) -> Any:
    """JSON refusing what parsers read differently: duplicate keys, NaN and Infinity literals."""

    def pairs(items: list[tuple[str, Any]]) -> dict:
        out: dict = {}
        for key, value in items:
            if key in out:
                raise ValueError(f"has the key {key!r} twice in one object")
            out[key] = value
        return out

    def constant(name: str) -> Any:
        raise ValueError(f"has the non-standard literal {name} (JSON has no NaN or Infinity)")

    return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)


def yaml_object(text: str) -> Any:
    """YAML read safely as JSON data: no aliases (no billion laughs), dates kept as written."""
    import yaml

    class Loader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                raise ValueError("uses a YAML alias (not allowed in a descriptor)")
            return super().compose_node(parent, index)

    try:
        return _jsonable(yaml.load(text, Loader=Loader))
    except yaml.YAMLError as exc:
        raise ValueError(f"is not valid YAML: {' '.join(str(exc).split())}") from None


def _jsonable(data: Any) -> Any:
    """YAML's dates and times as the ISO strings they were written as (JSON has none)."""
    if isinstance(data, dict):
        return {str(k): _jsonable(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_jsonable(v) for v in data]
    if isinstance(data, datetime.date):
        return data.isoformat()
    return data


def _depth(data: Any) -> int:
    """How deeply JSON arrays and objects nest (without recursion)."""
    deepest, todo = 0, [(data, 1)]
    while todo:
        value, depth = todo.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, depth)
            todo += [(v, depth + 1) for v in value if isinstance(v, dict | list)]
    return deepest
