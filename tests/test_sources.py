"""The source layer: every form of resource read by validate, load, SQL, docs and releases.

Each form (a YAML descriptor, a `path` array, inline data, JSON and NDJSON tables, a
non-tabular resource, declared encodings, gzip and zip, no header row) is built in a temporary
folder; `validate`'s findings are compared with frictionless' own, and the loaders must give
the rows frictionless reads. Broken resources must not stop the others; compression bombs
must end in one line with bounded memory.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import json
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
import yaml

import expo_data
from expo_data.errors import DataError, PackageError
from expo_data.model.descriptor import open_package
from expo_data.model.paths import descriptor_in

from conftest import run_cli

SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "name", "type": "string"},
    ],
    "primaryKey": ["id"],
}


def make(folder: Path, resources: list[dict], files: dict[str, bytes | str] = (), **extra) -> Path:
    """A package folder with these resources and files; its datapackage.json's path."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in dict(files).items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    descriptor = {"name": "forms", "version": "1.0.0", "resources": resources, **extra}
    path = folder / "datapackage.json"
    path.write_text(json.dumps(descriptor), encoding="utf-8")
    return path


def ours(path: Path, engine: str = "fast") -> tuple[bool, list[tuple]]:
    report = expo_data.validate(path, engine=engine)
    return report.valid, [(f.code, f.resource, f.row, f.field) for f in report.findings]


def theirs(path: Path) -> tuple[bool, list[tuple]]:
    """frictionless' verdict and findings, as (code, resource, row, field)."""
    import frictionless

    report = frictionless.validate(str(path))
    found = []
    for task in report.tasks:
        for error in task.errors:
            field = getattr(error, "field_name", "") or ""
            found.append((error.type, task.name, getattr(error, "row_number", None), field))
    return report.valid, found


def frictionless_rows(path: Path, name: str) -> list[dict]:
    import frictionless

    package = frictionless.Package(str(path))
    return package.get_resource(name).read_rows()


def assert_like_frictionless(path: Path) -> None:
    expected = theirs(path)
    for engine in ("fast", "frictionless", "duckdb"):
        assert ours(path, engine) == expected, engine


# --- descriptors ----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".yaml", ".yml"])
def test_yaml_descriptor_in_a_folder(tmp_path: Path, suffix: str):
    descriptor = {
        "name": "yaml-package",
        "created": "2023-11-15T10:00:00Z",  # YAML reads a datetime: kept as text
        "resources": [{"name": "t", "path": "t.csv", "schema": SCHEMA}],
    }
    (tmp_path / f"datapackage{suffix}").write_text(yaml.safe_dump(descriptor), encoding="utf-8")
    (tmp_path / "t.csv").write_text("id,name\n1,a\n2,b\n", encoding="utf-8")
    assert descriptor_in(tmp_path) == tmp_path / f"datapackage{suffix}"
    assert expo_data.validate(tmp_path).valid
    assert expo_data.load("t", tmp_path)["name"].tolist() == ["a", "b"]
    result = run_cli("validate", tmp_path)
    assert result.returncode == 0, result.stderr
    result = run_cli("list", cwd=tmp_path)  # found in the working folder too
    assert result.returncode == 0 and "t" in result.stdout.split(), result.stderr


def test_descriptor_in_prefers_json_and_finds_none(tmp_path: Path):
    assert descriptor_in(tmp_path) is None
    (tmp_path / "datapackage.yml").write_text("name: x\n")
    (tmp_path / "datapackage.json").write_text("{}")
    assert descriptor_in(tmp_path) == tmp_path / "datapackage.json"


def test_yaml_alias_and_bad_yaml_are_one_line_errors(tmp_path: Path):
    (tmp_path / "datapackage.yaml").write_text(
        "a: &x [1, 2]\nb: *x\nresources: []\n", encoding="utf-8"
    )
    with pytest.raises(PackageError, match="alias"):
        open_package(tmp_path)
    (tmp_path / "datapackage.yaml").write_text("a: [1, 2\n", encoding="utf-8")
    result = run_cli("validate", tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: ") and "not valid YAML" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# --- a path array -----------------------------------------------------------------------------


def parts_package(folder: Path, second: str = "id,name\n3,c\n") -> Path:
    return make(
        folder,
        [{"name": "t", "path": ["p1.csv", "p2.csv"], "schema": SCHEMA}],
        {"p1.csv": "id,name\n1,a\n2,b\n", "p2.csv": second},
    )


def test_path_array_is_read_as_frictionless_reads_it(tmp_path: Path):
    path = parts_package(tmp_path)
    assert_like_frictionless(path)
    assert ours(path) == (True, [])
    frame = expo_data.load("t", path)
    assert frame["id"].tolist() == [r["id"] for r in frictionless_rows(path, "t")] == [1, 2, 3]
    assert expo_data.load_arrow("t", path).num_rows == 3
    assert expo_data.query("select sum(id) from t", path)[1] == [(6,)]


def test_path_array_findings_number_rows_across_parts(tmp_path: Path):
    path = parts_package(tmp_path, "id,name\n3,c\nx,d\n2,e\n")
    valid, found = ours(path)
    assert not valid and (valid, found) == theirs(path)
    assert ("type-error", "t", 5, "id") in found  # the second part's header is not a row
    with pytest.raises(DataError, match="row 5"):
        expo_data.load("t", path)


def test_tsv_parts_keep_later_headers_as_frictionless_does(tmp_path: Path):
    """frictionless skips a later part's first line only for format "csv": TSV keeps it."""
    path = make(
        tmp_path,
        [{"name": "t", "path": ["p1.tsv", "p2.tsv"], "schema": SCHEMA}],
        {"p1.tsv": "id\tname\n1\ta\n", "p2.tsv": "id\tname\n3\tc\n"},
    )
    assert ours(path) == theirs(path)
    assert ("type-error", "t", 3, "id") in ours(path)[1]


def test_path_array_release_builds_validates_and_loads_the_same(tmp_path: Path):
    path = parts_package(tmp_path / "csv")
    out = tmp_path / "release"
    expo_data.build_release(path, out=out)
    assert expo_data.validate(out).valid
    assert expo_data.load("t", out).equals(expo_data.load("t", path))


# --- inline data, JSON and NDJSON -------------------------------------------------------------


def test_inline_data_arrays_and_objects(tmp_path: Path):
    path = make(
        tmp_path,
        [
            {"name": "rows", "data": [["id", "name"], [1, "a"], [2, "b"]], "schema": SCHEMA},
            {"name": "objects", "data": [{"id": 1, "name": "a"}, {"id": 2}], "schema": SCHEMA},
        ],
    )
    assert_like_frictionless(path)
    assert ours(path) == (True, [])
    for name in ("rows", "objects"):
        expected = [dict(r) for r in frictionless_rows(path, name)]
        frame = expo_data.load(name, path)
        got = frame.astype(object).where(frame.notna(), None).to_dict("records")
        assert got == expected
    assert expo_data.query("select count(*) from objects", path)[1] == [(2,)]


def test_inline_data_findings_match_frictionless(tmp_path: Path):
    path = make(
        tmp_path,
        [
            {
                "name": "rows",
                "data": [["id", "name"], [1, "a"], ["x", "b"], [1, "c"]],
                "schema": SCHEMA,
            }
        ],
    )
    assert ours(path) == theirs(path)
    assert not ours(path)[0]


def test_json_and_ndjson_tables(tmp_path: Path):
    path = make(
        tmp_path,
        [
            {"name": "arrays", "path": "a.json", "type": "table", "schema": SCHEMA},
            {"name": "objects", "path": "o.json", "type": "table", "schema": SCHEMA},
            {"name": "lines", "path": "n.ndjson", "schema": SCHEMA},
            {"name": "data", "path": "o.json", "schema": SCHEMA},
        ],
        {
            "a.json": json.dumps([["id", "name"], [1, "a"], [2, None]]),
            "o.json": json.dumps([{"id": 1, "name": "a"}]),
            "n.ndjson": '{"id": 1, "name": "a"}\n{"id": 2, "name": "b"}\n',
        },
    )
    assert ours(path) == theirs(path) == (True, [])
    with pytest.raises(PackageError, match="not a table"):  # a .json is JSON data unless
        expo_data.load("data", path)  # its `type` is "table" (as frictionless reads it)
    for name in ("arrays", "objects", "lines"):
        assert expo_data.load(name, path)["id"].tolist() == [
            r["id"] for r in frictionless_rows(path, name)
        ]


def test_a_json_file_with_the_tabular_profile_is_a_table(tmp_path: Path):
    """v1's `"profile": "tabular-data-resource"` makes a JSON file a table, as frictionless
    reads it (it sets `type`): its rows are checked and loaded, a bad cell is found."""
    rows = [{"id": 1, "name": "a"}, {"id": "x", "name": "b"}]
    path = make(
        tmp_path,
        [{"name": "t", "path": "t.json", "profile": "tabular-data-resource", "schema": SCHEMA}],
        {"t.json": json.dumps(rows)},
    )
    assert ours(path) == theirs(path)
    assert ours(path)[0] is False
    (Path(path).parent / "t.json").write_text(json.dumps(rows[:1]))
    assert ours(path) == theirs(path) == (True, [])
    assert expo_data.load("t", path)["id"].tolist() == [
        r["id"] for r in frictionless_rows(path, "t")
    ]


# --- non-tabular resources ----------------------------------------------------------------


def non_tabular(folder: Path, **declared) -> Path:
    geojson = b'{"type": "FeatureCollection", "features": []}'
    return make(
        folder,
        [
            {"name": "t", "path": "t.csv", "schema": SCHEMA},
            {"name": "map", "path": "map.geojson", "format": "geojson", **declared},
            {"name": "report", "path": "report.pdf"},
        ],
        {"t.csv": "id,name\n1,a\n", "map.geojson": geojson, "report.pdf": b"%PDF-1.4\n"},
    )


def test_non_tabular_resources_are_listed_never_read(tmp_path: Path):
    path = non_tabular(tmp_path)
    assert ours(path) == theirs(path) == (True, [])
    assert list(expo_data.load_all(path)) == ["t"]
    with pytest.raises(PackageError, match="not a table"):
        expo_data.load("map", path)
    listed = run_cli("list", "--package", path)
    assert listed.returncode == 0, listed.stderr
    assert {"t", "map", "report"} <= set(listed.stdout.split())
    result = run_cli("docs", "--package", path, "--out", tmp_path / "docs")
    assert result.returncode == 0, result.stderr
    dictionary = (tmp_path / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert "## map" in dictionary and "not a table" in dictionary
    result = run_cli("site", "--package", path, "--out", tmp_path / "site")
    assert result.returncode == 0, result.stderr
    shown = run_cli("show", "map", "--package", path)
    assert shown.returncode != 0 and shown.stderr.startswith("Error: ")
    assert "Traceback" not in shown.stderr


def test_non_tabular_bytes_and_hash_are_checked(tmp_path: Path):
    good = hashlib.md5(b'{"type": "FeatureCollection", "features": []}').hexdigest()
    path = non_tabular(tmp_path / "good", bytes=45, hash=good)
    assert ours(path) == (True, [])
    path = non_tabular(tmp_path / "bad", bytes=3, hash="0" * 32)
    valid, found = ours(path)
    assert not valid
    assert [(code, resource) for code, resource, _, _ in found] == [
        (code, resource) for code, resource, _, _ in theirs(path)[1]
    ]
    assert {code for code, *_ in found} == {"byte-count", "hash-count"}


def test_release_of_a_package_with_a_non_tabular_resource(tmp_path: Path):
    path = non_tabular(tmp_path / "csv")
    out = tmp_path / "release"
    expo_data.build_release(path, out=out)
    assert (out / "map.geojson").read_bytes() == (tmp_path / "csv" / "map.geojson").read_bytes()
    assert expo_data.validate(out).valid
    assert expo_data.load("t", out)["id"].tolist() == [1]


# --- encodings and dialects --------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "latin-1", "cp1252"])
def test_declared_encodings_are_read_as_declared(tmp_path: Path, encoding: str):
    text = "id,name\n1,é\n2,ü\n"
    path = make(
        tmp_path,
        [{"name": "t", "path": "t.csv", "encoding": encoding, "schema": SCHEMA}],
        {"t.csv": text.encode(encoding)},
    )
    assert ours(path) == theirs(path) == (True, [])  # no false nul-byte
    assert expo_data.load("t", path)["name"].tolist() == ["é", "ü"]


def test_undeclared_utf16_is_one_encoding_error_and_nothing_on_stderr(tmp_path: Path):
    rows = "".join(f"{i},é{i}\n" for i in range(1, 3000))
    path = make(
        tmp_path,
        [{"name": "t", "path": "t.csv", "schema": SCHEMA}],
        {"t.csv": ("id,name\n" + rows).encode("utf-16")},
    )
    for engine in ("fast", "duckdb", "frictionless"):
        result = run_cli("validate", path, "--engine", engine, "--format", "json")
        assert result.stderr == "", engine
        findings = json.loads(result.stdout)["findings"]
        assert [f["code"] for f in findings] == ["encoding-error"], engine


def test_no_header_row(tmp_path: Path):
    path = make(
        tmp_path,
        [{"name": "t", "path": "t.csv", "dialect": {"header": False}, "schema": SCHEMA}],
        {"t.csv": "1,a\n2,b\n"},
    )
    assert ours(path) == theirs(path) == (True, [])
    assert expo_data.load("t", path)["id"].tolist() == [1, 2]


# --- compression ------------------------------------------------------------------------------


def test_gzip_and_single_member_zip(tmp_path: Path):
    data = b"id,name\n1,a\n2,b\n"
    buffer = tmp_path / "z.zip"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("t.csv", data)
    path = make(
        tmp_path,
        [
            {"name": "g", "path": "t.csv.gz", "schema": SCHEMA},
            {"name": "z", "path": "z.zip", "format": "csv", "schema": SCHEMA},
        ],
        {"t.csv.gz": gzip.compress(data)},
    )
    assert ours(path) == theirs(path) == (True, [])
    for name in ("g", "z"):
        assert expo_data.load(name, path)["name"].tolist() == ["a", "b"]


def test_zip_of_two_members_is_refused_everywhere(tmp_path: Path):
    with zipfile.ZipFile(tmp_path / "t.csv.zip", "w") as archive:
        archive.writestr("a.csv", "id,name\n1,a\n")
        archive.writestr("b.csv", "id,name\n2,b\n")
    path = make(
        tmp_path,
        [
            {"name": "z", "path": "t.csv.zip", "schema": SCHEMA},
            {"name": "t", "path": "t.csv", "schema": SCHEMA},
        ],
        {"t.csv": "id,name\n1,a\n"},
    )
    valid, found = ours(path)
    assert not valid and [(c, r) for c, r, *_ in found] == [("source-error", "z")]
    for args in (("show", "z"), ("sql", "select * from z")):
        result = run_cli(*args, "--package", path)
        assert result.returncode != 0 and result.stderr.startswith("Error: ")
        assert "exactly one file" in result.stderr and len(result.stderr.splitlines()) == 1
    assert run_cli("sql", "select count(*) from t", "--package", path).returncode == 0


def gzip_bomb(target: Path, size: int) -> None:
    """A gzip file of `size` bytes of CSV rows, a few MB on disk."""
    row = b"1,a\n" * (1 << 18)  # 1 MiB
    with gzip.open(target, "wb", compresslevel=9) as out:
        out.write(b"id,name\n")
        for _ in range(size >> 20):
            out.write(row)


def zip_bomb(target: Path, size: int) -> None:
    row = b"1,a\n" * (1 << 18)
    with (
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("t.csv", "w", force_zip64=True) as member,
    ):
        member.write(b"id,name\n")
        for _ in range(size >> 20):
            member.write(row)


PEAK_RSS = """
import json, resource, subprocess, sys
run = subprocess.run(sys.argv[1:], capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB
print(json.dumps([run.returncode, peak, run.stdout, run.stderr]))
"""


@pytest.mark.parametrize("kind", ["gz", "zip"])
def test_compression_bomb_ends_in_one_line_with_bounded_memory(tmp_path: Path, kind: str):
    """1 GiB of rows in a few MB: every command stops at the expansion limit, in bounded RSS."""
    name = f"t.csv.{kind}"
    (gzip_bomb if kind == "gz" else zip_bomb)(tmp_path / name, 1 << 30)
    assert (tmp_path / name).stat().st_size < 20 << 20
    path = make(tmp_path, [{"name": "t", "path": name, "schema": SCHEMA}])
    load = f"import expo_data; expo_data.load('t', {str(path)!r})"
    commands = {
        "validate": [sys.executable, "-m", "expo_data", "validate", str(path)],
        "show": [sys.executable, "-m", "expo_data", "show", "t", "--package", str(path)],
        "sql": [sys.executable, "-m", "expo_data", "sql", "select 1 from t", "-p", str(path)],
        "load": [sys.executable, "-c", load],
    }
    for what, command in commands.items():
        out = subprocess.run(
            [sys.executable, "-c", PEAK_RSS, *command], capture_output=True, text=True, check=True
        )
        returncode, peak, stdout, stderr = json.loads(out.stdout)
        assert returncode != 0, what
        assert peak < 1_200_000, (what, peak)  # KiB: far below the 1 GiB it expands to
        said = stdout if what == "validate" else stderr
        assert "compression bomb" in said, (what, said)
        if what != "load":  # the CLI: one line, no traceback
            assert "Traceback" not in stderr and len(stderr.strip().splitlines()) <= 1, stderr


# --- isolation and constraints ---------------------------------------------------------------


def broken_package(folder: Path) -> Path:
    return make(
        folder,
        [
            {"name": "good", "path": "good.csv", "schema": SCHEMA},
            {"name": "bad", "path": "bad.csv", "schema": SCHEMA},
            {"name": "gone", "path": "gone.csv", "schema": SCHEMA},
        ],
        {"good.csv": "id,name\n1,a\n2,b\n", "bad.csv": "id,name\nx,a\n"},
    )


def test_one_broken_resource_never_stops_the_others(tmp_path: Path):
    path = broken_package(tmp_path)
    assert expo_data.load("good", path)["id"].tolist() == [1, 2]
    assert expo_data.query("select count(*) from good", path)[1] == [(2,)]
    result = run_cli("sql", "select * from bad", "--package", path)
    assert result.returncode != 0 and result.stderr.startswith("Error: ")
    assert "'bad' cannot be loaded" in result.stderr and "row 2" in result.stderr
    result = run_cli("docs", "--package", path, "--out", tmp_path / "docs")
    assert result.returncode == 0, result.stderr
    dictionary = (tmp_path / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert "## gone" in dictionary and "file not found" in dictionary
    result = run_cli("site", "--package", path, "--out", tmp_path / "site")
    assert result.returncode == 0, result.stderr
    report = expo_data.validate(path)
    assert {f.resource for f in report.findings} == {"bad", "gone"}


def test_constraints_never_stop_loading(tmp_path: Path):
    schema = {
        "fields": [
            {"name": "id", "type": "integer", "constraints": {"maximum": 1, "required": True}},
            {
                "name": "kind",
                "type": "string",
                "constraints": {"pattern": "(?!x).*", "enum": ["a"]},
            },
        ]
    }
    path = make(
        tmp_path,
        [{"name": "t", "path": "t.csv", "schema": schema}],
        {"t.csv": "id,kind\n1,a\n5,b\n,a\n"},
    )
    frame = expo_data.load("t", path)
    assert frame["kind"].astype(str).tolist() == ["a", "b", "a"]
    assert frame["id"].tolist()[:2] == [1, 5] and frame["id"].isna().tolist()[2]
    assert expo_data.query("select count(*) from t where kind = 'b'", path)[1] == [(1,)]
    assert run_cli("show", "t", "--package", path).returncode == 0
    # validation names the pattern RE2 cannot match, and checks every row all the same
    found = [(f.code, f.row, f.field) for f in expo_data.validate(path).findings]
    assert found[0][0] == "package-error" and "RE2" in expo_data.validate(path).findings[0].message
    assert {("constraint-error", 3, "id"), ("constraint-error", 3, "kind")} <= set(found)
    assert ("constraint-error", 4, "id") in found  # required


# --- remote reads: bounded -------------------------------------------------------------------


@pytest.fixture
def server(tmp_path: Path):
    """A local HTTP server over tmp_path/www."""
    root = tmp_path / "www"
    root.mkdir()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_remote_schema_and_resource_only_when_trusted(tmp_path: Path, server):
    root, url = server
    (root / "schema.json").write_text(json.dumps(SCHEMA))
    (root / "t.csv").write_text("id,name\n1,a\n")
    path = make(
        tmp_path / "pkg", [{"name": "t", "path": f"{url}/t.csv", "schema": f"{url}/schema.json"}]
    )
    with pytest.raises(PackageError, match="remote"):
        expo_data.load("t", path)
    assert expo_data.load("t", path, trusted=True)["name"].tolist() == ["a"]


def test_remote_reads_are_bounded_in_size(server):
    from expo_data.model.transfer import read_url

    root, url = server
    (root / "big.csv").write_bytes(b"x" * 5000)
    assert read_url(f"{url}/big.csv", limit=5000) == b"x" * 5000
    with pytest.raises(DataError, match="more than the 4096 bytes allowed"):
        read_url(f"{url}/big.csv", limit=4096)
    with pytest.raises(DataError, match="not found"):
        read_url(f"{url}/none.csv")
