"""Every command's help ends with examples, and writes every placeholder one way (NAME)."""

from __future__ import annotations

import re

import pytest

from expo_data.cli.reference import commands

from conftest import run_cli

COMMANDS = [(path, command, ctx) for path, command, ctx in commands()]
#: placeholder styles other than the CLI's own NAME: `<str>`, `{RESOURCE}`
OTHER_STYLES = re.compile(r"<[a-z][^>]*>|\{[A-Z_]+\}")


@pytest.mark.parametrize("path", [p for p, _, _ in COMMANDS])
def test_help_ends_with_examples_of_the_command(path):
    _, command, ctx = next(c for c in COMMANDS if c[0] == path)
    text = command.get_help(ctx).rstrip()
    head, _, examples = text.rpartition("Examples:")
    assert head, f"{path} --help has no examples"
    lines = [line.strip() for line in examples.splitlines() if line.strip()]
    assert lines and all(line.startswith(path) for line in lines), lines
    assert "Options:" in head  # the examples come last


def test_help_uses_one_placeholder_style():
    for path, command, ctx in COMMANDS:
        assert not OTHER_STYLES.findall(command.get_help(ctx)), path


def test_the_listed_commands_are_every_command():
    listed = {p for p, _, _ in COMMANDS}
    assert {
        "expo-data validate",
        "expo-data diff",
        "expo-data changelog",
        "expo-data site",
    } <= listed
    assert "expo-data release build" in listed and len(listed) >= 14
    shown = run_cli("diff", "--help")
    assert shown.returncode == 0 and "Examples:" in shown.stdout
    assert "Usage: python -m expo_data diff [OPTIONS] OLD NEW" in shown.stdout
