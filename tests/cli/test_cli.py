"""The CLI is documented: every command has help and appears in the README, and so does the table."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from chime_local.catalog import operations_markdown
from chime_local.cli import build_parser
from chime_local.cli import subcommands as subcommands_of

README = (Path(__file__).parents[2] / "README.md").read_text()


def subcommands() -> dict[str, argparse.ArgumentParser]:
    found = subcommands_of(build_parser())
    assert found, "no subcommands"
    return found


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_command_has_help_and_is_in_the_readme(name: str) -> None:
    command = subcommands()[name]
    assert command.description
    assert f"chime-local {name}" in README
    assert f"| `{name}` |" in README
    for action in command._actions:
        for option in action.option_strings:
            if option.startswith("--") and option != "--help":
                assert option in README, f"{name} {option} is not documented"


def test_readme_operation_table_matches_the_code() -> None:
    table = re.search(r"<!-- operations:start -->\n(.*)<!-- operations:end -->", README, re.S)
    assert table is not None
    assert table.group(1) == operations_markdown()


def test_help_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "chime_local", "serve", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--in-memory" in result.stdout


def test_argument_help_says_what_is_expected() -> None:
    for command in subcommands().values():
        assert "(ID or path)" not in command.format_help()
    accept = " ".join(subcommands()["accept-invitation"].format_help().split())
    assert "the account ID" in accept and "the user ID" in accept
    seed = " ".join(subcommands()["seed"].format_help().split())
    assert "the seed document (YAML or JSON)" in seed
