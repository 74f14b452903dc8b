"""Reading a data package descriptor and its Table Schemas into plain, immutable objects."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any

from ._bundle import DESCRIPTOR, bundled_descriptor
from .errors import PackageError, ResourceNotFound, UnsafePathError

DEFAULT_MISSING_VALUES = ("",)
DEFAULT_TRUE_VALUES = ("true", "True", "TRUE", "1")
DEFAULT_FALSE_VALUES = ("false", "False", "FALSE", "0")


@dataclass(frozen=True)
class Field:
    """One Table Schema field."""

    name: str
    type: str = "string"
    format: str = "default"
    title: str = ""
    description: str = ""
    constraints: Mapping[str, Any] = field(default_factory=dict)
    descriptor: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def required(self) -> bool:
        return bool(self.constraints.get("required"))

    @property
    def enum(self) -> list | None:
        return self.constraints.get("enum")

    @property
    def true_values(self) -> tuple[str, ...]:
        return tuple(self.descriptor.get("trueValues", DEFAULT_TRUE_VALUES))

    @property
    def false_values(self) -> tuple[str, ...]:
        return tuple(self.descriptor.get("falseValues", DEFAULT_FALSE_VALUES))


@dataclass(frozen=True)
class ForeignKey:
    """A foreign key: local fields referencing fields of a resource ('' = the same one)."""

    fields: tuple[str, ...]
    resource: str
    reference_fields: tuple[str, ...]


@dataclass(frozen=True)
class Schema:
    """A Table Schema: fields, keys and the strings that mean missing."""

    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    missing_values: tuple[str, ...] = DEFAULT_MISSING_VALUES
    descriptor: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


@dataclass(frozen=True)
class Resource:
    """A tabular resource: where its CSV is and what its schema says."""

    name: str
    path: str  # as written in the descriptor
    location: Path | str  # resolved file, or a URL when remote paths are trusted
    schema: Schema
    title: str = ""
    description: str = ""
    encoding: str = "utf-8"
    dialect: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_remote(self) -> bool:
        return isinstance(self.location, str)


@dataclass(frozen=True)
class Package:
    """A data package: its descriptor file, metadata and resources."""

    path: Path
    descriptor: Mapping[str, Any] = field(repr=False)
    resources: tuple[Resource, ...] = ()

    @property
    def basepath(self) -> Path:
        return self.path.parent

    @property
    def name(self) -> str:
        return str(self.descriptor.get("name", ""))

    @property
    def version(self) -> str:
        return str(self.descriptor.get("version", ""))

    @property
    def resource_names(self) -> list[str]:
        return [r.name for r in self.resources]

    def resource(self, name: str) -> Resource:
        for r in self.resources:
            if r.name == name:
                return r
        raise ResourceNotFound(
            f"no resource {name!r} in {self.path} (has: {', '.join(self.resource_names)})"
        )


def descriptor_path(path: str | Path | None = None) -> Path:
    """The datapackage.json for `path` (a file or a directory), or the bundled one."""
    if path is None:
        return bundled_descriptor()
    p = Path(path)
    return p / DESCRIPTOR if p.is_dir() else p


def read_descriptor(path: str | Path | None = None) -> tuple[Path, dict]:
    """The descriptor's path and JSON object; PackageError if it cannot be read."""
    dpath = descriptor_path(path)
    return dpath, _read_json(dpath, "package descriptor")


def _read_json(path: Path, what: str) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PackageError(f"{path}: {what} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PackageError(f"{path}: cannot read {what}: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PackageError(f"{path}: {what} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise PackageError(f"{path}: {what} must be a JSON object")
    return data


def is_remote(path: str) -> bool:
    """True for URLs (anything with a scheme, or protocol-relative)."""
    return "://" in path or path.startswith("//")


def resolve_path(basepath: Path, path: object, *, trusted: bool = False) -> Path | str:
    """Resolve a descriptor path; outside `trusted` mode only files inside `basepath` pass."""
    if not isinstance(path, str) or not path:
        raise PackageError(f"path must be a non-empty string, got {path!r}")
    if is_remote(path):
        if trusted:
            return path
        raise UnsafePathError(
            f"path {path!r} is remote; pass trusted=True (--allow-remote) to allow it"
        )
    pure = PurePosixPath(path.replace("\\", "/"))
    if not trusted:
        if pure.is_absolute() or Path(path).is_absolute() or (pure.parts and ":" in pure.parts[0]):
            raise UnsafePathError(f"path {path!r} is absolute; resource paths must be relative")
        if ".." in pure.parts:
            raise UnsafePathError(f"path {path!r} contains '..'; it may not leave the package")
        if any(part.startswith(".") for part in pure.parts):
            raise UnsafePathError(f"path {path!r} is in a hidden folder or file")
    full = basepath / Path(*pure.parts) if not pure.is_absolute() else Path(path)
    if not trusted:
        real, root = full.resolve(), basepath.resolve()
        if not real.is_relative_to(root):
            raise UnsafePathError(f"path {path!r} leads outside the package (to {real})")
    return full


def _schema(descriptor: Mapping[str, Any]) -> Schema:
    fields = []
    for raw in descriptor.get("fields", []):
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            raise PackageError(f"schema field must be an object with a name, got {raw!r}")
        fields.append(
            Field(
                name=raw["name"],
                type=raw.get("type", "string"),
                format=raw.get("format", "default"),
                title=raw.get("title", ""),
                description=raw.get("description", ""),
                constraints=MappingProxyType(dict(raw.get("constraints", {}))),
                descriptor=MappingProxyType(raw),
            )
        )
    pk = descriptor.get("primaryKey", [])
    fks = []
    for fk in descriptor.get("foreignKeys", []):
        ref = fk.get("reference", {})
        fks.append(
            ForeignKey(
                fields=tuple(_as_list(fk.get("fields"))),
                resource=ref.get("resource", ""),
                reference_fields=tuple(_as_list(ref.get("fields"))),
            )
        )
    return Schema(
        fields=tuple(fields),
        primary_key=tuple(_as_list(pk)),
        foreign_keys=tuple(fks),
        missing_values=tuple(descriptor.get("missingValues", DEFAULT_MISSING_VALUES)),
        descriptor=MappingProxyType(dict(descriptor)),
    )


def _as_list(value: object) -> list:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def open_package(path: str | Path | None = None, *, trusted: bool = False) -> Package:
    """Read a package descriptor and its schemas (no data is read).

    `path` is a datapackage.json or its directory; None means the bundled package.
    Unless `trusted`, every resource and schema path must stay inside the package directory.
    """
    dpath, descriptor = read_descriptor(path)
    base = dpath.parent
    raw_resources = descriptor.get("resources")
    if not isinstance(raw_resources, list) or not raw_resources:
        raise PackageError(f"{dpath}: the descriptor has no resources")
    resources = []
    for raw in raw_resources:
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            raise PackageError(f"{dpath}: every resource needs a name, got {raw!r}")
        name = raw["name"]
        try:
            rpath = raw.get("path")
            if isinstance(rpath, list):
                raise PackageError("multi-file resources are not supported")
            location = resolve_path(base, rpath, trusted=trusted)
            schema_ref = raw.get("schema")
            if isinstance(schema_ref, str):
                spath = resolve_path(base, schema_ref, trusted=trusted)
                if isinstance(spath, str):
                    raise PackageError(f"remote schema {schema_ref!r} is not supported")
                schema_descriptor = _read_json(spath, "table schema")
            elif isinstance(schema_ref, dict):
                schema_descriptor = schema_ref
            else:
                raise PackageError("resource has no table schema")
            schema = _schema(schema_descriptor)
        except PackageError as exc:
            raise type(exc)(f"{dpath}: resource {name!r}: {exc}") from None
        resources.append(
            Resource(
                name=name,
                path=rpath,
                location=location,
                schema=schema,
                title=raw.get("title", ""),
                description=raw.get("description", ""),
                encoding=raw.get("encoding", "utf-8"),
                dialect=MappingProxyType(dict(raw.get("dialect") or {})),
            )
        )
    return Package(path=dpath, descriptor=MappingProxyType(descriptor), resources=tuple(resources))
