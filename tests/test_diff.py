"""`expo-data diff`: two versions of a generated package and of the bundled one, with known
edits, diffed as CSV packages, as releases, across the two forms, from git and the cache."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import pytest

import expo_data
from expo_data import PackageDiff

from conftest import copy_package, run_cli

THINGS_V1 = """\
id,name,code,rank,kind,opened
1,alpha,a-1,1,hall,2023-11-15
2,beta,b-2,2,booth,2023-11-16
3,x,c-3,3,hall,
4,delta,d-4,4,forum,2023-11-18
5,NA,e-5,5,hall,2023-11-19
"""
# row 2 removed, row 6 added, row 3 name x → y; "1.0" vs "1" in a number field is no change;
# field `note` added, `code` renamed `ref`, `rank` narrowed number → integer
THINGS_V2 = """\
id,name,ref,rank,kind,opened,note
1,alpha,a-1,1,hall,2023-11-15,
3,y,c-3,3,hall,,
4,delta,d-4,4,forum,2023-11-18,
5,NA,e-5,5,hall,2023-11-19,new
6,zeta,f-6,6,booth,2023-11-20,
"""
LOG_V1 = "level,n\ninfo,1\ninfo,1\nwarn,2\n"
LOG_V2 = "level,n\ninfo,1\nwarn,2\nerror,3\n"


def _things_schema(version: int) -> dict:
    fields = [
        {"name": "id", "type": "integer", "constraints": {"required": True}},
        {"name": "name", "type": "string"},
        {"name": "code" if version == 1 else "ref", "type": "string"},
        {"name": "rank", "type": "number" if version == 1 else "integer"},
        {"name": "kind", "type": "string", "constraints": {"enum": ["hall", "booth", "forum"]}},
        {"name": "opened", "type": "date"},
    ]
    if version == 2:
        fields.append({"name": "note", "type": "string"})
    return {"fields": fields, "primaryKey": ["id"]}


LOG_SCHEMA = {"fields": [{"name": "level", "type": "string"}, {"name": "n", "type": "integer"}]}


def make_package(folder: Path, version: int, semver: str | None = None) -> Path:
    """Version 1 or 2 of the generated package in `folder`."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    things = THINGS_V1 if version == 1 else THINGS_V2
    if version == 1:
        things = things.replace("4,delta,d-4,4,", "4,delta,d-4,4.0,")  # typed: 4.0 == 4
    (folder / "data" / "things.csv").write_text(things, encoding="utf-8")
    (folder / "data" / "log.csv").write_text(LOG_V1 if version == 1 else LOG_V2, encoding="utf-8")
    descriptor = {
        "name": "generated",
        "version": semver or f"{version}.0.0",
        "licenses": [{"name": "CC0-1.0"}],
        "resources": [
            {"name": "things", "path": "data/things.csv", "schema": _things_schema(version)},
            {"name": "log", "path": "data/log.csv", "schema": LOG_SCHEMA},
        ],
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    return folder


EXPECTED_THINGS = {
    "name": "things",
    "status": "changed",
    "added": [["6"]],
    "removed": [["2"]],
    "changed": [{"key": ["3"], "field": "name", "old": "x", "new": "y"}],
    "schema": [
        {
            "change": "field-renamed",
            "field": "ref",
            "breaking": True,
            "detail": "code → ref (same values)",
        },
        {"change": "field-added", "field": "note", "breaking": False, "detail": "string, nullable"},
        {"change": "type-changed", "field": "rank", "breaking": True, "detail": "number → integer"},
    ],
}
EXPECTED_LOG = {
    "name": "log",
    "status": "changed",
    "added": [["error", "3"]],
    "removed": [["info", "1"]],
    "changed": [],
    "schema": [],
}


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> dict[str, Path]:
    """The two CSV versions and their releases."""
    base = tmp_path_factory.mktemp("versions")
    out = {"v1": make_package(base / "v1", 1), "v2": make_package(base / "v2", 2)}
    out["r1"] = expo_data.build_release(out["v1"], out=base / "releases" / "1.0.0")
    out["r2"] = expo_data.build_release(out["v2"], out=base / "releases" / "2.0.0")
    return out


@pytest.mark.parametrize(("old", "new"), [("v1", "v2"), ("r1", "r2"), ("v1", "r2"), ("r1", "v2")])
def test_diff_reports_exactly_the_known_edits(versions, old, new):
    result = expo_data.diff(versions[old], versions[new])
    assert isinstance(result, PackageDiff)
    data = result.to_dict()
    assert set(data) == {"old", "new", "breaking", "resources"}
    assert data["resources"] == [EXPECTED_THINGS, EXPECTED_LOG]
    assert data["breaking"] is True and result.breaking and result.changed
    assert data["old"]["version"] == "1.0.0" and data["new"]["version"] == "2.0.0"
    assert data["old"]["form"] == ("release" if old.startswith("r") else "package")
    log = next(r for r in result.resources if r.name == "log")
    assert not log.keyed and log.key_fields == ()


@pytest.mark.parametrize(("old", "new"), [("v1", "r1"), ("r2", "v2"), ("v2", "v2")])
def test_a_package_equals_its_own_release(versions, old, new):
    result = expo_data.diff(versions[old], versions[new])
    assert not result.changed and not result.breaking
    assert all(r.status == "unchanged" for r in result.resources)
    done = run_cli("diff", versions[old], versions[new])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("no differences")


def test_reverse_diff_swaps_added_and_removed(versions):
    data = expo_data.diff(versions["v2"], versions["v1"]).to_dict()
    things = data["resources"][0]
    assert things["added"] == [["2"]] and things["removed"] == [["6"]]
    assert things["changed"] == [{"key": ["3"], "field": "name", "old": "y", "new": "x"}]
    codes = {(c["change"], c["field"], c["breaking"]) for c in things["schema"]}
    assert codes == {
        ("field-renamed", "code", True),
        ("field-removed", "note", True),
        ("type-changed", "rank", True),
    }


def test_cli_json_equals_the_library_and_exits_1(versions):
    done = run_cli("diff", versions["v1"], versions["r2"], "--format", "json")
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout) == expo_data.diff(versions["v1"], versions["r2"]).to_dict()


def test_text_and_markdown_renderings(versions):
    text = run_cli("diff", versions["v1"], versions["v2"])
    assert text.returncode == 1
    assert "things: 1 row added, 1 removed, 1 cell changed, 3 schema changes\n" in text.stdout
    assert "BREAKING field-renamed ref: code → ref (same values)" in text.stdout
    assert (
        "log: 1 row added, 1 removed, 0 cells changed, 0 schema changes (rows compared as a multiset: no primary key)"
        in text.stdout
    )
    md = run_cli("diff", versions["v1"], versions["v2"], "--format", "markdown")
    assert md.returncode == 1
    assert md.stdout.startswith("# Changes in generated 2.0.0 (since 1.0.0)")
    assert '| `3` | `name` | "x" | "y" |' in md.stdout
    assert "No primary key: rows are compared as a multiset" in md.stdout


@pytest.mark.parametrize(
    ("semver", "ok"), [("2.0.0", True), ("3.1.0", True), ("1.1.0", False), ("1.0.1", False)]
)
def test_check_version(tmp_path, versions, semver, ok):
    new = make_package(tmp_path / "new", 2, semver)
    problem = expo_data.diff(versions["r1"], new).version_problem()
    assert (problem is None) == ok
    if not ok:
        assert problem.startswith("the changes are breaking") and "release 2.0.0" in problem


def test_check_version_cli(tmp_path, versions):
    good = run_cli("diff", versions["r1"], versions["v2"], "--check-version")
    assert good.returncode == 0, good.stderr
    assert "version 2.0.0 fits the changes" in good.stderr
    done = run_cli(
        "diff", versions["r1"], make_package(tmp_path / "new", 2, "1.1.0"), "--check-version"
    )
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert line == (
        "Error: the changes are breaking but version 1.1.0 does not bump the major version "
        "of 1.0.0; release 2.0.0 (or later) instead"
    )


def test_check_version_below_one_bumps_the_minor(tmp_path):
    old = make_package(tmp_path / "old", 1, "0.3.2")
    assert expo_data.diff(old, make_package(tmp_path / "a", 2, "0.4.0")).version_problem() is None
    problem = expo_data.diff(old, make_package(tmp_path / "b", 2, "0.3.3")).version_problem()
    assert "minor version of 0.3.2; release 0.4.0" in problem


def test_check_version_passes_non_breaking_changes(tmp_path, versions):
    old = make_package(tmp_path / "old", 2, "2.0.0")
    new = make_package(tmp_path / "new", 2, "2.0.1")
    (new / "data" / "log.csv").write_text(LOG_V2 + "debug,4\n", encoding="utf-8")
    result = expo_data.diff(old, new)
    assert result.changed and not result.breaking and result.version_problem() is None
    assert run_cli("diff", old, new, "--check-version").returncode == 0


def test_unreadable_package_exits_2_with_one_line(tmp_path, versions):
    for bad in (tmp_path / "missing", "release:9.9.9", "no-such-thing"):
        done = run_cli(
            "diff",
            versions["v1"],
            bad,
            env={"EXPO_DATA_CACHE": str(tmp_path / "c"), "EXPO_DATA_OFFLINE": "1"},
        )
        assert done.returncode == 2, (bad, done.stderr)
        (line,) = done.stderr.strip().splitlines()
        assert line.startswith("Error: ")
    broken = make_package(tmp_path / "broken", 2)
    (broken / "data" / "things.csv").write_text("id,name\nnot-a-number,x\n", encoding="utf-8")
    done = run_cli("diff", versions["v1"], broken)
    assert done.returncode == 2 and done.stderr.startswith("Error: ")


def test_release_versions_from_a_release_location(tmp_path, versions):
    env = {
        "EXPO_DATA_RELEASE_URL": str(versions["r1"].parent),
        "EXPO_DATA_CACHE": str(tmp_path / "cache"),
    }
    done = run_cli("diff", "release:1.0.0", "2.0.0", "--format", "json", env=env)
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert data["resources"] == [EXPECTED_THINGS, EXPECTED_LOG]
    assert data["old"] == {
        "spec": "release:1.0.0",
        "form": "release",
        "name": "generated",
        "version": "1.0.0",
    }


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_revisions(tmp_path, versions):
    repo = tmp_path / "repo"
    make_package(repo / "pkg", 1)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "v1")
    shutil.rmtree(repo / "pkg")
    make_package(repo / "pkg", 2)
    status = _git(repo, "status", "--porcelain")
    for spec in ("git:HEAD:pkg", "HEAD:pkg/datapackage.json"):
        done = run_cli("diff", spec, "pkg", "--format", "json", cwd=repo)
        assert done.returncode == 1, done.stderr
        data = json.loads(done.stdout)
        assert data["resources"] == [EXPECTED_THINGS, EXPECTED_LOG]
        assert data["old"]["form"] == "git" and data["old"]["revision"] == "HEAD"
    assert _git(repo, "status", "--porcelain") == status  # read-only on the repository
    bad = run_cli("diff", "git:no-such-rev:pkg", "pkg", cwd=repo)
    assert bad.returncode == 2 and bad.stderr.startswith("Error: cannot read no-such-rev:pkg")


def _edit_csv(path: Path, edit) -> None:
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    rows = edit(rows)
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerows(rows)


def _edit_json(path: Path, edit) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def bundled_versions(tmp_path_factory) -> dict[str, Path]:
    """The bundled package with `list_position` declared a number (v1) and, as v2, the real
    one plus edits: a winner removed, one added, a note changed, a figures field added and
    exhibitors' `notes` renamed `remarks`."""
    base = tmp_path_factory.mktemp("bundled")
    v1, v2 = copy_package(base / "v1"), copy_package(base / "v2")

    def as_number(schema):
        next(f for f in schema["fields"] if f["name"] == "list_position")["type"] = "number"

    _edit_json(v1 / "schemas" / "winners.json", as_number)
    _edit_json(_edit_version(v2), lambda d: None)
    removed, added = {}, {}

    def winners(rows):
        header = rows[0]
        removed["id"] = rows[-1][0]
        copy = dict(zip(header, rows[1], strict=True)) | {"id": "zz-added-winner"}
        added["id"] = copy["id"]
        rows = [*rows[:-1], [copy[h] for h in header]]
        note = header.index("notes")
        rows[1][note] = "changed note"
        return rows

    _edit_csv(v2 / "data" / "winners.csv", winners)
    _edit_csv(
        v2 / "data" / "figures.csv",
        lambda rows: [[*rows[0], "extra"]] + [[*r, ""] for r in rows[1:]],
    )
    _edit_json(
        v2 / "schemas" / "figures.json",
        lambda s: s["fields"].append({"name": "extra", "type": "string"}),
    )
    _edit_csv(
        v2 / "data" / "exhibitors.csv",
        lambda rows: [[("remarks" if h == "notes" else h) for h in rows[0]], *rows[1:]],
    )

    def renamed(schema):
        next(f for f in schema["fields"] if f["name"] == "notes")["name"] = "remarks"

    _edit_json(v2 / "schemas" / "exhibitors.json", renamed)
    old_note = next(csv.DictReader((v1 / "data" / "winners.csv").open(encoding="utf-8")))
    return {
        "v1": v1,
        "v2": v2,
        "removed": removed["id"],
        "added": added["id"],
        "first": old_note["id"],
        "old_note": old_note["notes"] or None,
    }


def _edit_version(folder: Path) -> Path:
    def bump(d):
        d["version"] = f"{int(d['version'].split('.')[0]) + 1}.0.0"  # the next major version

    _edit_json(folder / "datapackage.json", bump)
    return folder / "datapackage.json"


def test_bundled_package_versions(tmp_path, bundled_versions):
    b = bundled_versions
    r2 = expo_data.build_release(b["v2"], out=tmp_path / "r2")
    for new in (b["v2"], r2):
        result = expo_data.diff(b["v1"], new)
        changed = {r.name: r.to_dict() for r in result.resources if r.status != "unchanged"}
        assert set(changed) == {"winners", "figures", "exhibitors"}
        winners = changed["winners"]
        assert winners["added"] == [[b["added"]]] and winners["removed"] == [[b["removed"]]]
        assert winners["changed"] == [
            {"key": [b["first"]], "field": "notes", "old": b["old_note"], "new": "changed note"}
        ]
        assert [(c["change"], c["field"]) for c in winners["schema"]] == [
            ("type-changed", "list_position")
        ]
        assert [(c["change"], c["field"], c["breaking"]) for c in changed["figures"]["schema"]] == [
            ("field-added", "extra", False)
        ]
        assert changed["figures"]["added"] == changed["figures"]["changed"] == []
        assert [(c["change"], c["detail"]) for c in changed["exhibitors"]["schema"]] == [
            ("field-renamed", "notes → remarks (same values)")
        ]
        assert result.breaking
    assert run_cli("diff", b["v1"], b["v2"], "--check-version").returncode == 0


def _field(schema: dict, name: str) -> dict:
    return next(f for f in schema["fields"] if f["name"] == name)


SCHEMA_EDITS = {
    "required-added": (
        lambda s: _field(s, "name").setdefault("constraints", {}).update(required=True),
        {("constraint-added", "name", True)},
    ),
    "required-removed": (
        lambda s: _field(s, "id")["constraints"].pop("required"),
        {("constraint-removed", "id", False)},
    ),
    "minimum-raised": (
        lambda s: _field(s, "rank").update(constraints={"minimum": 1}),
        {("constraint-added", "rank", True)},
    ),
    "enum-value-added": (
        lambda s: _field(s, "kind")["constraints"]["enum"].append("stand"),
        {("enum-values-added", "kind", False)},
    ),
    "enum-reordered": (
        lambda s: _field(s, "kind")["constraints"].update(enum=["hall", "forum", "booth"]),
        {("enum-reordered", "kind", False)},
    ),
    "enum-value-removed": (  # applied to the old version: it had a value the new one lacks
        lambda s: _field(s, "kind")["constraints"]["enum"].append("stand"),
        {("enum-values-removed", "kind", True)},
    ),
    "enum-dropped": (
        lambda s: _field(s, "kind").pop("constraints"),
        {("constraint-removed", "kind", True)},
    ),
    "pattern-added": (
        lambda s: _field(s, "code").update(constraints={"pattern": "[a-z]-[0-9]"}),
        {("constraint-added", "code", True)},
    ),
    "missing-values-added": (
        lambda s: s.update(missingValues=["", "n/a"]),
        {("missing-values-changed", "", True)},
    ),
    "primary-key-changed": (
        lambda s: s.update(primaryKey=["id", "code"]),
        {("primary-key-changed", "", True)},
    ),
    "foreign-key-added": (
        lambda s: s.update(
            foreignKeys=[{"fields": ["id"], "reference": {"resource": "", "fields": ["id"]}}]
        ),
        {("foreign-key-added", "id", True)},
    ),
    "format-changed": (
        lambda s: _field(s, "opened").update(format="%Y-%m-%d"),
        {("format-changed", "opened", False)},
    ),
    "required-field-added": (
        lambda s: s["fields"].append(
            {"name": "extra", "type": "string", "constraints": {"required": True}}
        ),
        {("field-added", "extra", True)},
    ),
}


@pytest.mark.parametrize("edit", sorted(SCHEMA_EDITS))
def test_schema_changes_are_classified(tmp_path, edit):
    change, expected = SCHEMA_EDITS[edit]
    old = make_package(tmp_path / "old", 1)
    new = make_package(tmp_path / "new", 1)
    edited = old if edit == "enum-value-removed" else new
    descriptor = json.loads((edited / "datapackage.json").read_text())
    change(descriptor["resources"][0]["schema"])
    if edit == "required-field-added":  # the data gets the column too
        things = (new / "data" / "things.csv").read_text().splitlines()
        rows = [things[0] + ",extra", *(line + ",x" for line in things[1:])]
        (new / "data" / "things.csv").write_text("\n".join(rows) + "\n")
    (edited / "datapackage.json").write_text(json.dumps(descriptor))
    things = expo_data.diff(old, new).resources[0]
    assert {(c.change, c.field, c.breaking) for c in things.schema} == expected
    assert things.breaking == any(b for *_, b in expected)
    assert not things.added and not things.removed and not things.changed
