"""Reading a data package descriptor and its Table Schemas into plain, immutable objects."""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any

import re2

from ..errors import ExpoDataError, PackageError, ResourceNotFound
from .bundle import DESCRIPTOR, bundled_descriptor
from .docfile import read_object
from .names import did_you_mean
from .paths import descriptor_in, resolve_path
from .remote import mirror, remote_url

DEFAULT_MISSING_VALUES = ("",)
#: file-name suffixes that name a compression, not a format
COMPRESSION_SUFFIXES = (".gz", ".zip", ".bz2", ".xz", ".zst")
DEFAULT_TRUE_VALUES = ("true", "True", "TRUE", "1")
DEFAULT_FALSE_VALUES = ("false", "False", "FALSE", "0")
FIELDS_MATCH = ("exact", "equal", "subset", "superset", "partial")
#: formats that are never read as a table (listed, their bytes and hash checked)
NON_TABULAR_FORMATS = frozenset(
    [
        "geojson",
        "topojson",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "svg",
        "webp",
        "tif",
        "tiff",
        "pdf",
        "zip",
        "html",
        "htm",
        "md",
        "txt",
        "xml",
        "shp",
        "kml",
        "gpkg",
        "docx",
        "odt",
        "pptx",
    ]
)


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
    def categories(self) -> list | None:
        """The v2 `categories` values (labels dropped), or None."""
        raw = self.descriptor.get("categories")
        if not isinstance(raw, list):
            return None
        return [c["value"] if isinstance(c, dict) else c for c in raw]

    @property
    def categories_ordered(self) -> bool:
        return self.descriptor.get("categoriesOrdered") is True

    @property
    def missing_values(self) -> tuple[str, ...] | None:
        """The field's own (v2) missingValues, or None where the schema's apply."""
        raw = self.descriptor.get("missingValues")
        return None if raw is None else missing_strings(raw)

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
    unique_keys: tuple[tuple[str, ...], ...] = ()  # v2 `uniqueKeys`
    fields_match: str = "exact"  # v2 `fieldsMatch`
    descriptor: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field_missing_values(self, f: Field) -> tuple[str, ...]:
        """The strings that mean missing in field `f` (its own, else the schema's)."""
        own = f.missing_values
        return self.missing_values if own is None else own

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(
            f"no field {name!r}; {did_you_mean(name, self.names) or 'has: ' + ', '.join(self.names)}"
        )


@dataclass(frozen=True)
class Resource:
    """A resource: where its data is (files, or inline `data`) and what its schema says.

    A resource with no schema, or of a format that is not a table (GeoJSON, an image…), is
    not `tabular`: listed, its bytes and hash checked, never read as a table.
    """

    name: str
    path: str  # as written in the descriptor
    location: Path | str  # resolved file, or a URL when remote paths are trusted
    schema: Schema
    title: str = ""
    description: str = ""
    encoding: str = "utf-8"
    dialect: Mapping[str, Any] = field(default_factory=dict)
    schema_path: str = ""  # as written in the descriptor; "" for an inline schema
    format: str = "csv"  # the declared `format`, else the path's extension (csv, parquet…)
    #: every file of a multi-file resource (`path` an array), in order; `location` is the first
    parts: tuple[Path | str, ...] = ()
    compression: str = ""  # the declared `compression` (gz, zip), else "" (see the path's suffix)
    data: tuple | None = None  # inline `data` (rows as arrays, header first, or objects)
    tabular: bool = True
    descriptor: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_remote(self) -> bool:
        return isinstance(self.location, str)

    @property
    def files(self) -> tuple[Path | str, ...]:
        """Every file holding the resource's data, in order (none for inline data)."""
        if self.data is not None:
            return ()
        return self.parts or (self.location,)


@dataclass(frozen=True)
class Package:
    """A data package: its descriptor file, metadata and resources."""

    path: Path
    descriptor: Mapping[str, Any] = field(repr=False)
    resources: tuple[Resource, ...] = ()
    #: the URL the descriptor was fetched from ("" for a local package); `path` is then its
    #: private local mirror (see remote.mirror), never to be written next to
    source: str = ""

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
        hint = did_you_mean(name, self.resource_names)
        raise ResourceNotFound(
            f"no resource {name!r} in {self.source or self.path}{'; ' + hint if hint else ''} "
            f"(has: {', '.join(self.resource_names)})"
        )


def descriptor_path(path: str | Path | None = None) -> Path:
    """The descriptor for `path` (a file, or a folder holding datapackage.json, .yaml or .yml),
    or the bundled one."""
    if path is None:
        return bundled_descriptor()
    p = Path(path)
    return (descriptor_in(p) or p / DESCRIPTOR) if p.is_dir() else p


def read_descriptor(path: str | Path | None = None) -> tuple[Path, dict]:
    """The descriptor's path and JSON object; PackageError if it cannot be read."""
    dpath = descriptor_path(path)
    if dpath.suffix.lower() in _TABLE_SUFFIXES and dpath.is_file():
        home = next((d for d in dpath.resolve().parents if (d / DESCRIPTOR).is_file()), None)
        where = (
            f"pass its package folder, e.g. {_relative(home)}"
            if home
            else f"to make {_relative(dpath.resolve().parent)} a package, use init_package"
        )
        raise PackageError(
            f"{dpath} is a data file, not a package descriptor ({DESCRIPTOR}); {where}"
        )
    return dpath, read_object(dpath, "package descriptor")


def _relative(folder: Path) -> str:
    """`folder` relative to the working directory where it is inside it."""
    try:
        return str(folder.relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(folder)


#: file-name suffixes of tables, which are never a descriptor
_TABLE_SUFFIXES = (".csv", ".tsv", ".parquet", ".xlsx", ".ods")


def missing_strings(raw: object) -> tuple[str, ...]:
    """missingValues as strings: v1 strings, or v2 `{"value": …, "label": …}` objects."""
    values = []
    for v in _as_list(raw, "missingValues"):
        if isinstance(v, dict) and isinstance(v.get("value"), str):
            v = v["value"]
        if not isinstance(v, str):
            raise PackageError(f"missingValues must be strings or {{value, label}}, got {v!r}")
        values.append(v)
    return tuple(values)


def _json_ref(base: Path, ref: object, what: str, *, trusted: bool) -> dict:
    """A descriptor's inline JSON object, or the one in the file it points to (path-checked)."""
    if isinstance(ref, dict):
        return ref
    if not isinstance(ref, str):
        raise PackageError(f"{what} must be an object or a path, got {ref!r}")
    return read_object(resolve_path(base, ref, trusted=trusted), what)


def _schema(descriptor: Mapping[str, Any]) -> Schema:
    fields = []
    for raw in _as_list(descriptor.get("fields", []), "fields"):
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            raise PackageError(f"schema field must be an object with a name, got {raw!r}")
        fields.append(
            Field(
                name=raw["name"],
                type=raw.get("type", "string"),
                format=raw.get("format", "default"),
                title=raw.get("title", ""),
                description=raw.get("description", ""),
                constraints=_constraints(raw),
                descriptor=MappingProxyType(raw),
            )
        )
    pk = descriptor.get("primaryKey", [])
    fks = []
    for fk in _as_list(descriptor.get("foreignKeys", []), "foreignKeys"):
        ref = _object(_object(fk, "foreign key").get("reference", {}), "foreign key reference")
        fks.append(
            ForeignKey(
                fields=tuple(_as_list(fk.get("fields"), "foreign key fields")),
                resource=ref.get("resource") or "",  # v2: omitted for a self-reference
                reference_fields=tuple(_as_list(ref.get("fields"), "foreign key reference fields")),
            )
        )
    for f in fields:
        f.missing_values  # noqa: B018 (refuses a malformed field-level list now)
    unique_keys = tuple(
        tuple(_as_list(key, "uniqueKeys item"))
        for key in _as_list(descriptor.get("uniqueKeys", []), "uniqueKeys")
    )
    names = {f.name for f in fields}
    for key in unique_keys:
        if not key or not set(key) <= names:
            raise PackageError(f"uniqueKeys {list(key)!r} must name fields of the schema")
    fields_match = descriptor.get("fieldsMatch", "exact")
    if fields_match not in FIELDS_MATCH:
        raise PackageError(f"fieldsMatch must be one of {', '.join(FIELDS_MATCH)}")
    return Schema(
        fields=tuple(fields),
        primary_key=tuple(_as_list(pk, "primaryKey")),
        foreign_keys=tuple(fks),
        missing_values=missing_strings(descriptor.get("missingValues", DEFAULT_MISSING_VALUES)),
        unique_keys=unique_keys,
        fields_match=fields_match,
        descriptor=MappingProxyType(dict(descriptor)),
    )


def _constraints(raw: dict) -> Mapping[str, Any]:
    """A field's constraints (a bad `pattern` is validation's finding: see pattern_problem)."""
    return MappingProxyType(dict(_object(raw.get("constraints", {}), "constraints")))


def pattern_problem(f: Field) -> str:
    """Why field `f`'s `pattern` cannot be checked ("" when it can, or there is none).

    Never stops loading: validation reports it (data are read, constraints are checked).
    """
    pattern = f.constraints.get("pattern")
    if pattern is None:
        return ""
    try:
        re.compile(pattern)
    except (re.error, TypeError) as exc:
        return f"field {f.name!r}: pattern {pattern!r} is not a regular expression: {exc}"
    try:
        compile_pattern(pattern)
    except re2.error as exc:
        return (
            f"field {f.name!r}: pattern {pattern!r} cannot be matched in linear time "
            f"(RE2 refuses it: {exc}); lookarounds and backreferences are not supported"
        )
    return ""


def compile_pattern(pattern: str) -> Any:
    """A `pattern` constraint compiled by RE2 (linear-time matching), anchored at both ends."""
    options = re2.Options()
    options.log_errors = False  # RE2 would print its complaint on stderr
    return re2.compile(f"^(?:{pattern})$", options=options)


def _encoding(value: object) -> str:
    """A text encoding Python knows."""
    if isinstance(value, str):
        try:
            codecs.lookup(value)
            return value
        except LookupError:
            pass
    raise PackageError(f"unknown encoding {value!r}")


def _dialect(dialect: dict) -> dict:
    """A CSV dialect whose special characters are single characters (or absent)."""
    for key in ("delimiter", "quoteChar", "escapeChar", "commentChar"):
        value = dialect.get(key)
        if value not in (None, False) and not (isinstance(value, str) and len(value) == 1):
            raise PackageError(f"CSV dialect {key} must be one character, got {value!r}")
    return dialect


def _format(declared: object, path: str) -> str:
    """The resource's format: as declared, else its file extension (past any compression)."""
    if isinstance(declared, str) and declared:
        return declared.lower()
    name = PurePosixPath(path.split("?", 1)[0]).name.lower()
    for suffix in COMPRESSION_SUFFIXES:
        name = name.removesuffix(suffix)
    _, dot, extension = name.rpartition(".")
    return extension if dot and extension else "csv"


def _as_list(value: object, what: str) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise PackageError(f"{what} must be a list, got {value!r}")


def _object(value: object, what: str) -> dict:
    if not isinstance(value, dict):
        raise PackageError(f"{what} must be a JSON object, got {value!r}")
    return value


def open_package(path: str | Path | None = None, *, trusted: bool = False) -> Package:
    """Read a package descriptor and its schemas (no data is read).

    `path` is a datapackage.json or its directory; None means the bundled package.
    Unless `trusted`, every resource and schema path must stay inside the package directory.
    `path` may be the URL of a descriptor (only when `trusted`): the package is fetched into
    a private local mirror (see remote.mirror) and its `source` is the URL.
    """
    url = remote_url(path)
    if url is None:
        return _open_local(path, trusted=trusted)
    local = mirror(url, trusted=trusted)
    try:
        package = _open_local(local, trusted=trusted)
    except ExpoDataError as exc:  # named by the URL, not the private mirror
        base = url.rsplit("/", 1)[0]
        exc.args = (str(exc).replace(str(local), url).replace(str(local.parent), base),)
        raise
    return replace(package, source=url)


def _open_local(path: str | Path | None, *, trusted: bool) -> Package:
    """open_package for a local descriptor (or the bundled one)."""
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
        if any(r.name == name for r in resources):
            raise PackageError(f"{dpath}: two resources are named {name!r}", resource=name)
        try:
            resources.append(_resource(raw, base, trusted=trusted))
        except PackageError as exc:
            raise type(exc)(f"{dpath}: resource {name!r}: {exc}", resource=name) from None
    return Package(path=dpath, descriptor=MappingProxyType(descriptor), resources=tuple(resources))


def _resource(raw: dict, base: Path, *, trusted: bool) -> Resource:
    """One resource of the descriptor: its files (or inline data), schema, dialect, encoding."""
    rpath, parts, data = raw.get("path"), (), raw.get("data")
    if rpath is None and data is not None:  # inline data: rows, header first, or objects
        if not isinstance(data, list):
            raise PackageError(f"inline data must be an array of rows, got {type(data).__name__}")
        rpath, location, data = "", base, tuple(data)
        fmt = str(raw.get("format") or "inline").lower()
    else:
        data = None
        if isinstance(rpath, list):  # a resource in parts, read as one table
            if not rpath:
                raise PackageError("path must be a path or a non-empty array of paths")
            parts = tuple(resolve_path(base, part, trusted=trusted) for part in rpath)
            rpath = rpath[0]
        location = resolve_path(base, rpath, trusted=trusted)
        fmt = _format(raw.get("format"), rpath)
    raw_schema = raw.get("schema")
    if raw_schema is None and data is not None:  # as frictionless: inline rows are a table
        from .inline import inferred_schema

        raw_schema = inferred_schema(list(data))
    # as frictionless: a JSON file is a table only when its `type` (or v1 `profile`) says so
    table = raw.get("type") == "table" or raw.get("profile") == "tabular-data-resource"
    declared_table = table or fmt != "json" or data is not None
    tabular = raw_schema is not None and fmt not in NON_TABULAR_FORMATS and declared_table
    schema = (
        _schema(_json_ref(base, raw_schema, "table schema", trusted=trusted))
        if tabular
        else Schema(fields=())
    )
    dialect = _dialect(_json_ref(base, raw.get("dialect") or {}, "CSV dialect", trusted=trusted))
    return Resource(
        name=raw["name"],
        path=rpath,
        location=location,
        schema=schema,
        title=raw.get("title", ""),
        description=raw.get("description", ""),
        encoding=_encoding(raw.get("encoding", "utf-8")),
        dialect=MappingProxyType(dict(dialect)),
        schema_path=raw_schema if isinstance(raw_schema, str) else "",
        format=fmt,
        parts=parts,
        compression=str(raw.get("compression") or ""),
        data=data,
        tabular=tabular,
        descriptor=MappingProxyType(raw),
    )
