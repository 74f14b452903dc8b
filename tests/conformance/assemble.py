"""Rebuild the conformance packages and MANIFEST.json from local mirrors of their repositories.

Usage: python tests/conformance/assemble.py MIRRORS  (MIRRORS holds one bare git directory per
repository, named owner+name/repo). Each package keeps its published descriptor; what was changed
(a renamed descriptor, trimmed rows, a localised schema path) is written to MANIFEST.json.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
HEAD_ROWS, TAIL_ROWS, EDGE_ROWS = 200, 50, 50

MIT = "MIT"
LICENCE_FILES = {  # copied, as published, to LICENSES/<owner>+<name>
    "frictionlessdata/frictionless-py": "LICENSE.md",
    "frictionlessdata/frictionless-r": "LICENSE.md",
    "frictionlessdata/example-data-packages": "LICENSE",
    "tdwg/camtrap-dp": "LICENSE",
    "datasets/co2-ppm": "LICENSE",
    "datasets/cpi": "LICENSE",
    "inbo/camtraptor": "LICENSE",
    "TIDES-transit/TIDES": "LICENSE-CC-BY-4.0",
}
REPO_LICENCES = {
    "frictionlessdata/frictionless-py": MIT,
    "frictionlessdata/frictionless-r": MIT,
    "frictionlessdata/example-data-packages": MIT,
    "tdwg/camtrap-dp": MIT,
    "datasets/co2-ppm": "Unlicense",
    "datasets/cpi": "GPL-3.0 (the repository's LICENSE; the descriptor's licenses apply to the data)",
    "inbo/camtraptor": MIT,
    "TIDES-transit/TIDES": (
        "CC-BY-4.0, Copyright 2023 by TIDES Board of Directors: the repository's LICENSES "
        "file puts /spec and /samples/*/TIDES (the schemas and data used here) under "
        "CC-BY-4.0 (LICENSE-CC-BY-4.0), its code under Apache-2.0"
    ),
}


def git(mirrors: Path, repo: str, *args: str) -> bytes:
    """Run git in the bare mirror of `repo` and return its stdout."""
    folder = mirrors / repo.replace("/", "+") / "repo"
    return subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True).stdout


def records(raw: bytes, encoding: str, delimiter: str) -> list[bytes]:
    """Split a CSV file into its raw records (quoted line breaks kept inside their record)."""
    lines = raw.decode(encoding).splitlines(keepends=True)
    out: list[bytes] = []
    source = iter(lines)
    reader = csv.reader(source, delimiter=delimiter)
    consumed = 0
    for _ in reader:
        out.append("".join(lines[consumed : reader.line_num]).encode(encoding))
        consumed = reader.line_num
    return out


def trim(raw: bytes, encoding: str = "utf-8", delimiter: str = ",") -> tuple[bytes, str | None]:
    """Keep the header, the first and last rows, and middle rows with an empty or quoted cell."""
    recs = records(raw, encoding, delimiter)
    body = recs[1:]
    if len(body) <= HEAD_ROWS + TAIL_ROWS + EDGE_ROWS:
        return raw, None
    middle = body[HEAD_ROWS:-TAIL_ROWS]
    edges = [
        r
        for r in middle
        if b'"' in r
        or any(cell == "" for row in csv.reader(io.StringIO(r.decode(encoding))) for cell in row)
    ][:EDGE_ROWS]
    kept = [recs[0], *body[:HEAD_ROWS], *edges, *body[-TAIL_ROWS:]]
    note = (
        f"{len(body)} data rows -> {len(kept) - 1}: header, the first {HEAD_ROWS}, "
        f"{len(edges)} later rows holding an empty or quoted cell, the last {TAIL_ROWS} "
        "(whole records, original order and line endings)"
    )
    return b"".join(kept), note


def json_bytes(value: Any) -> bytes:
    """JSON as this suite writes a changed descriptor or schema: indent 2, UTF-8, a last LF."""
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode()


def sha256(data: bytes) -> str:
    """The hex sha256 of `data`."""
    return hashlib.sha256(data).hexdigest()


class Builder:
    """Writes one package folder and collects its manifest entry."""

    def __init__(self, mirrors: Path, name: str, repo: str, features: list[str]) -> None:
        self.mirrors, self.repo = mirrors, repo
        self.commit = git(mirrors, repo, "rev-parse", "HEAD").decode().strip()
        self.folder = HERE / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.entry: dict[str, Any] = {
            "name": name,
            "repository": f"https://github.com/{repo}",
            "commit": self.commit,
            "repository_licence": REPO_LICENCES.get(
                repo, "no licence file in the repository: the descriptor's licenses apply"
            ),
            "features": features,
            "files": [],
            "changes": [],
        }

    def read(self, path: str, rev: str = "HEAD") -> bytes:
        """A file of the repository at `rev`."""
        return git(self.mirrors, self.repo, "show", f"{rev}:{path}")

    def copy(self, source: str, target: str, *, trim_csv: str | None = None, enc="utf-8") -> None:
        """Copy `source` to `target` in the package, trimming CSV rows when `trim_csv` is set."""
        data = self.read(source)
        record: dict[str, Any] = {
            "source": source,
            "target": target,
            "sha256_original": sha256(data),
        }
        if trim_csv is not None:
            data, note = trim(data, enc, trim_csv)
            if note:
                record["trimmed"] = note
        (self.folder / target).parent.mkdir(parents=True, exist_ok=True)
        (self.folder / target).write_bytes(data)
        self.entry["files"].append(record)

    def descriptor(self, source: str | None, target: str, text: bytes | None = None) -> None:
        """Write the descriptor (as published unless `text` is given)."""
        data = text if text is not None else self.read(source or target)
        (self.folder / target).write_bytes(data)
        self.entry["descriptor"] = {"source": source, "target": target}

    def rewritten(self, source: str, descriptor: dict[str, Any]) -> None:
        """Write `descriptor`, changed from the published `source`, as datapackage.json."""
        self.descriptor(None, "datapackage.json", json_bytes(descriptor))
        self.entry["descriptor"]["source"] = source

    def change(self, note: str) -> None:
        """Record a change made to the published package."""
        self.entry["changes"].append(note)


def licences_of(folder: Path) -> list[Any]:
    """The `licenses` the package's descriptor declares (as published)."""
    import yaml

    for name in ("datapackage.json", "datapackage.yaml", "datapackage.yml"):
        if (folder / name).exists():
            return yaml.safe_load((folder / name).read_text("utf-8")).get("licenses", [])
    return []


def build(mirrors: Path) -> list[dict[str, Any]]:
    """Build every package; return the manifest entries."""
    entries = []

    def done(b: Builder) -> None:
        b.entry["descriptor_licences"] = licences_of(b.folder)
        entries.append(b.entry)

    # datahub core datasets
    for name, repo, descriptor, files, features in [
        (
            "datahub-country-codes",
            "datasets/country-codes",
            "datapackage.yml",
            ["data/country-codes.csv"],
            ["YAML descriptor (.yml)", "v1", "quoted cells", "empty cells"],
        ),
        (
            "datahub-gdp",
            "datasets/gdp",
            "datapackage.json",
            ["data/gdp.csv", "data/top-economies.csv"],
            ["v1", "views", "quoted cells", "CRLF line endings (no dialect)"],
        ),
        (
            "datahub-co2-ppm",
            "datasets/co2-ppm",
            "datapackage.json",
            [
                f"data/co2-{k}.csv"
                for k in ("mm-mlo", "annmean-mlo", "gr-mlo", "mm-gl", "annmean-gl", "gr-gl")
            ],
            ["v1", "six resources", "dates", "numbers"],
        ),
        (
            "datahub-gold-prices",
            "datasets/gold-prices",
            "datapackage.json",
            ["data/monthly-processed.csv", "data/annual.csv", "data/monthly.csv"],
            ["v1", "missingValues", "profile data-package", "yearmonth"],
        ),
        (
            "datahub-population",
            "datasets/population",
            "datapackage.json",
            ["data/population.csv"],
            ["v1", "integers", "quoted cells", "CRLF line endings (no dialect)"],
        ),
        (
            "datahub-s-and-p-500",
            "datasets/s-and-p-500",
            "datapackage.json",
            ["data/data.csv"],
            ["v1", "dates", "numbers", "empty cells"],
        ),
    ]:
        b = Builder(mirrors, name, repo, features)
        b.descriptor(descriptor, descriptor)
        for f in files:
            b.copy(f, f, trim_csv=",")
        done(b)

    # frictionless-r's example package, v1 and v2
    fr = "frictionlessdata/frictionless-r"
    for version in ("v1", "v2"):
        feats = [
            "multi-file resource (path array)",
            "TSV (delimiter tab)",
            "inline data (objects)",
            "foreign keys",
            "missingValues",
            "datetime format",
            f"{version} descriptor",
        ]
        if version == "v2":
            feats += ["$schema v2", "categories", "labelled missingValues"]
        b = Builder(mirrors, f"frictionless-r-example-{version}", fr, feats)
        base = f"inst/extdata/{version}"
        b.descriptor(f"{base}/datapackage.json", "datapackage.json")
        for f in ("deployments.csv", "observations_1.tsv", "observations_2.tsv"):
            b.copy(f"{base}/{f}", f)
        done(b)

    # frictionless-r's own read_resource() tests: the v1 example package with the deployments
    # file and properties swapped exactly as tests/testthat/test-read_resource.R does.
    v1 = json.loads(git(mirrors, fr, "show", "HEAD:inst/extdata/v1/datapackage.json"))
    for name, file, props, feats in [
        (
            "frictionless-r-encoding",
            "deployments_encoding.csv",
            {"encoding": "windows-1252"},
            ["declared encoding windows-1252", "multi-file resource", "inline data"],
        ),
        (
            "frictionless-r-dialect",
            "deployments_dialect.csv",
            {
                "dialect": {
                    "delimiter": "/",
                    "quoteChar": "'",
                    "doubleQuote": True,
                    "escapeChar": "\\",
                    "skipInitialSpace": True,
                    "header": False,
                    "commentChar": "#",
                }
            },
            [
                "dialect: no header",
                "dialect: skipInitialSpace",
                "dialect: delimiter /, quoteChar ', escapeChar, commentChar",
            ],
        ),
    ]:
        b = Builder(mirrors, name, fr, feats)
        descriptor = json.loads(json.dumps(v1))
        descriptor["resources"][0]["path"] = file
        descriptor["resources"][0].update(props)
        b.rewritten("inst/extdata/v1/datapackage.json", descriptor)
        b.change(
            "descriptor: frictionless-r's v1 example package with resource 'deployments' given "
            f"path {file!r} and {json.dumps(props)}, as test-read_resource.R builds it in memory "
            "(no published descriptor has this feature; this is the closest real package)"
        )
        b.copy(f"tests/testthat/data/{file}", file)
        for f in ("observations_1.tsv", "observations_2.tsv"):
            b.copy(f"inst/extdata/v1/{f}", f)
        done(b)

    # frictionlessdata/example-data-packages
    edp = "frictionlessdata/example-data-packages"
    for name, folder, files, features in [
        (
            "edp-units-and-prefixes",
            "units-and-prefixes",
            ["data/units.csv", "data/unit-prefixes.csv"],
            [
                "CRLF line terminators",
                "dialect lineTerminator CRLF",
                "skipInitialSpace declared (no cell starts with a space)",
                "missingValues",
                "non-ASCII text",
            ],
        ),
        (
            "edp-countries-and-currencies",
            "countries-and-currencies",
            ["data/currencies.csv", "data/countries-using-usd-and-gbp.csv"],
            [
                "foreign keys",
                "skipInitialSpace declared",
                "dialect lineTerminator CRLF (files are LF)",
                "missingValues",
                "quoted cells",
            ],
        ),
        ("edp-text-file", "text-file", ["text-file.txt"], ["non-tabular resource (txt)"]),
        (
            "edp-simple-geojson",
            "simple-geojson",
            ["data/example.geojson"],
            ["non-tabular resource (GeoJSON)"],
        ),
    ]:
        b = Builder(mirrors, name, edp, features)
        b.descriptor(f"{folder}/datapackage.json", "datapackage.json")
        for f in files:
            b.copy(f"{folder}/{f}", f)
        done(b)

    # frictionless-py's own test data
    fpy = "frictionlessdata/frictionless-py"
    b = Builder(
        mirrors,
        "frictionless-py-compression",
        fpy,
        ["compressed resources: gz and zip, by extension and by 'compression'"],
    )
    b.descriptor("data/compression/datapackage.json", "datapackage.json")
    for f in ("explicit.csv.gz", "explicit.csv.zip", "implicit-gz.csv", "implicit-zip.csv"):
        b.copy(f"data/compression/{f}", f)
    done(b)

    b = Builder(
        mirrors,
        "frictionless-py-multipart",
        fpy,
        [
            "multi-file resource (path array, a header in each part)",
            "schema by path",
            "profile tabular-data-package",
            "non-ASCII text",
        ],
    )
    b.descriptor("data/multipart.package.json", "datapackage.json")
    b.change("descriptor renamed data/multipart.package.json -> datapackage.json")
    for f in ("chunk1.csv", "chunk2.csv", "resource-schema.json"):
        b.copy(f"data/{f}", f)
    done(b)

    b = Builder(
        mirrors,
        "frictionless-py-country-yaml",
        fpy,
        ["YAML descriptor (.yaml)", "foreign keys", "type table"],
    )
    b.descriptor("data/country.package.yaml", "datapackage.yaml")
    b.change("descriptor renamed data/country.package.yaml -> datapackage.yaml")
    for f in ("capital-3.csv", "country-3.csv"):
        b.copy(f"data/{f}", f)
    done(b)

    b = Builder(
        mirrors,
        "frictionless-py-bathing-waters",
        fpy,
        ["dialect: no header", "dialect: delimiter |", "date format %d.%m.%Y", "enum"],
    )
    resource = json.loads(b.read("data/issue-1478/resource.json"))
    package = {"name": "badegewasser", "resources": [resource]}
    b.rewritten("data/issue-1478/resource.json", package)
    b.change(
        "the published resource descriptor data/issue-1478/resource.json wrapped, unchanged, "
        "in a package {name: badegewasser, resources: [it]} (the closest real data with "
        "header: false)"
    )
    b.copy("data/issue-1478/table.csv", "table.csv")
    done(b)

    # Camtrap DP example dataset (schemas and profile published as remote URLs)
    ct = "tdwg/camtrap-dp"
    b = Builder(
        mirrors,
        "camtrap-dp-example",
        ct,
        [
            "remote schemas (localised)",
            "foreign keys",
            "inline data",
            "missingValues",
            "datetimes with time zones",
            "constraints",
            "v1",
        ],
    )
    descriptor = json.loads(b.read("example/datapackage.json"))
    for res in descriptor["resources"]:
        if isinstance(res.get("schema"), str):
            url = res["schema"]
            tag, file = url.split("/")[-2:]
            res["schema"] = file
            data = b.read(file, tag)
            (b.folder / file).write_bytes(data)
            b.entry["files"].append(
                {"source": f"{tag}:{file}", "target": file, "sha256_original": sha256(data)}
            )
            b.change(
                f"resource {res['name']!r}: schema {url} -> {file} (the same file at tag {tag})"
            )
    profile = descriptor.pop("profile")
    b.change(
        f"package 'profile' {profile} removed: it $refs a remote JSON Schema and requires "
        "remote schema URLs, and this suite runs offline"
    )
    b.rewritten("example/datapackage.json", descriptor)
    for f in ("deployments.csv", "media.csv", "observations.csv"):
        b.copy(f"example/{f}", f)
    done(b)

    # --- added later: features the packages above do not have ---------------------------------
    # datahub core datasets: a boolean written 0, four resources, French names; a header
    # whose first label differs from the schema's field name (published so), a year field
    for name, repo, files, features in [
        (
            "datahub-language-codes",
            "datasets/language-codes",
            [
                "data/language-codes.csv",
                "data/language-codes-3b2.csv",
                "data/language-codes-full.csv",
                "data/ietf-language-tags.csv",
            ],
            [
                "boolean (default falseValues: every cell 0)",
                "four resources",
                "non-ASCII text (French names)",
                "every cell quoted (three resources)",
                "a date column with every cell empty",
                "related",
            ],
        ),
        (
            "datahub-cpi",
            "datasets/cpi",
            ["data/cpi.csv"],
            [
                "header label differs from the field name (incorrect-label, as published)",
                "year",
                "quoted cells (country names holding a comma)",
                "sources",
            ],
        ),
    ]:
        b = Builder(mirrors, name, repo, features)
        b.descriptor("datapackage.json", "datapackage.json")
        for f in files:
            b.copy(f, f, trim_csv=",")
        done(b)

    # frictionlessdata/example-data-packages: geopoint in its formats, a month/day/year date
    def relicensed(text: bytes) -> tuple[bytes, int]:
        """The descriptor with its pre-1.0 licences {id, url} written {name, path}."""
        descriptor = json.loads(text)
        count = 0
        for owner in [descriptor, *descriptor.get("resources", [])]:
            for licence in owner.get("licenses", []):
                if "id" in licence and "name" not in licence:
                    licence["name"] = licence.pop("id")
                    count += 1
                if "url" in licence and "path" not in licence:
                    licence["path"] = licence.pop("url")
        return json_bytes(descriptor), count

    for name, folder, files, features in [
        (
            "edp-geopoint-default",
            "geopoint-default",
            ["data/office-locations.csv"],
            [
                "geopoint, format default ('lon, lat' with a space)",
                "primaryKeys (a misspelt primaryKey, ignored)",
                "resource licenses",
            ],
        ),
        (
            "edp-geo-location-fk",
            "geo-location-fk",
            ["data/offices.csv", "data/gazetteer.csv"],
            [
                "geopoint, format object (JSON in a quoted cell)",
                "foreign keys",
                "resource licenses",
            ],
        ),
        (
            "edp-finance-vix",
            "finance-vix",
            ["data/vix-daily.csv"],
            ["date format %m/%d/%Y (months and days not zero-padded)", "numbers", "sources"],
        ),
    ]:
        b = Builder(mirrors, name, edp, features)
        source = f"{folder}/datapackage.json"
        text, count = relicensed(b.read(source))
        if count:
            b.descriptor(None, "datapackage.json", text)
            b.entry["descriptor"]["source"] = source
            b.change(
                f"descriptor: its {count} licenses written {{id, url}} (the pre-1.0 form) renamed "
                "{name, path}, as Data Package v1 names them; frictionless refuses to open the "
                'descriptor otherwise (\'license requires "path" or "name"\', a '
                "resource-error expo-data reports too); the JSON written again with indent 2, "
                "nothing else changed"
            )
        else:
            b.descriptor(source, "datapackage.json")
        for f in files:
            b.copy(f"{folder}/{f}", f, trim_csv=",")
        done(b)

    # frictionless-py issue 1293: a JSON tabular resource (an array of keyed rows) with an
    # array field
    b = Builder(
        mirrors,
        "frictionless-py-json-array",
        fpy,
        [
            "JSON tabular resource (format json, keyed rows)",
            "array field (a JSON list in each row, one empty)",
            "profile tabular-data-resource (no type: a table to frictionless)",
        ],
    )
    b.descriptor("data/issue-1293/datapackage.json", "datapackage.json")
    b.copy("data/issue-1293/sample.json", "sample.json")
    done(b)

    # --- added with the domain standards (Camtrap DP 0.1.6, TIDES) -----------------------------
    def localised(b: Builder, descriptor: dict[str, Any], prefix: str, repo: str) -> None:
        """Each resource schema published as a URL under `prefix` (a ref of `repo`, then a
        path) replaced by that file, as `repo` holds it at that ref; the package's remote
        'profile' (a JSON Schema fetched over the network) removed."""
        for res in descriptor["resources"]:
            url = res.get("schema")
            if not (isinstance(url, str) and url.startswith(prefix)):
                continue
            ref, path = url.removeprefix(prefix).split("/", 1)
            file = path.rsplit("/", 1)[-1]
            commit = git(mirrors, repo, "rev-parse", f"{ref}^{{commit}}").decode().strip()
            data = git(mirrors, repo, "show", f"{commit}:{path}")
            res["schema"] = file
            (b.folder / file).write_bytes(data)
            b.entry["files"].append(
                {
                    "source": f"{path} at {ref} ({commit})",
                    "repository": f"https://github.com/{repo}",
                    "target": file,
                    "sha256_original": sha256(data),
                }
            )
            b.change(
                f"resource {res['name']!r}: schema {url} -> {file} (the same file, "
                f"github.com/{repo} at {ref} = {commit})"
            )
        profile = descriptor.pop("profile")
        b.change(
            f"package 'profile' {profile} removed: a remote JSON Schema (frictionless fetches "
            "it to validate the descriptor) and this suite runs offline"
        )

    # inbo/camtraptor's example Camtrap DP 0.1.6 package (an Agouti export of the MICA
    # project), and the same package with broken timestamps camtraptor's tests read
    ctr = "inbo/camtraptor"
    for name, folder, descriptor_file, suffix, features in [
        (
            "camtraptor-mica",
            "inst/extdata/mica",
            "datapackage.json",
            "",
            [
                "Camtrap DP 0.1.6 (remote schemas, localised)",
                "datetime format %Y-%m-%dT%H:%M:%S%z with a 'Z' offset",
                "boolean written TRUE/FALSE",
                "foreign keys (one to a field that is not a key: media.sequenceID)",
                "object field (exifData, every cell empty)",
                "missingValues ['', 'NaN', 'nan']",
                "constraints (enum, minimum/maximum, required, unique)",
                "non-ASCII text in the descriptor (contributors), not in the data",
            ],
        ),
        (
            "camtraptor-mica-parsing-issues",
            "inst/extdata/mica_parsing_issues",
            "datapackage_for_parsing_issues.json",
            "_parsing_issues",
            [
                "Camtrap DP 0.1.6 (remote schemas, localised)",
                "invalid datetimes (type-error findings in three resources)",
                "datetime format %Y-%m-%dT%H:%M:%S%z",
                "foreign keys",
                "files named apart from their resources",
            ],
        ),
    ]:
        b = Builder(mirrors, name, ctr, features)
        source = f"{folder}/{descriptor_file}"
        descriptor = json.loads(b.read(source))
        localised(b, descriptor, "https://raw.githubusercontent.com/tdwg/camtrap-dp/", ct)
        # Camtrap DP 0.1.6 documents some fields with an `example` their type does not
        # parse (a list for a string, a JSON object missing its closing brace): frictionless
        # 5.21 refuses to open the schema ('Field is not valid: example value ... is not
        # valid', a field-error expo-data reports too), so no oracle; the examples removed.
        for file, fields in {
            "deployments-table-schema.json": ["setupBy"],
            "media-table-schema.json": ["filePath", "exifData"],
            "observations-table-schema.json": ["classifiedBy"],
        }.items():
            schema = json.loads((b.folder / file).read_bytes())
            for field in schema["fields"]:
                if field["name"] in fields:
                    example = field.pop("example")
                    b.change(
                        f"{file}: field {field['name']!r}: example {json.dumps(example)} "
                        "removed (not a value of its type: frictionless 5.21 refuses the "
                        "schema, 'example value ... is not valid', and so does expo-data)"
                    )
            (b.folder / file).write_bytes(json_bytes(schema))
        b.rewritten(source, descriptor)
        if descriptor_file != "datapackage.json":
            b.change(f"descriptor renamed {source} -> datapackage.json")
        b.change("the descriptor written again with indent 2, nothing else changed")
        for f in ("deployments", "media", "observations"):
            b.copy(f"{folder}/{f}{suffix}.csv", f"{f}{suffix}.csv")
        done(b)

    # TIDES (Transit ITS Data Exchange Specification): its template package, eleven tables
    # with a header and no row, schemas published as URLs to the spec on the main branch
    tides = "TIDES-transit/TIDES"
    b = Builder(
        mirrors,
        "tides-template",
        tides,
        [
            "TIDES (remote schemas, localised)",
            "eleven resources, each a header and no data row",
            "headers that differ from their schemas (the spec moved on, the template did not)",
            "missingValues ['NA', 'NaN', '']",
            "primaryKey, constraints (enum, minimum/maximum, required, unique)",
            "foreignReferences (a TIDES key, not Table Schema's foreignKeys)",
            "resource sources with custom properties",
        ],
    )
    source = "samples/template/TIDES/datapackage.json"
    descriptor = json.loads(b.read(source))
    localised(b, descriptor, "https://raw.githubusercontent.com/TIDES-transit/TIDES/", tides)
    b.rewritten(source, descriptor)
    b.change("the descriptor written again with indent 2 (published with 4), nothing else changed")
    for res in descriptor["resources"]:
        b.copy(f"samples/template/TIDES/{res['path']}", res["path"])
    done(b)

    # datahub core datasets: ISO 4217 (quotes doubled inside quoted cells, a number written
    # with leading zeros, a cell ending in a space) and UN/LOCODE's lookup tables (Namibia's
    # code 'NA' as a value, not a missing value; combining characters)
    b = Builder(
        mirrors,
        "datahub-currency-codes",
        "datasets/currency-codes",
        [
            'escaped quotes ("" inside a quoted cell)',
            "number written with leading zeros (008)",
            "a cell ending in a space",
            "non-ASCII text",
            "'size' as a string, 'mimetype' (pre-1.0 resource properties)",
            "contributors without a name",
        ],
    )
    b.descriptor("datapackage.json", "datapackage.json")
    b.copy("data/codes-all.csv", "data/codes-all.csv", trim_csv=",")
    done(b)

    b = Builder(
        mirrors,
        "datahub-un-locode",
        "datasets/un-locode",
        [
            "a cell 'NA' (Namibia) that is a value: missingValues not declared",
            "non-ASCII text (combining characters, right single quotes)",
            "five resources",
            "quoted cells, empty cells",
            "mediatype",
        ],
    )
    descriptor = json.loads(b.read("datapackage.json"))
    dropped = [r for r in descriptor["resources"] if r["path"] == "data/code-list.csv"]
    descriptor["resources"] = [r for r in descriptor["resources"] if r not in dropped]
    b.rewritten("datapackage.json", descriptor)
    b.change(
        "resource 'code-list' (data/code-list.csv, the main codelist) removed: the "
        "mirror is a partial clone without that file's blob at any commit; the descriptor "
        "written again with indent 2 (as published), nothing else changed"
    )
    for res in descriptor["resources"]:
        b.copy(res["path"], res["path"], trim_csv=",")
    done(b)
    return entries


def main() -> None:
    """Build the packages named in this file from the mirrors given on the command line."""
    mirrors = Path(sys.argv[1])
    entries = build(mirrors)
    licences = HERE / "LICENSES"
    shutil.rmtree(licences, ignore_errors=True)
    licences.mkdir()
    for repo, file in LICENCE_FILES.items():
        (licences / repo.replace("/", "+")).write_bytes(git(mirrors, repo, "show", f"HEAD:{file}"))
    for entry in entries:
        repo = entry["repository"].removeprefix("https://github.com/")
        if repo in LICENCE_FILES:
            entry["repository_licence_text"] = f"LICENSES/{repo.replace('/', '+')}"
    (HERE / "MANIFEST.json").write_text(json.dumps(entries, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
