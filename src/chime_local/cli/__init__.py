"""The ``chime-local`` command: a thin shell that parses options and calls one library function.

One module per command group: :mod:`.serve` (the server), :mod:`.state` (seed, import, export,
reset, accept-invitation), :mod:`.info` (operations). This module builds the parser from them,
applies the ``CHIME_LOCAL_*`` environment (:mod:`.environment`), dispatches, and is the one place
where a user's mistake (:class:`.errors.CliError`) becomes one line on stderr and an exit status.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence

from chime_local.cli import environment, info, serve, state
from chime_local.cli.errors import DATABASE, CliError, OneLineParser
from chime_local.version import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="chime-local",
        description="A self-hostable emulator of the Amazon Chime administration API.",
    )
    parser.add_argument("--version", action="version", version=f"chime-local {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve.add_commands(commands)
    state.add_commands(commands)
    info.add_commands(commands)
    return parser


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def parse(argv: Sequence[str], environ: Mapping[str, str]) -> argparse.Namespace:
    """Parse ``argv`` with the command's ``CHIME_LOCAL_*`` variables as defaults."""
    parser = build_parser()
    command = next((token for token in argv if not token.startswith("-")), None)
    chosen = subcommands(parser).get(command or "")
    if chosen is not None:
        names = None if command == "serve" else state.FROM_ENVIRONMENT
        environment.apply(chosen, argv, environ, names)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    import sqlite3

    from chime_local.store import StoreError

    arguments = list(sys.argv[1:] if argv is None else argv)
    named = next((token for token in arguments if not token.startswith("-")), "")
    command = f"chime-local {named}" if named in subcommands(build_parser()) else "chime-local"
    try:
        args = parse(arguments, os.environ)
        if args.command == "serve":
            return serve.run(args)
        if args.command in state.COMMANDS:
            return state.run(args)
        return info.run(args)
    except CliError as error:
        print(f"{command}: {error.message}", file=sys.stderr)
        return error.status
    except StoreError as exc:  # a newer schema, a database that went away: one line
        print(f"{command}: {exc}", file=sys.stderr)
        return DATABASE
    except sqlite3.DatabaseError as exc:  # what the --db check could not foresee
        print(f"{command}: the database cannot be used ({exc})", file=sys.stderr)
        return DATABASE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
