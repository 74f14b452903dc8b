"""A package whose descriptor is at an http(s) URL: read only with consent, as frictionless reads it.

The packages are served by a threaded http.server on 127.0.0.1 started here; frictionless'
`Package(url)` on the same URL is the oracle for every engine's findings.
"""

from __future__ import annotations

import functools
import json
import socket
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

import expo_data
from expo_data import PackageError, UnsafePathError

from conftest import run_cli

ENGINES = ("fast", "duckdb", "frictionless")
ROWS = "id,name,score\n1,alpha,3.5\n2,beta,NA\n3,gamma,4\n"
SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "name", "type": "string"},
        {"name": "score", "type": "number"},
    ],
    "missingValues": ["", "NA"],
    "primaryKey": ["id"],
}
#: variant -> its files (the descriptor first)
PACKAGES = {
    "json": {
        "datapackage.json": {
            "name": "demo",
            "resources": [{"name": "scores", "path": "s.csv", "schema": SCHEMA}],
        },
        "s.csv": ROWS,
    },
    "yaml": {
        "datapackage.yaml": "name: demo\nresources:\n  - name: scores\n    path: s.csv\n"
        f"    schema: {json.dumps(SCHEMA)}\n",
        "s.csv": ROWS,
    },
    "schema": {  # a schema and a dialect by relative path, data in a sub-folder
        "datapackage.json": {
            "name": "demo",
            "resources": [
                {
                    "name": "scores",
                    "path": "data/s.csv",
                    "schema": "schemas/scores.json",
                    "dialect": "dialect.json",
                }
            ],
        },
        "schemas/scores.json": SCHEMA,
        "dialect.json": {"delimiter": ";"},
        "data/s.csv": ROWS.replace(",", ";"),
    },
    "bad": {  # one planted type error (row 3, field score)
        "datapackage.json": {
            "name": "demo",
            "resources": [{"name": "scores", "path": "s.csv", "schema": SCHEMA}],
        },
        "s.csv": ROWS.replace("2,beta,NA", "2,beta,lots"),
    },
}


class Counting(SimpleHTTPRequestHandler):
    """Serves a folder quietly, counting the requests."""

    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Counting.requests.append(self.path)
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(base URL, local folder) of the PACKAGES, one sub-folder each, over HTTP on 127.0.0.1."""
    root = tmp_path_factory.mktemp("served")
    for variant, files in PACKAGES.items():
        for name, content in files.items():
            target = root / variant / name
            target.parent.mkdir(parents=True, exist_ok=True)
            text = content if isinstance(content, str) else json.dumps(content)
            target.write_text(text, encoding="utf-8")
    handler = functools.partial(Counting, directory=str(root))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_address[1]}", root
        server.shutdown()
        thread.join()


def descriptor_url(served: tuple[str, Path], variant: str) -> str:
    return f"{served[0]}/{variant}/{next(iter(PACKAGES[variant]))}"


def oracle(url: str) -> tuple[bool, list[tuple]]:
    """frictionless' verdict and findings (code, resource, row, field) on the package at `url`."""
    import frictionless

    report = frictionless.Package(url).validate()
    found = [(e.type, "", None, "") for e in report.errors]
    for task in report.tasks:
        found += [
            (e.type, task.name, getattr(e, "row_number", None), getattr(e, "field_name", "") or "")
            for e in task.errors
        ]
    return report.valid, sorted(found, key=str)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("variant", list(PACKAGES))
def test_validate_equals_frictionless_on_the_url(served, variant: str, engine: str):
    url = descriptor_url(served, variant)
    report = expo_data.validate(url, engine=engine, trusted=True)
    mine = sorted(((f.code, f.resource, f.row, f.field) for f in report.findings), key=str)
    valid, theirs = oracle(url)
    assert (report.valid, mine) == (valid, theirs)
    assert report.valid == (variant != "bad")
    assert report.stats["tables"]["scores"]["rows"] == 3
    assert report.package == url


def test_the_planted_error_is_found(served):
    report = expo_data.validate(descriptor_url(served, "bad"), trusted=True)
    assert [(f.code, f.row, f.field) for f in report.findings] == [("type-error", 3, "score")]


@pytest.mark.parametrize("variant", ["json", "yaml", "schema"])
def test_load_equals_the_local_copy(served, variant: str):
    url = descriptor_url(served, variant)
    local = served[1] / variant
    remote_frame = expo_data.load("scores", url, trusted=True)
    assert remote_frame.equals(expo_data.load("scores", local))
    assert remote_frame["score"].isna().tolist() == [False, True, False]
    assert expo_data.resource_names(url, trusted=True) == ["scores"]
    assert len(expo_data.package(url, trusted=True).get_resource("scores").read_rows()) == 3
    assert expo_data.load_arrow("scores", url, trusted=True).equals(
        expo_data.load_arrow("scores", local)
    )


def test_sql_and_the_cli_read_a_remote_package(served, tmp_path: Path):
    url = descriptor_url(served, "schema")
    _, rows = expo_data.query("select count(*) from scores", url, trusted=True)
    assert rows == [(3,)]
    result = run_cli(
        "sql", "-p", url, "--allow-remote", "--format", "csv", "select count(*) n from scores"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["n", "3"]
    shown = run_cli("show", "scores", "-p", url, "--allow-remote")
    assert shown.returncode == 0, shown.stderr
    assert "gamma" in shown.stdout
    checked = run_cli("validate", url, "--allow-remote", "--format", "json")
    assert checked.returncode == 0, checked.stderr
    bad = run_cli("validate", descriptor_url(served, "bad"), "--allow-remote")
    assert bad.returncode == 1
    github = run_cli("validate", descriptor_url(served, "bad"), "--allow-remote", "-f", "github")
    assert "::error file=s.csv,line=3,title=type-error::" in github.stdout, github.stdout


def test_docs_build_from_a_remote_package(served, tmp_path: Path):
    url = descriptor_url(served, "schema")
    result = run_cli("docs", "-p", url, "--allow-remote", "--out", tmp_path / "docs")
    assert result.returncode == 0, result.stderr
    assert "score" in (tmp_path / "docs" / "data-dictionary.md").read_text(encoding="utf-8")


def test_the_cli_leaves_no_mirror_behind(served, tmp_path: Path):
    result = run_cli(
        "validate", descriptor_url(served, "json"), "--allow-remote", env={"TMPDIR": str(tmp_path)}
    )
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.iterdir()) == []


# --- without consent: refused, nothing fetched ---------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda url: expo_data.validate(url),
        lambda url: expo_data.load("scores", url),
        lambda url: expo_data.load_arrow("scores", url),
        lambda url: expo_data.query("select 1", url),
        lambda url: expo_data.resource_names(url),
        lambda url: expo_data.package(url),
    ],
)
def test_the_library_refuses_without_trusted(served, call):
    url = descriptor_url(served, "json")
    before = len(Counting.requests)
    with pytest.raises(UnsafePathError, match="trusted=True") as caught:
        call(url)
    assert url in str(caught.value)
    assert len(Counting.requests) == before


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "{url}"),
        ("show", "scores", "-p", "{url}"),
        ("sql", "-p", "{url}", "select 1"),
        ("docs", "-p", "{url}", "--out", "{tmp}"),
    ],
)
def test_the_cli_refuses_without_allow_remote(served, tmp_path: Path, args: tuple[str, ...]):
    url = descriptor_url(served, "json")
    before = len(Counting.requests)
    result = run_cli(*(a.format(url=url, tmp=tmp_path / "out") for a in args))
    assert result.returncode == 2
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert url in result.stderr and "--allow-remote" in result.stderr
    assert len(Counting.requests) == before
    assert not (tmp_path / "out").exists()


def test_commands_that_write_beside_the_package_refuse_it(served, tmp_path: Path):
    url = descriptor_url(served, "json")
    changelog = run_cli("changelog", "-p", url, "--allow-remote", cwd=tmp_path)
    init = run_cli("init", f"{served[0]}/json/", cwd=tmp_path)
    for result in (changelog, init):
        assert result.returncode == 2
        assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
        assert served[0] in result.stderr
    assert list(tmp_path.iterdir()) == []


# --- a URL that fails: one line naming it ---------------------------------------------------


@pytest.mark.parametrize(
    "path, says",
    [
        ("/json/missing.json", "not found at"),
        ("/json/s.csv", "is not valid JSON"),
    ],
)
def test_an_unreadable_descriptor_is_one_line_naming_the_url(served, path: str, says: str):
    url = served[0] + path
    result = run_cli("validate", url, "--allow-remote")
    assert result.returncode == 2
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert url in result.stderr and says in result.stderr
    with pytest.raises(PackageError, match=says):
        expo_data.resource_names(url, trusted=True)


def test_a_missing_resource_file_names_its_url(served, tmp_path: Path):
    folder = served[1] / "missing-file"
    folder.mkdir(exist_ok=True)
    (folder / "datapackage.json").write_text(
        json.dumps({"name": "demo", "resources": [{"name": "scores", "path": "gone.csv"}]})
    )
    result = run_cli("validate", f"{served[0]}/missing-file/datapackage.json", "--allow-remote")
    assert result.returncode == 2
    assert f"{served[0]}/missing-file/gone.csv" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_server_that_never_answers_is_bounded(monkeypatch):
    """A listening socket that accepts and never replies: the read timeout ends the wait."""
    monkeypatch.setattr("expo_data.model.transfer.TIMEOUT", (1, 1))
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/datapackage.json"
        with pytest.raises(PackageError, match="timed out") as caught:
            expo_data.validate(url, trusted=True)
    assert url in str(caught.value)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_remote_resource_that_is_gone_is_a_finding_not_an_error(served, tmp_path, engine):
    """A local package naming a trusted URL that 404s: that resource's scheme-error, as
    frictionless reports it, and its sibling is still checked (issue 19 item 5)."""
    import frictionless

    resources = [
        {"name": "gone", "path": f"{served[0]}/nowhere/gone.csv", "schema": SCHEMA},
        {"name": "scores", "path": f"{served[0]}/json/s.csv", "schema": SCHEMA},
    ]
    descriptor = tmp_path / "datapackage.json"
    descriptor.write_text(json.dumps({"name": "demo", "resources": resources}), "utf-8")
    report = expo_data.validate(descriptor, engine=engine, trusted=True)
    found = [(f.code, f.resource) for f in report.findings]
    theirs = frictionless.Package(str(descriptor)).validate()
    assert found == [(e.type, t.name) for t in theirs.tasks for e in t.errors]
    assert found == [("scheme-error", "gone")]
