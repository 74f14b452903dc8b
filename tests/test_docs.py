"""Generated docs (data dictionary, dataset card, coverage chart) and CITATION.cff.

The committed docs/ must equal a fresh generation: when this fails, run `expo-data docs`.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

import expo_data

from conftest import ROOT, run_cli, without_notice

DOCS = ROOT / "docs"
GENERATED = ("data-dictionary.md", "dataset-card.md", "coverage.svg")
DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
SVG = "{http://www.w3.org/2000/svg}"


def csv_rows(package: Path, resource: str) -> list[dict[str, str]]:
    with open(package / "data" / f"{resource}.csv", encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def schema(resource: str) -> dict:
    return json.loads((ROOT / "schemas" / f"{resource}.json").read_text(encoding="utf-8"))


def set_cell(package: Path, resource: str, row_id: str, field: str, value: str) -> None:
    path = package / "data" / f"{resource}.csv"
    rows = csv_rows(package, resource)
    for row in rows:
        if row["id"] == row_id:
            row[field] = value
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The docs generated now, from the repository's package."""
    out = tmp_path_factory.mktemp("docs")
    expo_data.write_docs(out, ROOT)
    return out


def read(folder: Path, name: str) -> str:
    return (folder / name).read_text(encoding="utf-8")


# --- drift --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", GENERATED)
def test_committed_docs_are_up_to_date(fresh, name):
    assert (DOCS / name).is_file(), f"docs/{name} is missing: run `expo-data docs`"
    assert (DOCS / name).read_bytes() == (fresh / name).read_bytes(), (
        f"docs/{name} is stale: run `expo-data docs` and commit the result"
    )


def test_check_passes_on_the_committed_docs():
    result = run_cli("docs", "--check", "--out", DOCS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("is up to date")


def test_check_lists_stale_files_and_writes_nothing(tmp_path, fresh):
    out = tmp_path / "docs"
    shutil.copytree(fresh, out)
    (out / "dataset-card.md").write_text("edited by hand\n", encoding="utf-8")
    (out / "coverage.svg").unlink()
    result = run_cli("docs", "--check", "--out", out)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"stale: {out / 'dataset-card.md'}",
        f"stale: {out / 'coverage.svg'}",
    ]
    assert without_notice(result.stderr).startswith("Error: 2 stale file(s)")
    assert read(out, "dataset-card.md") == "edited by hand\n"
    assert not (out / "coverage.svg").exists()


def test_docs_writes_then_reports_up_to_date(tmp_path, fresh):
    out = tmp_path / "new"
    first = run_cli("docs", "--out", out)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [f"wrote: {out / name}" for name in GENERATED]
    assert all((out / n).read_bytes() == (fresh / n).read_bytes() for n in GENERATED)
    second = run_cli("docs", "--out", out)
    assert (second.returncode, second.stdout) == (0, f"{out} is up to date\n")


def test_output_is_deterministic_and_independent_of_location(tmp_path, package_copy, fresh):
    expo_data.write_docs(tmp_path / "copy", package_copy)
    for name in GENERATED:
        text = read(tmp_path / "copy", name)
        assert text == read(fresh, name)
        assert str(tmp_path) not in text and str(ROOT) not in text


# --- the data dictionary ------------------------------------------------------------------


def test_dictionary_opens_with_an_er_diagram_of_every_foreign_key(fresh):
    text = read(fresh, "data-dictionary.md")
    diagram = re.search(r"```mermaid\nerDiagram\n(.*?)```", text, re.S)
    assert diagram and text.index("```mermaid") < text.index("\n## sources")
    body = diagram.group(1)
    for resource in DESCRIPTOR["resources"]:
        name = resource["name"]
        assert re.search(rf"^    {name} {{$", body, re.M), name
        for fk in schema(name).get("foreignKeys", []):
            parent = fk["reference"]["resource"] or name
            fields = ", ".join(fk["fields"])
            assert re.search(rf'^    {name} }}o--[o|]\| {parent} : "{fields}"$', body, re.M)


def test_dictionary_describes_every_resource_and_field(fresh):
    text = read(fresh, "data-dictionary.md")
    for resource in DESCRIPTOR["resources"]:
        name = resource["name"]
        section = text.split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0]
        rows = csv_rows(ROOT, name)
        assert f"- Rows: {len(rows)}\n" in section
        assert resource["description"] in section
        spec = schema(name)
        assert f"- Primary key: {', '.join(f'`{k}`' for k in spec['primaryKey'])}" in section
        for field in spec["fields"]:
            line = next(
                (ln for ln in section.splitlines() if ln.startswith(f"| `{field['name']}` |")), None
            )
            assert line, (name, field["name"])
            assert f"| {field.get('type', 'string')} |" in line
            assert field.get("title", "") in line
            filled = sum(1 for r in rows if r[field["name"]] != "")
            assert f"| {filled}/{len(rows)} |" in line
            example = next((r[field["name"]] for r in rows if r[field["name"]] != ""), None)
            if example is not None:
                assert f"`{example[:20]}" in line
            if field.get("constraints", {}).get("required"):
                assert "required" in line


# --- the dataset card and its chart -------------------------------------------------------


def test_card_states_coverage_computed_from_awards(fresh):
    text = read(fresh, "dataset-card.md")
    awards = csv_rows(ROOT, "awards")
    for award in awards:
        reported, named = award["winners_reported"], award["winners_named"]
        if reported and int(reported) > int(named):
            assert f"names only {named} of the {reported} " in text
    assert "names only 13 of the 27 cities" in text
    assert "names only 8 of the 15 districts" in text
    technical = next(a for a in awards if a["kind"] == "sub-category")
    assert f"stands for {technical['awards_reported']} awards" in text
    empty = [a for a in awards if a["kind"] == "segment-category" and a["winners_named"] == "0"]
    assert f"{len(empty)} segment categories" in text
    assert "Dates: 1 of 9 sessions has a date" in text
    for heading in ("What it is", "Source", "Coverage and known gaps", "Licence", "How to cite"):
        assert f"\n## {heading}\n" in text
    assert "## Version history" in text and f"| {DESCRIPTOR['version']} |" in text
    assert "CC-BY-4.0" in text and "MIT" in text
    assert "![" in text and "(coverage.svg)" in text


def test_card_follows_the_data(package_copy, tmp_path):
    set_cell(package_copy, "awards", "leading-smart-city-2023", "winners_reported", "30")
    expo_data.write_docs(tmp_path, package_copy)
    assert "names only 13 of the 30 cities" in read(tmp_path, "dataset-card.md")
    assert "13 of 30 named" in read(tmp_path, "coverage.svg")


def test_chart_is_plain_svg_with_a_bar_per_award(fresh):
    root = ET.fromstring(read(fresh, "coverage.svg"))
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title") is not None
    charted = [
        a
        for a in csv_rows(ROOT, "awards")
        if a["winners_named"] != "0" or a["winners_reported"] != ""
    ]
    labels = [t.text for t in root.iter(f"{SVG}text")]
    widths = {}
    for award in charted:
        assert award["id"] in labels
        named, reported = award["winners_named"], award["winners_reported"]
        label = f"{named} of {reported} named" if reported else f"{named} named · "
        assert any(text.startswith(label) for text in labels), label
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("height") == "22"]
    for bar in bars:
        widths.setdefault(bar.get("y"), []).append(int(bar.get("width")))
    assert len(widths) == len(charted)
    city = next(a for a in charted if a["id"] == "leading-smart-city-2023")
    reported_bar, named_bar = next(iter(widths.values()))
    assert named_bar / reported_bar == pytest.approx(
        int(city["winners_named"]) / int(city["winners_reported"]), abs=0.01
    )


# --- CITATION.cff -------------------------------------------------------------------------

#: the top-level keys CFF 1.2.0 allows (its schema has additionalProperties: false)
CFF_KEYS = {
    "abstract", "authors", "cff-version", "commit", "contact", "date-released", "doi",
    "identifiers", "keywords", "license", "license-url", "message", "preferred-citation",
    "references", "repository", "repository-artifact", "repository-code", "title", "type",
    "url", "version",
}  # fmt: skip


def test_citation_cff_is_valid_and_matches_the_package():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert set(cff) <= CFF_KEYS
    assert {"authors", "cff-version", "message", "title"} <= set(cff)
    assert cff["type"] == "dataset"
    assert all(isinstance(a, dict) and a for a in cff["authors"])
    assert cff["title"] == DESCRIPTOR["title"]
    assert str(cff["version"]) == DESCRIPTOR["version"] == expo_data.__version__
    assert cff["date-released"] == DESCRIPTOR["created"][:10]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", cff["date-released"])
    # the data's licence, and the code's in the software reference
    assert cff["license"] == "CC-BY-4.0"
    assert [lic["name"] for lic in DESCRIPTOR["licenses"]] == ["CC-BY-4.0"]
    software = [r for r in cff["references"] if r["type"] == "software"]
    assert [r["license"] for r in software] == ["MIT"]
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    # the source is credited
    source = csv_rows(ROOT, "sources")[0]
    assert any(r.get("filename") == source["file_name"] for r in cff["references"])
    assert DESCRIPTOR["sources"]
    for reference in cff["references"]:
        assert {"authors", "title", "type"} <= set(reference)


def test_docs_for_a_package_of_another_shape(tmp_path: Path):
    """Any package gets the dictionary (with its ER diagram) and a card; no CHTF coverage."""
    folder = tmp_path / "other"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "teams.csv").write_text("id,name\nt1,Reds\nt2,\n", encoding="utf-8")
    (folder / "data" / "sources.csv").write_text("id,title\ns1,A book\n", encoding="utf-8")
    (folder / "data" / "players.csv").write_text("id,team\np1,t1\np2,t2\np3,t1\n", encoding="utf-8")
    descriptor = {
        "name": "league",
        "version": "0.1.0",
        "resources": [
            {
                "name": "teams",
                "path": "data/teams.csv",
                "schema": {
                    "fields": [{"name": "id"}, {"name": "name", "categories": ["Reds", "Blues"]}],
                    "primaryKey": ["id"],
                },
            },
            {
                "name": "sources",
                "path": "data/sources.csv",
                "schema": {"fields": [{"name": "id"}, {"name": "title"}]},
            },
            {
                "name": "players",
                "path": "data/players.csv",
                "schema": {
                    "fields": [{"name": "id"}, {"name": "team"}],
                    "foreignKeys": [
                        {"fields": ["team"], "reference": {"resource": "teams", "fields": ["id"]}}
                    ],
                },
            },
        ],
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    result = run_cli("docs", "--out", tmp_path / "docs", "-p", folder)
    assert result.returncode == 0, result.stderr
    (warning,) = result.stderr.splitlines()  # one line: what the publisher should add
    assert warning.startswith("Warning: datapackage.json has no ") and "contributors" in warning
    assert sorted(p.name for p in (tmp_path / "docs").iterdir()) == [
        "data-dictionary.md",
        "dataset-card.md",
    ]
    dictionary = read(tmp_path / "docs", "data-dictionary.md")
    assert 'players }o--o| teams : "team"' in dictionary
    assert "| `name` | string | categories `Reds`, `Blues` | 1/2 |" in dictionary
    card = read(tmp_path / "docs", "dataset-card.md")
    assert "## Source" in card and "`s1`" in card and "A book" in card
    assert "## Coverage" not in card and "coverage.svg" not in card
