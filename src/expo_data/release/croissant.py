"""Croissant (MLCommons) metadata of a release: its files, and one record set per resource."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..model.descriptor import Field, Package, Resource
    from .files import ReleaseFiles

CROISSANT = "croissant.json"
CONFORMS_TO = "http://mlcommons.org/croissant/1.0"
PARQUET_FORMAT = "application/x-parquet"  # the encoding format mlcroissant reads as Parquet
#: the JSON-LD context of Croissant 1.0 (the specification's, as `mlcroissant` writes it)
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
#: Table Schema type → Croissant data type (the other types keep their lexical form: Text)
DATA_TYPES = {
    "integer": "sc:Integer",
    "year": "sc:Integer",
    "number": "sc:Float",
    "boolean": "sc:Boolean",
    "date": "sc:Date",
    "datetime": "sc:DateTime",
    "time": "sc:Time",
}


def croissant(package: Package, files: ReleaseFiles) -> dict[str, Any]:
    """The release's `croissant.json`: dataset metadata, file objects and record sets."""
    d = package.descriptor
    licences = [x for x in d.get("licenses", []) if isinstance(x, dict)]
    meta: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": package.name,
        "description": str(d.get("description") or d.get("title") or package.name),
        "version": package.version,
    }
    title = str(d.get("title") or package.name)
    meta["alternateName"] = title
    meta["citeAs"] = str(d.get("citation") or f"{title}, version {package.version}.")
    if licences:
        meta["license"] = [str(x.get("path") or x.get("name")) for x in licences]
    for key, value in (("url", d.get("homepage")), ("datePublished", d.get("created"))):
        if value:
            meta[key] = str(value)
    if d.get("keywords"):
        meta["keywords"] = [str(k) for k in d["keywords"]]
    people = [p for p in d.get("contributors", []) if isinstance(p, dict)]
    if people:
        meta["creator"] = [
            {"@type": "sc:Person", "name": str(p.get("title") or p.get("name") or "")}
            for p in people
        ]
    distribution: list[dict[str, Any]] = []
    for resource in files.tables(package):
        distribution += _file_objects(resource.name, files)
    meta["distribution"] = distribution
    meta["recordSet"] = [_record_set(r, package, files) for r in files.tables(package)]
    return meta


def _file_objects(name: str, files: ReleaseFiles) -> list[dict[str, Any]]:
    """A file object per Parquet file; a resource in parts also gets a file set of them."""
    objects = [
        {
            "@type": "cr:FileObject",
            "@id": part,
            "name": part,
            "contentUrl": part,
            "encodingFormat": PARQUET_FORMAT,
            "sha256": files.sha256[part],
        }
        for part in files.parts[name]
    ]
    if len(objects) > 1:
        objects.append(
            {
                "@type": "cr:FileSet",
                "@id": f"{name}-parts",
                "name": f"{name}-parts",
                "encodingFormat": PARQUET_FORMAT,
                "includes": f"{name}-part-*.parquet",
            }
        )
    return objects


def _source(name: str, files: ReleaseFiles) -> dict[str, Any]:
    """Where a resource's columns come from: its one file object, or the file set of its parts."""
    parts = files.parts[name]
    if len(parts) == 1:
        return {"fileObject": {"@id": parts[0]}}
    return {"fileSet": {"@id": f"{name}-parts"}}


def _record_set(resource: Resource, package: Package, files: ReleaseFiles) -> dict[str, Any]:
    """A resource's record set: its fields, its key, and its foreign keys as references.

    A reference names the referenced column in its file (a source), not the referenced
    record set's field: `mlcroissant` joins a record set to files, and a reference to a
    field makes its records unreadable (and a self-reference a cycle).
    """
    source = _source(resource.name, files)
    record: dict[str, Any] = {
        "@type": "cr:RecordSet",
        "@id": resource.name,
        "name": resource.name,
        "field": [_field(resource.name, f, source) for f in resource.schema.fields],
    }
    if resource.description:
        record["description"] = str(resource.description)
    key = resource.schema.primary_key
    if key:
        ids = [{"@id": f"{resource.name}/{k}"} for k in key]
        record["key"] = ids[0] if len(ids) == 1 else ids
    names = set(package.resource_names)
    by_id = {f["@id"]: f for f in record["field"]}
    for fk in resource.schema.foreign_keys:
        target = fk.resource or resource.name  # "" = this resource
        if target not in names:
            continue
        for local, remote in zip(fk.fields, fk.reference_fields, strict=False):
            by_id[f"{resource.name}/{local}"]["references"] = _source(target, files) | {
                "extract": {"column": remote}
            }
    return record


def _field(resource: str, field: Field, source: dict[str, Any]) -> dict[str, Any]:
    kind = field.descriptor.get("itemType", "string") if field.type == "list" else field.type
    out: dict[str, Any] = {
        "@type": "cr:Field",
        "@id": f"{resource}/{field.name}",
        "name": field.name,
        "dataType": DATA_TYPES.get(kind, "sc:Text"),
        "source": source | {"extract": {"column": field.name}},
    }
    if field.description:
        out["description"] = str(field.description)
    if field.type == "list":
        out["repeated"] = True
    return out
