"""Metadata other archives need, from the descriptor: Zenodo deposit metadata, a Hugging Face card."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from ..docs import escape
from ..model.credits import contributors, creators, roles

if TYPE_CHECKING:
    import pyarrow as pa

    from ..model.descriptor import Package
    from .diff import PackageDiff
    from .files import ReleaseFiles

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
#: Data Package licence names → the SPDX identifiers Zenodo's licence vocabulary uses
ZENODO_LICENCES = {
    "odc-odbl": "odbl-1.0",
    "odc-odbl-1.0": "odbl-1.0",
    "odbl": "odbl-1.0",
    "odc-by": "odc-by-1.0",
    "odc-pddl": "pddl-1.0",
    "odc-pddl-1.0": "pddl-1.0",
    "pddl": "pddl-1.0",
}
#: Hugging Face `size_categories`: (upper bound on rows, label), smallest first
SIZE_CATEGORIES = [
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
    (1_000_000_000, "100M<n<1B"),
    (10_000_000_000, "1B<n<10B"),
]
#: a field's language: the `expo:lang` property, else a `_<language>_<script>` name suffix
#: (`name_zh_hant`), or `_<language>` beside such a field (`name_en` beside `name_zh_hant`)
LANG_PROPERTY = "expo:lang"
SCRIPT_SUFFIX = re.compile(r"^(.+)_([a-z]{2,3})_([a-z]{4})$")
LANG_SUFFIX = re.compile(r"^(.+)_([a-z]{2,3})$")
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
    """Zenodo deposit metadata (the format of `.zenodo.json`) for the package's release.

    Creators are the package's authors (`credits.creators`); a package naming no
    contributors gets none (Zenodo then asks for them), never its title.
    """
    d = package.descriptor
    authors = creators(d)
    others = [p for p in contributors(d) if p not in authors]
    meta: dict[str, Any] = {
        "upload_type": "dataset",
        "title": str(d.get("title") or package.name),
        "description": str(d.get("description") or d.get("title") or package.name),
    }
    if authors:  # never the title: without contributors, `metadata_warning` asks for them
        meta["creators"] = [_person(p) for p in authors]
    meta |= {"version": package.version, "access_right": "open"}
    licences = _licences(package)
    if licences:
        name = str(licences[0].get("name", "")).lower()
        meta["license"] = ZENODO_LICENCES.get(name, name)
    if d.get("created"):
        meta["publication_date"] = str(d["created"])[:10]
    if d.get("keywords"):
        meta["keywords"] = [str(k) for k in d["keywords"]]
    if others:
        meta["contributors"] = [
            _person(p) | {"type": ZENODO_ROLES.get(sorted(roles(p))[0], "Other")} for p in others
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


def hf_dtype(kind: pa.DataType) -> Any:
    """The Hugging Face `datasets` dtype of an Arrow type, as `datasets` itself infers it.

    Dictionary columns (enums, categories) are their values' type: `datasets` cannot cast a
    Parquet dictionary column to a `class_label` feature, and infers `string` itself.
    """
    import pyarrow as pa

    if pa.types.is_dictionary(kind):
        return hf_dtype(kind.value_type)
    if pa.types.is_list(kind):
        return {"list": hf_dtype(kind.value_type)}
    if pa.types.is_floating(kind):
        return f"float{kind.bit_width}"
    if pa.types.is_date32(kind):
        return "date32"
    return str(kind)  # string, bool, int16, int64, time64[us], timestamp[us, tz=UTC]


def _feature(field: pa.Field) -> dict[str, Any]:
    dtype = hf_dtype(field.type)
    if isinstance(dtype, dict):  # a sequence: `- name: x` / `list: string`
        return {"name": field.name, **dtype}
    return {"name": field.name, "dtype": dtype}


def _data_files(name: str, files: ReleaseFiles) -> str | list[str]:
    """The config's `path`: its one file, or a glob matching exactly its parts."""
    from fnmatch import fnmatchcase

    own = files.parts[name]
    if len(own) == 1:
        return own[0]
    glob = f"{name}-part-*.parquet"
    matched = sorted(f for f in files.rows if fnmatchcase(f, glob))
    return glob if matched == sorted(own) else own


def languages(package: Package) -> list[str]:
    """ISO 639 codes of the package: its `languages`, else its fields' languages."""
    declared = package.descriptor.get("languages")
    tags = [str(x) for x in declared] if isinstance(declared, list) else []
    if not tags:
        for resource in (r for r in package.resources if r.tabular):
            names = [f.name.lower() for f in resource.schema.fields]
            stems = {m[1] for n in names if (m := SCRIPT_SUFFIX.match(n))}
            for field, name in zip(resource.schema.fields, names, strict=True):
                prop = field.descriptor.get(LANG_PROPERTY)
                script = SCRIPT_SUFFIX.match(name)
                plain = LANG_SUFFIX.match(name)
                if isinstance(prop, str) and prop.strip():
                    tags.append(prop)
                elif script:
                    tags.append(script[2])
                elif plain and plain[1] in stems:
                    tags.append(plain[2])
    return list(dict.fromkeys(t.strip().split("-")[0].lower() for t in tags if t.strip()))


def size_category(rows: int) -> str:
    """The Hugging Face size category of a dataset of `rows` rows."""
    return next((label for bound, label in SIZE_CATEGORIES if rows < bound), "n>10B")


def hf_card(package: Package, files: ReleaseFiles) -> str:
    """A Hugging Face dataset card: YAML header (one config per resource) and a short body."""
    import yaml

    from ..model.typemap import arrow_schema

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
    langs = languages(package)
    if langs:
        header["language"] = langs
    header["pretty_name"] = str(d.get("title") or package.name)
    header["size_categories"] = [size_category(sum(files.rows.values()))]
    if d.get("keywords"):
        header["tags"] = [str(k) for k in d["keywords"]]
    header["configs"] = [
        {
            "config_name": r.name,
            "data_files": [{"split": "train", "path": _data_files(r.name, files)}],
            **({"default": True} if i == 0 else {}),
        }
        for i, r in enumerate(files.tables(package))
    ]
    header["dataset_info"] = []
    for r in files.tables(package):
        num_bytes = sum(files.sizes[f] for f in files.parts[r.name])
        header["dataset_info"].append(
            {
                "config_name": r.name,
                "features": [_feature(f) for f in arrow_schema(r)],
                "splits": [
                    {
                        "name": "train",
                        "num_bytes": num_bytes,
                        "num_examples": files.resource_rows(r.name),
                    }
                ],
                "dataset_size": num_bytes,
            }
        )
    text = yaml.safe_dump(header, allow_unicode=True, sort_keys=False, width=1000)
    body = [
        f"# {escape.text(header['pretty_name'])} {escape.text(package.version)}",
        "",
        escape.block(d.get("description", "")),
        "",
        "| Config | Rows | Description |",
        "|---|---:|---|",
        *(
            f"| {escape.in_cell(escape.code(r.name))} | {files.resource_rows(r.name)} | "
            f"{escape.cell(r.description)} |"
            for r in files.tables(package)
        ),
        "",
        "Files: one typed Parquet file per resource, the Frictionless `datapackage.json`, "
        "`manifest.json` and `SHA256SUMS`.",
    ]
    return f"---\n{text}---\n\n" + "\n".join(body) + "\n"


def release_extras(
    package: Package, files: ReleaseFiles, changes: PackageDiff | None
) -> tuple[dict[str, str], dict[str, Any] | None]:
    """The extra release files {name: text} and the manifest's change summary (or None)."""
    from .croissant import CROISSANT, croissant
    from .views import VIEWS, duckdb_views

    extras = {
        ZENODO: json.dumps(zenodo_metadata(package), ensure_ascii=False, indent=2) + "\n",
        HF_CARD: hf_card(package, files),
        CROISSANT: json.dumps(croissant(package, files), ensure_ascii=False, indent=2) + "\n",
        VIEWS: duckdb_views(package, files),
    }
    if changes is None:
        return extras, None
    from .notes import render_markdown

    extras[CHANGES] = render_markdown(changes)
    return extras, changes.summary()
