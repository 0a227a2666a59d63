"""The ``chime-local`` command: a thin shell that parses options and calls one library function.

One module per command group: :mod:`.serve` (the server), :mod:`.state` (seed, import, export,
reset, accept-invitation), :mod:`.info` (operations). This module builds the parser from them and
dispatches.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from chime_local.cli import info, serve, state
from chime_local.version import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chime-local",
        description="A self-hostable emulator of the Amazon Chime administration API.",
    )
    parser.add_argument("--version", action="version", version=f"chime-local {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve.add_commands(commands)
    state.add_commands(commands)
    info.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve.run(args)
    if args.command in state.COMMANDS:
        return state.run(args)
    return info.run(args)


if __name__ == "__main__":
    sys.exit(main())
