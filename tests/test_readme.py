"""README.md works as written: its code blocks run, it names every command, its CI recipes run.

Code blocks are fenced blocks (``` or ~~~) whose info string starts with a language:

- ```python blocks all run, in README order, in one fresh `python` subprocess (one shared
  namespace);
- ```bash and ```sh blocks each run through `bash -e -o pipefail`, in README order;
  ```console blocks too, but only their `$ ` lines (the rest is output);
- other blocks (yaml, toml, json, text, mermaid…) are not run.

The working directory is a temporary folder holding a copy of the data package
(datapackage.json, data/, schemas/), shared by the shell blocks, so `expo-data validate
datapackage.json` or `expo-data docs --out docs` work there and change nothing in the
repository.

To skip a block, put this marker on the last non-blank line before its opening fence:

    <!-- readme-test: skip (why it cannot run here) -->

The reason is required. Skip only what cannot run in a test: installing packages, running
the test suite itself (which would recurse), commands that need the repository root.

Blocks run network-free: HTTP(S) proxies point at a closed local port, pip may not use an
index, `expo-data` downloads go to a fresh cache from a local folder of releases holding
the current version (so `--release` and `download` examples work), and the environment
variable EXPO_DATA_README_TEST=1 is set, so a block that runs pytest skips this module.
`expo-data`, `python` and `pip` are those of the interpreter running the tests.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
import yaml

import expo_data
from expo_data.cli import app

from conftest import ROOT, copy_package

README = Path(os.environ.get("EXPO_DATA_README", ROOT / "README.md"))
SKIP = re.compile(r"^\s*<!--\s*readme-test:\s*skip\b(.*?)-->\s*$")
FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})\s*([^\s`]*)")
RUNNERS = {"python": "python", "py": "python", "bash": "bash", "sh": "bash", "console": "console"}
TIMEOUT = 600

if os.environ.get("EXPO_DATA_README_TEST"):
    pytest.skip("already inside a README block", allow_module_level=True)


@dataclass(frozen=True)
class Block:
    """A fenced code block: its language, first line of code (1-based) and text."""

    language: str
    line: int
    code: str
    skip: str | None  # the skip marker's text, None when not marked

    @property
    def id(self) -> str:
        return f"{self.language}-L{self.line}"


def code_blocks(text: str) -> list[Block]:
    """Every fenced code block of a Markdown text (CommonMark fences, not nested)."""
    lines, blocks, i = text.splitlines(), [], 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, fence, language = opening.groups()
        previous = next((ln for ln in reversed(lines[:i]) if ln.strip()), "")
        marker = SKIP.match(previous)
        closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        end = next((j for j in range(i + 1, len(lines)) if closing.match(lines[j])), len(lines))
        body = [ln[len(indent) :] if ln.startswith(indent) else ln for ln in lines[i + 1 : end]]
        skip = marker.group(1).strip() if marker else None
        blocks.append(Block(language.lower(), i + 2, "\n".join(body) + "\n", skip))
        i = end + 1
    return blocks


def console_commands(code: str) -> str:
    """The `$ ` command lines of a console block (with their `\\` continuations)."""
    commands, continuing = [], False
    for line in code.splitlines():
        if continuing or line.startswith("$ "):
            commands.append(line if continuing else line[2:])
            continuing = line.rstrip().endswith("\\")
    return "\n".join(commands) + "\n"


BLOCKS = code_blocks(README.read_text(encoding="utf-8")) if README.is_file() else []
RUN = [b for b in BLOCKS if b.language in RUNNERS and b.skip is None]
PYTHON = [b for b in RUN if RUNNERS[b.language] == "python"]
SHELL = [b for b in RUN if RUNNERS[b.language] != "python"]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared working folder of the README's shell blocks: a copy of the package."""
    return copy_package(tmp_path_factory.mktemp("readme") / "package")


@pytest.fixture(scope="module")
def readme_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A network-free environment with a local release of the current version."""
    home = tmp_path_factory.mktemp("readme-env")
    expo_data.build_release(out=home / "releases" / expo_data.__version__)
    closed = "http://127.0.0.1:9"  # the discard port: nothing listens, connections fail fast
    bindir = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "PATH": bindir + os.pathsep + os.environ.get("PATH", ""),
        "EXPO_DATA_RELEASE_URL": str(home / "releases"),
        "EXPO_DATA_CACHE": str(home / "cache"),
        "EXPO_DATA_README_TEST": "1",
        **{k: closed for k in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy")},
        **{k: closed for k in ("https_proxy", "all_proxy")},
        "NO_PROXY": "",
        "no_proxy": "",
        "PIP_NO_INDEX": "1",
        "PYTHONIOENCODING": "utf-8",
    }


def test_readme_exists_with_code_blocks():
    assert README.is_file(), f"{README} is missing"
    assert BLOCKS, "README.md has no fenced code blocks"


def test_skip_markers_give_a_reason():
    unexplained = [
        b.id for b in BLOCKS if b.skip is not None and not re.fullmatch(r"\(.+\)", b.skip)
    ]
    assert not unexplained, f"skip markers without a (reason): {unexplained}"


@pytest.mark.skipif(not PYTHON, reason="README.md has no python blocks to run")
def test_python_blocks_run(tmp_path, readme_env):
    """All python blocks in one process, each compiled with its README line numbers."""
    driver = (
        "import json, sys\n"
        "namespace = {'__name__': '__main__'}\n"
        "for line, code in json.loads(sys.stdin.read()):\n"
        "    exec(compile('\\n' * (line - 1) + code, sys.argv[1], 'exec'), namespace)\n"
    )
    blocks = json.dumps([(b.line, b.code) for b in PYTHON])
    result = subprocess.run(
        [sys.executable, "-c", driver, str(README)],
        input=blocks,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=copy_package(tmp_path / "package"),
        env=readme_env,
        timeout=TIMEOUT,
    )
    assert result.returncode == 0, (
        f"a python block of {README.name} failed (see the README line in the traceback):\n"
        f"{result.stderr}"
    )


@pytest.mark.parametrize("block", SHELL, ids=[b.id for b in SHELL])
def test_shell_block_runs(block, workdir, readme_env):
    script = console_commands(block.code) if block.language == "console" else block.code
    result = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=workdir,
        env=readme_env,
        timeout=TIMEOUT,
    )
    assert result.returncode == 0, (
        f"{README.name} line {block.line}: the {block.language} block exited "
        f"{result.returncode}\n--- script\n{script}--- stdout\n{result.stdout}"
        f"--- stderr\n{result.stderr}"
    )


# --- every command is documented ----------------------------------------------------------


def command_paths(command=None, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and sub-command of the CLI, as name paths (("release", "build"), …)."""
    command = command or typer.main.get_command(app)
    paths = []
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        if getattr(sub, "hidden", False):
            continue
        paths.append((*prefix, name))
        paths += command_paths(sub, (*prefix, name))
    return paths


def test_help_lists_the_commands_we_check():
    result = subprocess.run(
        [sys.executable, "-m", "expo_data", "--help"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "COLUMNS": "200"},
    )
    top = {path[0] for path in command_paths()}
    assert top and all(re.search(rf"\b{name}\b", result.stdout) for name in top)


@pytest.mark.parametrize("path", command_paths(), ids=" ".join)
def test_every_command_is_in_the_readme(path):
    pattern = r"expo-data\s+" + r"\s+".join(map(re.escape, path)) + r"\b"
    assert re.search(pattern, README.read_text(encoding="utf-8")), (
        f"`expo-data {' '.join(path)}` is not mentioned in {README.name}"
    )


# --- the CI recipes we ship run the real CLI ----------------------------------------------


def assert_runs_the_cli(command: str) -> None:
    """`command` calls an existing expo-data command, and succeeds on the repository."""
    words = command.split()
    assert words[0] == "expo-data", command
    names = [w for w in words[1:] if not w.startswith("-")]
    assert tuple(names[:1]) in command_paths(), f"{command}: no such command"
    bindir = str(Path(sys.executable).parent)
    result = subprocess.run(
        command,
        shell=True,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env={**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")},
        timeout=TIMEOUT,
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}{result.stderr}"


def test_github_workflow_validates_with_the_action():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "validate.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert {"push", "pull_request"} <= set(triggers)
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    uses = [s["uses"].split("@")[0] for s in steps if "uses" in s]
    assert uses == ["actions/checkout", "actions/setup-python", "./"]
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    runs = [s["run"] for s in action["runs"]["steps"] if "run" in s]
    assert any("--format github" in r for r in runs)
    command = 'expo-data validate -p "$PACKAGE" --engine "$ENGINE" $ARGS --format github'
    assert command in "\n".join(runs)
    assert_runs_the_cli(
        command.replace('"$PACKAGE"', "datapackage.json")
        .replace('"$ENGINE"', "fast")
        .replace(" $ARGS", "")
    )


def test_pre_commit_hook_validates_the_package():
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "expo-data-validate"
    assert hook["language"] == "python"
    assert hook["entry"] == "expo-data validate"
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    for path in ("data/awards.csv", "schemas/awards.json", "datapackage.json", "gdp.csv"):
        assert files.search(path), path
    for path in ("sub/package/datapackage.yaml", "sub/data/readings.parquet"):
        assert files.search(path), path
    for path in ("README.md", "src/expo_data/cli.py", "docs/datapackage.json.md"):
        assert not files.search(path), path
    assert_runs_the_cli(" ".join([hook["entry"], *hook.get("args", [])]))


# --- the block runner itself --------------------------------------------------------------

SAMPLE = """\
# Sample

```python
print("one")
```

<!-- readme-test: skip (installs a package) -->
```bash
pip install nothing
```

````markdown
```python
not run: inside a four-backtick block
```
````

~~~ console
$ echo two \\
  three
two three
~~~

```yaml
key: value
```
"""


def test_code_blocks_finds_fences_languages_lines_and_skip_markers():
    blocks = code_blocks(SAMPLE)
    assert [(b.language, b.line, b.skip) for b in blocks] == [
        ("python", 4, None),
        ("bash", 9, "(installs a package)"),
        ("markdown", 13, None),
        ("console", 19, None),
        ("yaml", 25, None),
    ]
    assert blocks[0].code == 'print("one")\n'
    assert "not run" in blocks[2].code
    assert console_commands(blocks[3].code) == "echo two \\\n  three\n"


def test_a_failing_block_fails_the_test(tmp_path):
    """The runner, run on a README whose blocks fail: it fails, except for the skipped one."""
    keys = "python_blocks_run or shell_block_runs"
    readme = tmp_path / "README.md"
    readme.write_text(
        "```python\nraise SystemExit('python block failed')\n```\n\n"
        "```bash\nfalse\n```\n\n"
        "<!-- readme-test: skip (would fail) -->\n```bash\nexit 3\n```\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "EXPO_DATA_README_TEST"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__, "-k", keys],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env={**env, "EXPO_DATA_README": str(readme)},
        timeout=TIMEOUT,
    )
    assert result.returncode == 1, result.stdout
    assert "2 failed" in result.stdout and "python block failed" in result.stdout
    assert "bash-L6" in result.stdout and "bash-L11" not in result.stdout
