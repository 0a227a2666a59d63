"""``chime-local operations``: what the emulator implements, printed from the model."""

from __future__ import annotations

import argparse
from typing import Any


def add_commands(commands: Any) -> None:
    commands.add_parser(
        "operations",
        help="print the table of Chime operations and their status (Markdown)",
        description="Print the 62 operations of the model and whether each is implemented.",
    )


def run(args: argparse.Namespace) -> int:
    from chime_local.catalog import operations_markdown

    print(operations_markdown(), end="")
    return 0
