"""Metadata other archives need, from the descriptor: Zenodo deposit metadata, a Hugging Face card."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from ..docs import escape

if TYPE_CHECKING:
    from ..model.descriptor import Package
    from .diff import PackageDiff

ZENODO, HF_CARD, CHANGES = "zenodo.json", "README.md", "CHANGES.md"
#: Hugging Face licence identifiers for the SPDX ones data packages usually carry
HF_LICENCES = {
    "cc-by-4.0",
    "cc-by-sa-4.0",
    "cc-by-nc-4.0",
    "cc-by-nc-sa-4.0",
    "cc-by-nd-4.0",
    "cc-by-3.0",
    "cc-by-sa-3.0",
    "cc0-1.0",
    "odbl",
    "odc-by",
    "pddl",
    "mit",
    "apache-2.0",
    "gpl-3.0",
}
#: Data Package licence names that differ from the Hugging Face identifier
LICENCE_ALIASES = {"odc-odbl": "odbl", "odc-odbl-1.0": "odbl", "odc-by-1.0": "odc-by"}
#: Table Schema type → Hugging Face `dtype` (the Arrow type the Parquet file holds)
HF_DTYPES = {
    "string": "string",
    "integer": "int64",
    "number": "float64",
    "boolean": "bool",
    "date": "date32",
    "datetime": "timestamp[us, tz=UTC]",
    "time": "time64[us]",
    "year": "int16",
}
#: contributor roles that make a Zenodo creator (the others become contributors)
CREATOR_ROLES = {"author", "creator"}
ZENODO_ROLES = {
    "contributor": "Other",
    "maintainer": "ContactPerson",
    "publisher": "Distributor",
    "wrangler": "DataCurator",
}


def _licences(package: Package) -> list[dict[str, Any]]:
    return [x for x in package.descriptor.get("licenses", []) if isinstance(x, dict)]


def _licence_id(licence: dict[str, Any]) -> str:
    name = str(licence.get("name", "")).lower()
    return LICENCE_ALIASES.get(name, name)


def _roles(person: dict[str, Any]) -> set[str]:
    roles = person.get("roles") or [person.get("role", "contributor")]  # v2 roles, v1 role
    return {str(r).lower() for r in roles}


def _person(person: dict[str, Any]) -> dict[str, Any]:
    """A Zenodo person: `Family, Given` when the parts are known, else the title."""
    if person.get("familyName"):
        name = f"{person['familyName']}, {person.get('givenName', '')}".rstrip(", ")
    else:
        name = str(person.get("title") or person.get("name") or "")
    out: dict[str, Any] = {"name": name}
    if person.get("organization"):
        out["affiliation"] = str(person["organization"])
    path = str(person.get("path", ""))
    orcid = re.search(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]", path) if "orcid.org" in path else None
    if orcid:
        out["orcid"] = orcid[0]
    return out


def zenodo_metadata(package: Package) -> dict[str, Any]:
    """Zenodo deposit metadata (the format of `.zenodo.json`) for the package's release."""
    d = package.descriptor
    people = [p for p in d.get("contributors", []) if isinstance(p, dict)]
    creators = [_person(p) for p in people if _roles(p) & CREATOR_ROLES]
    others = [p for p in people if not _roles(p) & CREATOR_ROLES]
    meta: dict[str, Any] = {
        "upload_type": "dataset",
        "title": str(d.get("title") or package.name),
        "description": str(d.get("description") or d.get("title") or package.name),
        "creators": creators or [{"name": str(d.get("title") or package.name)}],
        "version": package.version,
        "access_right": "open",
    }
    licences = _licences(package)
    if licences:
        meta["license"] = _licence_id(licences[0])
    if d.get("created"):
        meta["publication_date"] = str(d["created"])[:10]
    if d.get("keywords"):
        meta["keywords"] = [str(k) for k in d["keywords"]]
    if others:
        meta["contributors"] = [
            _person(p) | {"type": ZENODO_ROLES.get(sorted(_roles(p))[0], "Other")} for p in others
        ]
    related = []
    if str(d.get("homepage", "")).startswith(("http://", "https://")):
        related.append({"identifier": d["homepage"], "relation": "isDocumentedBy"})
    if str(d.get("id", "")).startswith(("http://", "https://", "10.")):
        related.append({"identifier": d["id"], "relation": "isIdenticalTo"})
    for source in d.get("sources", []):
        path = str(source.get("path", "")) if isinstance(source, dict) else ""
        if path.startswith(("http://", "https://", "10.")):
            related.append({"identifier": path, "relation": "isDerivedFrom"})
    if related:
        meta["related_identifiers"] = related
    return meta


def _feature(field: Any) -> dict[str, Any]:
    values = field.enum or _category_values(field.descriptor)
    if values is not None and field.type == "string":
        names = {str(i): str(v) for i, v in enumerate(values)}
        return {"name": field.name, "dtype": {"class_label": {"names": names}}}
    return {"name": field.name, "dtype": HF_DTYPES.get(field.type, "string")}


def _category_values(descriptor: Any) -> list | None:
    raw = descriptor.get("categories") if hasattr(descriptor, "get") else None
    if not isinstance(raw, list):
        return None
    return [c.get("value") if isinstance(c, dict) else c for c in raw]


def hf_card(package: Package, rows: dict[str, int]) -> str:
    """A Hugging Face dataset card: YAML header (one config per resource) and a short body.

    `rows` is the row count per Parquet file name (`<resource>.parquet`).
    """
    import yaml

    d = package.descriptor
    licences = _licences(package)
    header: dict[str, Any] = {}
    if licences:
        ident = _licence_id(licences[0])
        if ident in HF_LICENCES:
            header["license"] = ident
        else:
            header |= {"license": "other", "license_name": ident or "unknown"}
            if licences[0].get("path"):
                header["license_link"] = licences[0]["path"]
    languages = d.get("languages")
    if isinstance(languages, list) and languages:
        header["language"] = [str(x) for x in languages]
    header["pretty_name"] = str(d.get("title") or package.name)
    if d.get("keywords"):
        header["tags"] = [str(k) for k in d["keywords"]]
    header["configs"] = [
        {
            "config_name": r.name,
            "data_files": [{"split": "train", "path": f"{r.name}.parquet"}],
            **({"default": True} if i == 0 else {}),
        }
        for i, r in enumerate(package.resources)
    ]
    header["dataset_info"] = [
        {
            "config_name": r.name,
            "features": [_feature(f) for f in r.schema.fields],
            "splits": [{"name": "train", "num_examples": rows.get(f"{r.name}.parquet", 0)}],
        }
        for r in package.resources
    ]
    text = yaml.safe_dump(header, allow_unicode=True, sort_keys=False, width=1000)
    body = [
        f"# {escape.text(header['pretty_name'])} {escape.text(package.version)}",
        "",
        escape.block(d.get("description", "")),
        "",
        "| Config | Rows | Description |",
        "|---|---:|---|",
        *(
            f"| {escape.in_cell(escape.code(r.name))} | {rows.get(f'{r.name}.parquet', 0)} | "
            f"{escape.cell(r.description)} |"
            for r in package.resources
        ),
        "",
        "Files: one typed Parquet file per resource, the Frictionless `datapackage.json`, "
        "`manifest.json` and `SHA256SUMS`.",
    ]
    return f"---\n{text}---\n\n" + "\n".join(body) + "\n"


def release_extras(
    package: Package, rows: dict[str, int], changes: PackageDiff | None
) -> tuple[dict[str, str], dict[str, Any] | None]:
    """The extra release files {name: text} and the manifest's change summary (or None)."""
    files = {
        ZENODO: json.dumps(zenodo_metadata(package), ensure_ascii=False, indent=2) + "\n",
        HF_CARD: hf_card(package, rows),
    }
    if changes is None:
        return files, None
    from .notes import render_markdown

    files[CHANGES] = render_markdown(changes)
    return files, changes.summary()
