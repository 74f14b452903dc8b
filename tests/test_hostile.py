"""Hostile input and faults: nothing lost, nothing leaked, nothing run (issue 21).

Every hostile file is made here; every run is a subprocess bounded by a timeout, and the
memory-hungry cases by an address-space limit, with their peak RSS measured (`measured`).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt
from test_security import drip, published, server  # noqa: F401 (fixtures)

import expo_data

from conftest import run_cli
from test_release import VERSION, make_package

#: the address space a bomb case may take (pyarrow and DuckDB reserve more than they use)
ADDRESS_SPACE = 4 << 30
#: the peak resident memory a bomb case may reach
PEAK_RSS = 1 << 30
#: what this module's bomb cases peaked at, in MiB, printed at the end (pytest -s)
PEAKS: dict[str, float] = {}


def measured(*args: object, cwd: Path | None = None, timeout: float = 120, fsize: int = 0):
    """Run the CLI with ADDRESS_SPACE (and a file size limit `fsize`); (rc, out, err, peak RSS).

    The child's own peak resident set size comes from wait4, so other processes never count.
    """

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
        if fsize:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes fail with EFBIG instead
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(
            [sys.executable, "-m", "expo_data", *map(str, args)],
            cwd=cwd,
            stdout=out,
            stderr=err,
            preexec_fn=limits,
        )
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                child.kill()
                os.wait4(child.pid, 0)
                pytest.fail(f"expo-data {' '.join(map(str, args))} ran over {timeout} s")
            time.sleep(0.05)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text = (out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))
    return child.returncode, *text, usage.ru_maxrss * 1024


def one_line_error(stderr: str, *names: str) -> None:
    """stderr is one `Error: …` line naming each of `names`, with no traceback."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    assert "Traceback" not in stderr and "\x1b" not in stderr
    for name in names:
        assert name in lines[0], (name, stderr)


def csv_package(folder: Path, rows: str, fields: list[str], **descriptor: object) -> Path:
    """A one-resource package `data.csv` of string fields; `descriptor` entries added."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data.csv").write_text(rows, encoding="utf-8")
    resource = {
        "name": "data",
        "path": "data.csv",
        "schema": {"fields": [{"name": f, "type": "string"} for f in fields]},
    }
    doc = {"name": "hostile", "version": "1.0.0", "resources": [resource], **descriptor}
    (folder / "datapackage.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return folder


# --- 1. download --to never overwrites what it did not write -------------------------------


@pytest.fixture
def release_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A folder release location holding the synthetic release; a fresh cache."""
    root = tmp_path / "published"
    expo_data.build_release(make_package(tmp_path / "syn"), out=root / VERSION)
    monkeypatch.setenv("EXPO_DATA_CACHE", str(tmp_path / "cache"))
    return str(root)


def download(url: str, to: Path, *flags: str):
    return run_cli("download", "--version", VERSION, "--url", url, "--to", to, *flags)


def test_download_to_keeps_the_users_files(release_url: str, tmp_path: Path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "README.md").write_text("my notes", encoding="utf-8")
    (mine / "datapackage.json").write_text('{"name": "mine"}', encoding="utf-8")
    for flags in ((), ("--force",)):
        result = download(release_url, mine, *flags)
        assert result.returncode == 1, result.stdout
        one_line_error(result.stderr, str(mine), "README.md", "datapackage.json")
        assert (mine / "README.md").read_text(encoding="utf-8") == "my notes"
        assert (mine / "datapackage.json").read_text(encoding="utf-8") == '{"name": "mine"}'
    assert sorted(p.name for p in mine.iterdir()) == ["README.md", "datapackage.json"]


def test_download_force_replaces_only_a_previous_downloads_files(release_url: str, tmp_path: Path):
    copy = tmp_path / "copy"
    assert download(release_url, copy).returncode == 0
    assert download(release_url, copy).returncode == 0  # the same bytes: nothing to replace
    (copy / "notes.txt").write_text("mine", encoding="utf-8")
    (copy / "README.md").write_text("edited", encoding="utf-8")
    refused = download(release_url, copy)
    assert refused.returncode == 1
    one_line_error(refused.stderr, "README.md", "--force")
    assert (copy / "README.md").read_text(encoding="utf-8") == "edited"
    assert download(release_url, copy, "--force").returncode == 0
    assert (copy / "README.md").read_text(encoding="utf-8") != "edited"  # the release's again
    assert (copy / "notes.txt").read_text(encoding="utf-8") == "mine"  # never touched


# --- 2. site --force deletes only a previous site's files ----------------------------------


def test_site_force_keeps_a_folder_that_only_looks_like_a_site(tmp_path: Path):
    package = make_package(tmp_path / "syn")
    blog = tmp_path / "blog"
    (blog / "blog").mkdir(parents=True)
    for name in ("index.html", ".nojekyll", "CNAME", "blog/post.html"):
        (blog / name).write_text(name, encoding="utf-8")
    result = run_cli("site", "-p", package, "--out", blog, "--force")
    assert result.returncode == 1
    one_line_error(result.stderr, str(blog))
    assert (blog / "CNAME").read_text(encoding="utf-8") == "CNAME"
    assert (blog / "blog" / "post.html").read_text(encoding="utf-8") == "blog/post.html"
    assert (blog / "index.html").read_text(encoding="utf-8") == "index.html"


def test_site_force_refuses_a_site_with_files_it_did_not_write(tmp_path: Path):
    package = make_package(tmp_path / "syn")
    site = tmp_path / "site"
    assert run_cli("site", "-p", package, "--out", site, "--rows", "2").returncode == 0
    (site / "CNAME").write_text("data.example.org", encoding="utf-8")
    refused = run_cli("site", "-p", package, "--out", site, "--force")
    assert refused.returncode == 1
    one_line_error(refused.stderr, "CNAME")
    assert (site / "CNAME").is_file() and (site / "index.html").is_file()
    (site / "CNAME").unlink()
    assert run_cli("site", "-p", package, "--out", site, "--force").returncode == 0


def test_docs_replace_only_the_files_docs_wrote(tmp_path: Path):
    package = make_package(tmp_path / "syn")
    out = tmp_path / "docs"
    out.mkdir()
    (out / "dataset-card.md").write_text("# My own card", encoding="utf-8")
    (tmp_path / "outside.md").write_text("outside", encoding="utf-8")
    (out / "data-dictionary.md").symlink_to(tmp_path / "outside.md")
    result = run_cli("docs", "-p", package, "--out", out)
    assert result.returncode == 1
    one_line_error(result.stderr, "not written by `expo-data docs`")
    assert (out / "dataset-card.md").read_text(encoding="utf-8") == "# My own card"
    assert (tmp_path / "outside.md").read_text(encoding="utf-8") == "outside"
    (out / "dataset-card.md").unlink()
    (out / "data-dictionary.md").unlink()
    assert run_cli("docs", "-p", package, "--out", out).returncode == 0
    (out / "dataset-card.md").write_text("stale, but generated", encoding="utf-8")
    assert run_cli("docs", "-p", package, "--out", out).returncode == 1  # no marker: refused
    (out / "dataset-card.md").unlink()
    assert run_cli("docs", "-p", package, "--out", out).returncode == 0
    text = (out / "dataset-card.md").read_text(encoding="utf-8")
    (out / "dataset-card.md").write_text(text.replace("Synthetic", "Old"), encoding="utf-8")
    assert run_cli("docs", "-p", package, "--out", out).returncode == 0  # ours: replaced
    assert (out / "dataset-card.md").read_text(encoding="utf-8") == text


# --- 3. the SQL sandbox: no folder outside the package, bounded rows and memory -------------


def test_sql_reads_and_writes_nothing_through_a_tmp_symlink(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("hunter2", encoding="utf-8")
    here = tmp_path / "here"
    here.mkdir()
    (here / ".tmp").symlink_to(outside)
    read = run_cli("sql", "SELECT * FROM read_text('.tmp/secret.txt')", cwd=here)
    assert read.returncode == 1 and "hunter2" not in read.stdout + read.stderr
    one_line_error(read.stderr)
    write = run_cli("sql", "COPY (SELECT 42 AS x) TO '.tmp/x.csv'", cwd=here)
    assert write.returncode == 1 and not (outside / "x.csv").exists()
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]


def test_sql_a_huge_result_is_one_line_with_bounded_memory():
    code, out, err, peak = measured("sql", "SELECT * FROM range(10000000000)")
    PEAKS["sql range(1e10)"] = peak / 2**20
    assert code == 1 and out == ""
    one_line_error(err, "100000 rows", "--limit")
    assert peak < PEAK_RSS


def test_sql_a_query_over_its_memory_is_one_line_with_bounded_memory():
    query = "SELECT string_agg(range::VARCHAR, ',') AS s FROM range(400000000)"
    code, _, err, peak = measured("sql", query, "-n", "5")
    PEAKS["sql string_agg(4e8)"] = peak / 2**20
    assert code == 1
    one_line_error(err, "memory")
    assert peak < 2 * PEAK_RSS


def test_sql_limit_and_its_default_in_help():
    assert "[default: 100000" in run_cli("sql", "--help").stdout
    from expo_data.cli.sql import ROW_LIMIT
    from expo_data.sql import ROW_LIMIT as LIBRARY_LIMIT

    assert ROW_LIMIT == LIBRARY_LIMIT
    assert run_cli("sql", "SELECT * FROM range(5)", "-n", "5", "-f", "csv").returncode == 0
    over = run_cli("sql", "SELECT * FROM range(6)", "-n", "5")
    assert over.returncode == 1
    one_line_error(over.stderr, "more than 5 rows")
    with pytest.raises(expo_data.SQLError, match="more than 5 rows"):
        expo_data.query("SELECT * FROM range(6)", limit=5)
    assert len(expo_data.query("SELECT * FROM range(6)", limit=0)[1]) == 6


@pytest.mark.parametrize("query", [" ", "", "\n\t"])
def test_sql_a_blank_query_is_one_line(query: str):
    result = run_cli("sql", query)
    assert result.returncode == 1
    one_line_error(result.stderr, "empty")


# --- 4. init: the path rules of validate, bounded on wide and long lines --------------------


def test_init_does_not_follow_a_symlink_out_of_the_folder(tmp_path: Path):
    (tmp_path / "creds_outside.csv").write_text("user,password\nbob,hunter2\n", "utf-8")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "ok.csv").write_text("id,x\n1,2\n", encoding="utf-8")
    (folder / "creds.csv").symlink_to(tmp_path / "creds_outside.csv")
    result = run_cli("init", folder)
    assert result.returncode != 0 and "hunter2" not in result.stdout + result.stderr
    one_line_error(result.stderr, "creds.csv", "outside")
    assert not (folder / "datapackage.json").exists()
    with pytest.raises(expo_data.UnsafePathError):
        expo_data.infer_package(folder)


@pytest.mark.parametrize(
    ("name", "line", "says"),
    [
        ("wide", ",".join(f"c{i}" for i in range(1_000_000)) + "\n1\n", "1000000 columns"),
        ("long", "a," * (12 << 20), "longer than"),
    ],
)
def test_init_on_a_huge_header_is_one_line_with_bounded_memory(
    tmp_path: Path, name: str, line: str, says: str
):
    folder = tmp_path / name
    folder.mkdir()
    (folder / f"{name}.csv").write_text(line, encoding="utf-8")
    code, _, err, peak = measured("init", folder, timeout=60)
    PEAKS[f"init {name} ({len(line) >> 20} MiB)"] = peak / 2**20
    assert code != 0
    one_line_error(err, f"{name}.csv", says)
    assert peak < PEAK_RSS and not (folder / "datapackage.json").exists()


@pytest.mark.slow
def test_init_on_a_1_gb_single_line_is_one_line_with_bounded_memory(tmp_path: Path):
    folder = tmp_path / "gig"
    folder.mkdir()
    with open(folder / "gig.csv", "w", encoding="utf-8") as stream:
        for _ in range(1024):
            stream.write("a," * (512 << 10))
    code, _, err, peak = measured("init", folder, timeout=120)
    PEAKS["init 1 GiB line"] = peak / 2**20
    assert code != 0
    one_line_error(err, "gig.csv", "longer than")
    assert peak < PEAK_RSS


# --- 5. diff git:REV reads the committed bytes, runs nothing ------------------------------


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose root is a package (`git:REV` reads it); nothing committed yet."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = csv_package(tmp_path / "repo", "id,note\n1,$Format:%H$\n2,plain\n", ["id", "note"])
    git(repo, "init", "-q")
    return repo


def test_diff_git_runs_no_filter_and_substitutes_nothing(repo: Path):
    ran = repo.parent / "filter-ran"
    (repo / ".gitattributes").write_text("*.csv filter=evil export-subst\n", encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "v1")
    git(repo, "config", "filter.evil.smudge", f"sh -c 'touch {ran}; cat'")
    git(repo, "config", "filter.evil.clean", "cat")
    result = run_cli("diff", "git:HEAD", ".", "--format", "json", cwd=repo)
    assert not ran.exists(), "a filter of the repository ran"
    assert result.returncode == 0, result.stdout + result.stderr  # the committed bytes: no change
    assert json.loads(result.stdout)["old"]["form"] == "git"


def test_diff_git_reports_a_committed_symlink(repo: Path):
    outside = repo.parent / "secret.csv"
    outside.write_text("id,note\n1,hunter2\n", encoding="utf-8")
    (repo / "data.csv").unlink()
    (repo / "data.csv").symlink_to(outside)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "a link")
    result = run_cli("diff", "git:HEAD", ".", cwd=repo)
    assert result.returncode == 2 and "hunter2" not in result.stdout + result.stderr
    one_line_error(result.stderr, "data.csv", "symlink")


# --- 6. generated Markdown and YAML escape package text ------------------------------------

HOSTILE = "<img src=x onerror=alert(1)> [click](javascript:alert(1)) `x` ~~~ ```"
FIELD = 'evil``` } {"'


def hostile_package(folder: Path) -> Path:
    rows = f'{FIELD},plain\n"<script>alert(1)</script>",[a](javascript:b)\n'
    package = csv_package(
        folder,
        rows,
        [FIELD, "plain"],
        title=HOSTILE,
        description=f"{HOSTILE}\n\n<iframe src=x></iframe>",
        keywords=[HOSTILE],
        licenses=[{"name": HOSTILE, "path": "javascript:alert(1)"}],
    )
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][0]["title"] = HOSTILE
    descriptor["resources"][0]["description"] = HOSTILE
    descriptor["resources"][0]["schema"]["fields"][0]["title"] = HOSTILE
    descriptor["resources"][0]["schema"]["primaryKey"] = [FIELD]
    (package / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return package


def assert_inert(markdown: str) -> None:
    """Rendered as CommonMark (as GitHub and Hugging Face do): no HTML, script link or code
    from the package, and every fence is one the generator opened."""
    html = MarkdownIt("commonmark").render(markdown)
    for raw in ("<img", "<iframe", "<script", 'href="javascript:', "<code>x</code>"):
        assert raw not in html, (raw, html)
    tokens = MarkdownIt("commonmark").parse(markdown)
    fences = [t.info for t in tokens if t.type == "fence"]
    assert all(info in ("mermaid", "bibtex") for info in fences), fences
    for token in tokens:
        if token.type == "fence" and token.info == "mermaid":
            assert "```" not in token.content and FIELD not in token.content


def test_docs_escape_package_text(tmp_path: Path):
    package = hostile_package(tmp_path / "p")
    result = run_cli("docs", "-p", package, "--out", tmp_path / "docs")
    assert result.returncode == 0, result.stderr
    for name in ("data-dictionary.md", "dataset-card.md"):
        text = (tmp_path / "docs" / name).read_text(encoding="utf-8")
        assert_inert(text)
        assert "onerror=alert(1)" in text  # shown, as text


def test_release_readme_and_changes_escape_package_text(tmp_path: Path):
    old = make_package(tmp_path / "old")
    package = hostile_package(tmp_path / "p")
    out = tmp_path / "release"
    expo_data.build_release(package, out=out, version="2.0.0", previous=old)
    for name in ("README.md", "CHANGES.md"):
        text = (out / name).read_text(encoding="utf-8")
        body = text.split("\n---\n", 1)[-1] if name == "README.md" else text
        assert_inert(body)
    header = (out / "README.md").read_text(encoding="utf-8").split("---\n")[1]
    assert yaml.safe_load(header)["pretty_name"] == HOSTILE


@pytest.mark.parametrize(
    "text", [HOSTILE, 'a: "b"\n- c', "\u2028\x85\ufeff#x", "'; DROP", "\\u0041", "日本語"]
)
def test_escape_round_trips(text: str):
    from expo_data.docs import escape

    assert yaml.safe_load(f"key: {escape.yaml_scalar(text)}") == {"key": text}
    assert escape.mermaid_id(text) != escape.mermaid_id(text + "_")
    assert escape.mermaid_id(text).replace("_", "").isalnum()
    code = MarkdownIt("commonmark").render(escape.code(text))
    assert code.count("<code>") == 1


# --- 7. no terminal escape from data or paths -----------------------------------------------

ESC = "\x1b]52;c;aHVudGVyMg==\x07\x1b[2J\u202e"


def test_describe_and_list_print_no_escape_sequences(tmp_path: Path):
    package = csv_package(tmp_path / "p", "a\n1\n", ["a"], title=ESC)
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][0]["title"] = f"t{ESC}"
    descriptor["resources"][0]["description"] = f"d{ESC}"
    (package / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    for args in (("describe", "data"), ("list",), ("show", "data")):
        result = run_cli(*args, "-p", package)
        assert result.returncode == 0, result.stderr
        assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
        assert "\x07" not in result.stdout
    assert "\\x1b]52" in run_cli("describe", "data", "-p", package).stdout  # shown, escaped


def test_findings_and_errors_print_no_escape_sequences(tmp_path: Path):
    package = csv_package(tmp_path / "p", "a\n1\n", ["a"])
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][0]["path"] = f"missing{ESC}.csv"
    (package / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    for fmt in ("text", "github", "markdown"):
        result = run_cli("validate", package, "--format", fmt)
        assert result.returncode == 1
        assert "\x1b" not in result.stdout + result.stderr
    error = run_cli("validate", "-p", tmp_path / f"no{ESC}such")
    assert error.returncode != 0
    one_line_error(error.stderr, "\\x1b]52")


def on_a_terminal(*args: object) -> str:
    """What the CLI prints to a terminal (stdout a pseudo-terminal)."""
    import pty

    leader, follower = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "expo_data", *map(str, args)],
        stdout=follower,
        stderr=subprocess.DEVNULL,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    child.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_csv_and_json_are_exact_in_a_pipe_and_escaped_on_a_terminal(tmp_path: Path):
    package = csv_package(tmp_path / "p", f'a\n"x{ESC}"\n', ["a"])
    for fmt in ("csv", "json"):
        piped = run_cli("show", "data", "-p", package, "-f", fmt)
        assert piped.returncode == 0
        exact = json.loads(piped.stdout)[0]["a"] if fmt == "json" else piped.stdout
        assert f"x{ESC}" in exact  # the value as it is
        shown = on_a_terminal("show", "data", "-p", package, "-f", fmt)
        assert "x" in shown and "\x1b" not in shown and "\u202e" not in shown


# --- 8. bombs and 9-10. every failure one line naming the file -----------------------------


def test_gzip_bytes_declared_zip(tmp_path: Path):
    package = csv_package(tmp_path / "p", "", ["a", "b"])
    (package / "data.csv").unlink()
    import gzip

    (package / "data.csv.zip").write_bytes(gzip.compress(b"a,b\n1,2\n"))
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][0] |= {"path": "data.csv.zip", "compression": "zip", "format": "csv"}
    (package / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    for args in (("show", "data"), ("sql", "SELECT * FROM data")):
        result = run_cli(*args, "-p", package)
        assert result.returncode == 1
        one_line_error(result.stderr, "data.csv.zip", "zip")
    for engine in ("fast", "frictionless", "duckdb"):
        result = run_cli("validate", package, "--engine", engine)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr


def test_a_tilde_path_with_the_frictionless_engine_is_a_finding(tmp_path: Path):
    package = csv_package(tmp_path / "p", "a\n1\n", ["a"])
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][0]["path"] = "~/x.csv"
    (package / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    result = run_cli("validate", package, "--engine", "frictionless")
    assert result.returncode == 1 and result.stderr == "", result.stderr
    assert "~/x.csv" in result.stdout and "not safe" in result.stdout


def test_a_too_long_file_name_is_one_line_with_the_fix(tmp_path: Path):
    name = tmp_path / ("n" * 300)
    for args in (("validate", "-p", name), ("show", "data", "-p", name), ("init", name)):
        result = run_cli(*args)
        assert result.returncode != 0
        one_line_error(result.stderr, "n" * 300, "at most 255 bytes")


def test_a_million_column_header_says_so_with_bounded_memory(tmp_path: Path):
    header = ",".join(f"c{i}" for i in range(1_000_000))
    package = csv_package(tmp_path / "p", f"{header}\n1\n", ["a"])
    code, out, err, peak = measured("validate", package)
    PEAKS["validate 1M-column header"] = peak / 2**20
    assert code == 1 and "Traceback" not in err
    assert "header row is longer than" in out and "the source is empty" not in out
    assert peak < PEAK_RSS


def test_a_full_disk_during_release_build_names_the_folder(tmp_path: Path):
    package = make_package(tmp_path / "syn")
    out = tmp_path / "out"
    code, _, err, _ = measured("release", "build", "-p", package, "--out", out, fsize=1024)
    assert code == 1
    one_line_error(err, str(out), "nothing in")
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_a_symlinked_out_is_built_through(tmp_path: Path):
    package = make_package(tmp_path / "syn")
    (tmp_path / "real").mkdir()
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "real")
    for flags in ((), ("--force",)):
        result = run_cli("release", "build", "-p", package, "--out", link, *flags)
        assert result.returncode == 0, result.stderr
        assert link.is_symlink() and (tmp_path / "real" / "manifest.json").is_file()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real", "syn"]
    site = run_cli("site", "-p", package, "--out", link, "--force")
    assert site.returncode == 1  # a release is not a site: refused, kept
    assert (tmp_path / "real" / "manifest.json").is_file()


def test_a_slow_download_names_the_cli_option(server, tmp_path: Path):  # noqa: F811
    server.faults[f"/syn/{VERSION}/things.parquet"] = drip
    result = run_cli(
        "download",
        "--version",
        VERSION,
        "--url",
        f"{server.url}/syn",
        "--deadline",
        "1",
        env={"EXPO_DATA_CACHE": str(tmp_path / "cache")},
        timeout=60,
    )
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]  # after the progress bars
    one_line_error(last, "things.parquet", "--deadline SECONDS")
    assert "deadline=" not in result.stderr


def test_cli_flags_are_named_once(tmp_path: Path):
    package = csv_package(tmp_path / "p", "a\n1\n", ["a"], profile="http://127.0.0.1:9/p.json")
    result = run_cli("validate", package)
    assert result.returncode == 1
    assert "--allow-remote" in result.stdout
    assert "(--allow-remote)" not in result.stdout and "pass --allow-remote (" not in result.stdout
    site = tmp_path / "site"
    site.mkdir()
    (site / "x").write_text("x", encoding="utf-8")
    refused = run_cli("site", "-p", package, "--out", site)
    assert refused.returncode == 1 and "--force (--force)" not in refused.stderr


# --- 11. --excel-safe ---------------------------------------------------------------------


def test_excel_safe_defuses_formulas_only_when_asked(tmp_path: Path):
    rows = 'a,b\n"=HYPERLINK(""http://x"",""y"")",-3\n+1,@SUM(A1)\nplain,-\n'
    package = csv_package(tmp_path / "p", rows, ["a", "b"])
    exact = run_cli("show", "data", "-p", package, "-f", "csv")
    assert exact.returncode == 0 and '"=HYPERLINK(""http://x"",""y"")",-3' in exact.stdout
    for args in (("show", "data"), ("sql", "SELECT * FROM data")):
        safe = run_cli(*args, "-p", package, "-f", "csv", "--excel-safe")
        assert safe.returncode == 0, safe.stderr
        lines = safe.stdout.splitlines()
        assert lines[1].startswith("\"'=HYPERLINK") and lines[1].endswith(",'-3")
        assert lines[2:] == ["'+1,'@SUM(A1)", "plain,'-"]
    wrong = run_cli("show", "data", "-p", package, "--excel-safe")
    assert wrong.returncode == 2
    one_line_error(wrong.stderr, "--format csv")


@pytest.fixture(scope="module", autouse=True)
def _peaks():
    """After the module, print the peak memory of the bomb cases run (pytest -s shows it)."""
    yield
    for case, mib in PEAKS.items():
        print(f"\npeak RSS {case}: {mib:.0f} MiB", end="")


def test_the_progress_bar_shows_a_hostile_name_as_text():
    import io

    from rich.console import Console

    from expo_data.cli.progress import ValidationProgress

    stream = io.StringIO()
    bar = ValidationProgress(Console(file=stream, force_terminal=True, width=100), delay=0)
    bar(f"[bold]x{ESC}", 10, 100, "rows")
    bar.close()
    shown = stream.getvalue()
    assert "[bold]x" in shown and "\\x1b]52" in shown and "\x1b]52" not in shown


def test_no_space_left_names_the_folder_and_the_fix(tmp_path: Path, monkeypatch):
    import errno

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("expo_data.release.build._write_parquet", full)
    out = tmp_path / "out"
    with pytest.raises(expo_data.ReleaseError) as caught:
        expo_data.build_release(make_package(tmp_path / "syn"), out=out)
    message = str(caught.value)
    assert str(out) in message and "free some space" in message and "nothing in" in message
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["syn"]
