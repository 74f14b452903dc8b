"""Publishing: release notes and archive metadata in the release, the changelog, the release
workflow's steps run locally, and the upload against a local stand-in for GitHub's API."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import jsonschema
import pytest
import yaml

import expo_data
from expo_data.model.descriptor import open_package

from conftest import ROOT, run_cli
from test_diff import make_package

# --- release notes and metadata in the release ----------------------------------------------


@pytest.fixture(scope="module")
def releases(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("publish")
    v1, v2 = make_package(base / "v1", 1), make_package(base / "v2", 2)
    r1 = expo_data.build_release(v1, out=base / "r1")
    done = run_cli("release", "build", "-p", v2, "--out", base / "r2", "--previous", r1)
    assert done.returncode == 0, done.stderr
    return {"v1": v1, "v2": v2, "r1": r1, "r2": base / "r2"}


def test_previous_writes_changes_md_and_a_manifest_summary(releases):
    r1, r2 = releases["r1"], releases["r2"]
    assert not (r1 / "CHANGES.md").exists()
    notes = (r2 / "CHANGES.md").read_text(encoding="utf-8")
    assert notes.startswith("# Changes in generated 2.0.0 (since 1.0.0)")
    from expo_data.release.notes import render_markdown

    assert notes == render_markdown(expo_data.diff(r1, r2))
    manifest = json.loads((r2 / "manifest.json").read_text())
    assert "CHANGES.md" in {f["name"] for f in manifest["files"]}
    assert "CHANGES.md" in (r2 / "SHA256SUMS").read_text()
    assert manifest["changes"] == {
        "previous": "1.0.0",
        "breaking": True,
        "resources": {
            "things": {
                "status": "changed",
                "added": 1,
                "removed": 1,
                "changed": 1,
                "schema": ["field-renamed", "field-added", "type-changed"],
            },
            "log": {"status": "changed", "added": 1, "removed": 1, "changed": 0, "schema": []},
        },
    }
    subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=r2, check=True)


# Zenodo's deposit metadata (developers.zenodo.org, "Deposit metadata"): the fields we write
ZENODO_SCHEMA = {
    "type": "object",
    "required": ["upload_type", "title", "creators", "description"],
    "properties": {
        "upload_type": {"enum": ["dataset"]},
        "title": {"type": "string", "minLength": 1},
        "description": {"type": "string", "minLength": 1},
        "creators": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "affiliation": {"type": "string"},
                    "orcid": {"type": "string", "pattern": r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$"},
                },
                "additionalProperties": False,
            },
        },
        "contributors": {"type": "array", "items": {"required": ["name", "type"]}},
        "version": {"type": "string"},
        "license": {"type": "string", "pattern": "^[a-z0-9.-]+$"},
        "access_right": {"enum": ["open", "embargoed", "restricted", "closed"]},
        "publication_date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "keywords": {"type": "array", "items": {"type": "string"}},
        "related_identifiers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["identifier", "relation"],
                "properties": {
                    "relation": {
                        "enum": [
                            "isDerivedFrom",
                            "isDocumentedBy",
                            "isIdenticalTo",
                            "isSupplementTo",
                        ]
                    }
                },
            },
        },
    },
    "additionalProperties": False,
}


def test_zenodo_metadata_of_the_bundled_release(tmp_path):
    release = expo_data.build_release(out=tmp_path / "r")
    meta = json.loads((release / "zenodo.json").read_text(encoding="utf-8"))
    jsonschema.validate(meta, ZENODO_SCHEMA)
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    assert meta["title"] == descriptor["title"] and meta["version"] == descriptor["version"]
    assert meta["license"] == "cc-by-4.0"
    assert meta["creators"] == [{"name": "expo-data contributors"}]


def test_zenodo_people_and_related_identifiers(tmp_path):
    package = make_package(tmp_path / "p", 1)
    descriptor = json.loads((package / "datapackage.json").read_text())
    descriptor |= {
        "homepage": "https://example.org/generated",
        "sources": [{"title": "Survey", "path": "https://example.org/survey.pdf"}],
        "contributors": [
            {
                "title": "Ada Lovelace",
                "givenName": "Ada",
                "familyName": "Lovelace",
                "roles": ["creator"],
                "organization": "Analytical Engines",
                "path": "https://orcid.org/0000-0002-1825-0097",
            },
            {"title": "Bob", "role": "maintainer"},
        ],
    }
    (package / "datapackage.json").write_text(json.dumps(descriptor))
    meta = json.loads(
        (expo_data.build_release(package, out=tmp_path / "r") / "zenodo.json").read_text()
    )
    jsonschema.validate(meta, ZENODO_SCHEMA)
    assert meta["creators"] == [
        {
            "name": "Lovelace, Ada",
            "affiliation": "Analytical Engines",
            "orcid": "0000-0002-1825-0097",
        }
    ]
    assert meta["contributors"] == [{"name": "Bob", "type": "ContactPerson"}]
    assert meta["related_identifiers"] == [
        {"identifier": "https://example.org/generated", "relation": "isDocumentedBy"},
        {"identifier": "https://example.org/survey.pdf", "relation": "isDerivedFrom"},
    ]
    assert meta["license"] == "cc0-1.0"


# The Hugging Face dataset card metadata (huggingface.co/docs/hub/datasets-cards and
# datasets-manual-configuration): the keys we write, with their shapes
DTYPES = [
    "string",
    "int64",
    "float64",
    "bool",
    "date32",
    "int16",
    "time64[us]",
    "timestamp[us, tz=UTC]",
]
HF_SCHEMA = {
    "type": "object",
    "required": [
        "license",
        "language",
        "pretty_name",
        "size_categories",
        "configs",
        "dataset_info",
    ],
    "properties": {
        "license": {"type": "string", "pattern": "^[a-z0-9.-]+$"},
        "language": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[a-z]{2,3}(-[A-Za-z0-9]+)*$"},
        },
        "pretty_name": {"type": "string"},
        "size_categories": {
            "type": "array",
            "items": {"pattern": "^(n<1K|[0-9]+[KMBT]<n<[0-9]+[KMBT]|n>[0-9]+[KMBT])$"},
        },
        "tags": {"type": "array", "items": {"type": "string"}},
        "configs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["config_name", "data_files"],
                "properties": {
                    "config_name": {"type": "string"},
                    "default": {"type": "boolean"},
                    "data_files": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["split", "path"],
                            "properties": {"split": {"type": "string"}, "path": {"type": "string"}},
                            "additionalProperties": False,
                        },
                    },
                },
                "additionalProperties": False,
            },
        },
        "dataset_info": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["config_name", "features", "splits"],
                "properties": {
                    "features": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["name", "dtype"],
                            "properties": {
                                "dtype": {
                                    "oneOf": [
                                        {"enum": DTYPES},
                                        {
                                            "type": "object",
                                            "required": ["class_label"],
                                            "properties": {
                                                "class_label": {
                                                    "type": "object",
                                                    "required": ["names"],
                                                    "properties": {
                                                        "names": {
                                                            "type": "object",
                                                            "patternProperties": {
                                                                "^[0-9]+$": {"type": "string"}
                                                            },
                                                            "additionalProperties": False,
                                                        }
                                                    },
                                                }
                                            },
                                        },
                                    ]
                                }
                            },
                        },
                    },
                    "splits": {
                        "type": "array",
                        "items": {"required": ["name", "num_bytes", "num_examples"]},
                    },
                },
            },
        },
    },
}


def _card(folder: Path) -> tuple[dict, str]:
    text = (folder / "README.md").read_text(encoding="utf-8")
    match = re.fullmatch(r"---\n(.*?)\n---\n(.*)", text, re.S)
    assert match, "the card opens with a YAML header between --- lines"
    return yaml.safe_load(match[1]), match[2]


def test_hugging_face_card_matches_the_release(tmp_path):
    release = expo_data.build_release(out=tmp_path / "r")
    header, body = _card(release)
    jsonschema.validate(header, HF_SCHEMA)
    package = open_package(release)
    manifest = {f["name"]: f for f in json.loads((release / "manifest.json").read_text())["files"]}
    assert [c["config_name"] for c in header["configs"]] == package.resource_names
    assert header["license"] == "cc-by-4.0"
    for config, info, resource in zip(
        header["configs"], header["dataset_info"], package.resources, strict=True
    ):
        (data_file,) = config["data_files"]
        assert (release / data_file["path"]).is_file()
        assert info["config_name"] == resource.name
        assert [f["name"] for f in info["features"]] == resource.schema.names
        (split,) = info["splits"]
        assert split["num_examples"] == manifest[data_file["path"]]["rows"]
        assert split["num_bytes"] > 0
        for feature, field in zip(info["features"], resource.schema.fields, strict=True):
            if field.enum:  # Parquet dictionary columns: `datasets` reads their values
                assert feature["dtype"] == "string"
    assert "awards" in body


# --- the changelog ----------------------------------------------------------------------------


def test_changelog_command_writes_the_section_from_a_diff(tmp_path, releases):
    package = make_package(tmp_path / "p", 2)
    committed = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")  # up to its 1.0.0 section
    first = committed.index("\n## ")
    (package / "CHANGELOG.md").write_text(
        committed[:first] + committed[committed.index("\n## 1.0.0 ") :], encoding="utf-8"
    )
    stale = run_cli("changelog", "--check", "-p", package)
    assert stale.returncode == 1 and stale.stderr.startswith("Error: ") and "2.0.0" in stale.stderr
    done = run_cli("changelog", "-p", package, "--previous", releases["r1"])
    assert done.returncode == 0, done.stderr
    text = (package / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.index("## 2.0.0") < text.index("## 1.0.0 — 2026-11-27")  # newest first
    assert "Breaking changes since 1.0.0." in text and "`field-renamed`" in text
    assert (
        run_cli("changelog", "--check", "-p", package, "--previous", releases["r1"]).returncode == 0
    )
    again = run_cli("changelog", "-p", package, "--previous", releases["r1"])
    assert again.stdout.startswith("up to date") and (package / "CHANGELOG.md").read_text() == text


def test_committed_changelog_has_the_current_version():
    done = run_cli("changelog", "--check", "-p", ROOT)
    assert done.returncode == 0, done.stderr
    card = (ROOT / "docs" / "dataset-card.md").read_text(encoding="utf-8")
    assert "| 1.0.0 | 2026-11-27 | First release: 14 resources, 233 rows. |" in card


# --- the GitHub annotations cap ---------------------------------------------------------------


def test_github_annotations_are_capped_with_the_full_list_in_markdown(tmp_path):
    package = make_package(tmp_path / "p", 1)
    rows = "".join(f"{i},n{i},c,x{i},hall,\n" for i in range(10, 22))  # 12 type errors (rank)
    with (package / "data" / "things.csv").open("a", encoding="utf-8") as stream:
        stream.write(rows)
    github = run_cli("validate", package, "--format", "github")
    errors = [line for line in github.stdout.splitlines() if line.startswith("::error ")]
    assert github.returncode == 1 and len(errors) == 10
    assert "::notice title=more findings::2 more finding(s)" in github.stdout
    markdown = run_cli("validate", package, "--format", "markdown")
    table = [line for line in markdown.stdout.splitlines() if "`type-error`" in line]
    assert markdown.returncode == 1 and len(table) == 12


# --- the upload, against a local stand-in for the GitHub API -----------------------------------

TOKEN = "test-token"


class FakeGitHub(BaseHTTPRequestHandler):
    """Releases API (api.github.com + uploads.github.com) and release downloads of `o/r`."""

    releases: dict  # tag → release
    assets: dict  # asset id → {name, size, data, release}
    log: list

    def log_message(self, *args):  # quiet
        pass

    def _send(self, status: int, body=None, raw: bytes | None = None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorised(self) -> bool:
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._send(401, {"message": "Bad credentials"})
            return False
        return True

    def do_GET(self):
        url = urlparse(self.path)
        self.log.append(("GET", url.path))
        if m := re.fullmatch(r"/o/r/releases/download/([^/]+)/([^/]+)", url.path):
            for asset in self.assets.values():
                if (
                    asset["release"] == self.releases.get(m[1], {}).get("id")
                    and asset["name"] == m[2]
                ):
                    return self._send(200, raw=asset["data"])
            return self._send(404, {"message": "Not Found"})
        if not self._authorised():
            return None
        if m := re.fullmatch(r"/api/repos/o/r/releases/tags/([^/]+)", url.path):
            release = self.releases.get(m[1])
            return (
                self._send(200, release) if release else self._send(404, {"message": "Not Found"})
            )
        if m := re.fullmatch(r"/api/repos/o/r/releases/(\d+)/assets", url.path):
            listed = [
                {"id": i, "name": a["name"], "size": a["size"]}
                for i, a in self.assets.items()
                if a["release"] == int(m[1])
            ]
            return self._send(200, listed)
        return self._send(404, {"message": "Not Found"})

    def do_POST(self):
        url = urlparse(self.path)
        self.log.append(("POST", url.path))
        if not self._authorised():
            return None
        data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if url.path == "/api/repos/o/r/releases":
            body = json.loads(data)
            rid = len(self.releases) + 1
            port = self.server.server_address[1]
            release = {
                "id": rid,
                "tag_name": body["tag_name"],
                "body": body["body"],
                "upload_url": f"http://127.0.0.1:{port}/uploads/repos/o/r/releases/{rid}/assets{{?name,label}}",
            }
            self.releases[body["tag_name"]] = release
            return self._send(201, release)
        if m := re.fullmatch(r"/uploads/repos/o/r/releases/(\d+)/assets", url.path):
            name = parse_qs(url.query)["name"][0]
            aid = max(self.assets, default=0) + 1
            self.assets[aid] = {"name": name, "size": len(data), "data": data, "release": int(m[1])}
            return self._send(201, {"id": aid, "name": name, "size": len(data)})
        return self._send(404, {"message": "Not Found"})

    def do_DELETE(self):
        url = urlparse(self.path)
        self.log.append(("DELETE", url.path))
        if not self._authorised():
            return None
        if m := re.fullmatch(r"/api/repos/o/r/releases/assets/(\d+)", url.path):
            self.assets.pop(int(m[1]))
            return self._send(204)
        return self._send(404, {"message": "Not Found"})


@pytest.fixture
def github():
    handler = type("Handler", (FakeGitHub,), {"releases": {}, "assets": {}, "log": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield handler, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _upload(url: str, folder: Path, tag: str, token: str = TOKEN):
    env = {
        **os.environ,
        "GITHUB_TOKEN": token,
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_API_URL": f"{url}/api",
    }
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "upload_release.py"),
            "--tag",
            tag,
            "--folder",
            str(folder),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_upload_publishes_what_download_reads(github, releases, tmp_path, monkeypatch):
    handler, url = github
    done = _upload(url, releases["r2"], "v2.0.0")
    assert done.returncode == 0, done.stderr
    files = sorted(p.name for p in releases["r2"].iterdir())
    assert sorted(a["name"] for a in handler.assets.values()) == files
    assert handler.releases["v2.0.0"]["body"] == (releases["r2"] / "CHANGES.md").read_text()
    # download reads <base>/v<version>/<file>: the GitHub release asset URLs of the tag
    monkeypatch.setenv("EXPO_DATA_CACHE", str(tmp_path / "cache"))
    folder = expo_data.download_release("2.0.0", url=f"{url}/o/r/releases/download/v{{version}}")
    assert expo_data.diff(folder, releases["r2"]).changed is False
    # a re-run replaces the assets instead of failing on duplicates
    again = _upload(url, releases["r2"], "v2.0.0")
    assert again.returncode == 0, again.stderr
    assert len(handler.assets) == len(files)
    assert sum(1 for method, _ in handler.log if method == "DELETE") == len(files)


def test_upload_failures_are_one_line(github, releases):
    _, url = github
    denied = _upload(url, releases["r1"], "v1.0.0", token="wrong")
    assert denied.returncode == 1
    (line,) = denied.stderr.strip().splitlines()
    assert line.startswith("Error: GET ") and "answered 401" in line
    empty = _upload(url, releases["v1"], "v1.0.0")
    assert empty.returncode == 1 and "holds no release" in empty.stderr


def test_default_release_location_is_the_github_release_of_the_tag():
    from expo_data.model.fetch import DEFAULT_RELEASE_URL, release_folder

    assert release_folder(DEFAULT_RELEASE_URL, "1.0.0") == (
        "https://github.com/expo-data/expo-data/releases/download/v1.0.0"
    )
    assert (
        release_folder("https://example.org/releases", "1.0.0")
        == "https://example.org/releases/1.0.0"
    )


# --- the release workflow, run locally --------------------------------------------------------

LOCAL_STEPS = (
    "Validate",
    "Check the tag against the versions",
    "Find the previous release",
    "Check the version against the changes since the previous release",
    "Check the changelog",
    "Build the release",
)


def _workflow() -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())


def test_release_workflow_shape():
    workflow = _workflow()
    triggers = workflow.get("on", workflow.get(True))
    assert triggers == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+"]}}
    jobs = workflow["jobs"]
    names = [s.get("name") for s in jobs["release"]["steps"]]
    assert [n for n in names if n in LOCAL_STEPS] == list(LOCAL_STEPS)
    assert jobs["release"]["permissions"] == {"contents": "write"}
    upload = jobs["release"]["steps"][-1]["run"]
    assert "scripts/upload_release.py" in upload and "dist/release" in upload
    uses = {s.get("uses", "").split("@")[0] for job in jobs.values() for s in job["steps"]}
    assert {
        "pypa/gh-action-pypi-publish",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    } <= uses
    assert jobs["wheel"]["permissions"] == {"id-token": "write"}
    assert any("expo-data site --out site" in s.get("run", "") for s in jobs["site"]["steps"])


def _run_steps(repo: Path, tag: str, env: dict) -> list[subprocess.CompletedProcess]:
    """The local steps of the release job, as Actions runs them (bash -e, GITHUB_ENV)."""
    steps = {s["name"]: s for s in _workflow()["jobs"]["release"]["steps"] if "name" in s}
    github_env, summary = repo / ".github-env", repo / ".github-summary"
    github_env.write_text("")
    env = {
        **os.environ,
        **env,
        "GITHUB_REF_NAME": tag,
        "GITHUB_ENV": str(github_env),
        "GITHUB_STEP_SUMMARY": str(summary),
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"],
    }
    done = []
    for name in LOCAL_STEPS:
        result = subprocess.run(
            ["bash", "-e", "-c", steps[name]["run"]],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        done.append(result)
        if result.returncode != 0:
            break
        for line in github_env.read_text().splitlines():
            key, _, value = line.partition("=")
            env[key] = value
    return done


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def _version(repo: Path, package: int, version: str) -> None:
    """Make `repo` hold the generated package (1 or 2) at `version`, committed and tagged."""
    if (repo / "data").exists():
        shutil.rmtree(repo / "data")
    make_package(repo, package, version)
    (repo / "pyproject.toml").write_text(f'[project]\nname = "generated"\nversion = "{version}"\n')
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", version)
    _git(repo, "tag", f"v{version}")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_release_workflow_steps_run_locally(tmp_path):
    repo, published = tmp_path / "repo", tmp_path / "published"
    repo.mkdir()
    shutil.copytree(ROOT / "scripts", repo / "scripts")
    (repo / ".gitignore").write_text("dist/\ncache/\nchanges.md\n.github-*\n")
    _git(repo, "init", "-q")
    env = {"EXPO_DATA_RELEASE_URL": str(published), "EXPO_DATA_CACHE": str(tmp_path / "cache")}

    # the first release: nothing to compare with, no CHANGES.md
    make_package(repo, 1, "1.0.0")
    assert run_cli("changelog", "-p", repo).returncode == 0
    _version(repo, 1, "1.0.0")
    steps = _run_steps(repo, "v1.0.0", env)
    assert [s.returncode for s in steps] == [0] * len(LOCAL_STEPS), steps[-1].stderr
    assert "First release: no previous release" in steps[3].stdout
    assert not (repo / "dist" / "release" / "CHANGES.md").exists()
    shutil.copytree(repo / "dist" / "release", published / "1.0.0")  # what the upload publishes

    # a tag that is not the descriptor's version stops the release
    bad = _run_steps(repo, "v9.9.9", env)
    assert bad[1].returncode != 0 and "tag v9.9.9 is version 9.9.9" in bad[1].stderr

    # breaking changes under a minor bump stop it; the message names the right version
    shutil.rmtree(repo / "dist")
    _version(repo, 2, "1.1.0")
    wrong = _run_steps(repo, "v1.1.0", env)
    assert wrong[3].returncode == 1 and "release 2.0.0" in wrong[3].stderr
    assert not (repo / "dist").exists()

    # the right bump, with its changelog section, is built with CHANGES.md
    _git(repo, "tag", "-d", "v1.1.0")
    (repo / "pyproject.toml").write_text('[project]\nname = "generated"\nversion = "2.0.0"\n')
    make_package(repo, 2, "2.0.0")
    assert run_cli("changelog", "-p", repo, "--previous", "release:1.0.0", env=env).returncode == 0
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "2.0.0")
    _git(repo, "tag", "v2.0.0")
    steps = _run_steps(repo, "v2.0.0", env)
    assert [s.returncode for s in steps] == [0] * len(LOCAL_STEPS), steps[-1].stderr
    release = repo / "dist" / "release"
    assert (
        (release / "CHANGES.md")
        .read_text()
        .startswith("# Changes in generated 2.0.0 (since 1.0.0)")
    )
    assert json.loads((release / "manifest.json").read_text())["changes"]["previous"] == "1.0.0"
    assert "field-renamed" in (repo / ".github-summary").read_text()
