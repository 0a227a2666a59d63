"""The state commands: seed, import, export, reset and accept-invitation.

Each acts on a database file directly or on a running server's admin API (a ``StateTarget``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

DEFAULT_DB = "./chime-local.db"
COMMANDS = ("seed", "import", "export", "reset", "accept-invitation")


def _target_options(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--db", default=DEFAULT_DB, help=f"act on this SQLite file directly (default {DEFAULT_DB})"
    )
    where.add_argument("--endpoint", metavar="URL", help="act on a running server instead")
    parser.add_argument("--admin-token", metavar="TOKEN", help="the server's admin token")


def add_commands(commands: Any) -> None:
    specs = [
        ("seed", "load a seed document (YAML or JSON) into the state", ["file"]),
        ("import", "replace the whole state with a seed document (an export)", ["file"]),
        ("export", "write the whole state as a seed document (JSON)", ["file?"]),
        ("reset", "empty the state", []),
        ("accept-invitation", "accept a user's pending invitation", ["account", "user"]),
    ]
    for name, text, arguments in specs:
        parser = commands.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        for argument in arguments:
            if argument == "file?":
                parser.add_argument("file", nargs="?", help="output file (default: stdout)")
            else:
                parser.add_argument(argument, help=f"the {argument} (ID or path)")
        _target_options(parser)


def run_state_command(args: argparse.Namespace) -> int:
    """Run seed, import, export, reset or accept-invitation against the chosen target."""
    from chime_local.admin.targets import RemoteTarget, StateTarget, local_target

    target: StateTarget = (
        RemoteTarget(args.endpoint, args.admin_token) if args.endpoint else local_target(args.db)
    )
    try:
        if args.command in ("seed", "import"):
            from chime_local.seed import read_document

            _load(target, read_document(args.file), replace=args.command == "import")
        elif args.command == "export":
            text = json.dumps(target.export(), indent=2) + "\n"
            if args.file:
                Path(args.file).write_text(text)
            else:
                sys.stdout.write(text)
        elif args.command == "reset":
            target.reset()
            print("State reset.")
        else:
            print(json.dumps(target.accept_invitation(args.account, args.user), indent=2))
    finally:
        target.close()
    return 0


def _load(target: Any, document: dict[str, Any], replace: bool) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from chime_local.seed.loader import count_users

    columns = (BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=_stderr_console(), transient=True) as bar:
        task = bar.add_task("users", total=count_users(document))
        result = target.seed(document, lambda n: bar.advance(task, n), replace=replace)
    print(
        f"Loaded {result.accounts} accounts and {result.users} users in {result.seconds:.2f}s "
        f"({result.users_per_second:,.0f} users/s)."
    )


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def run(args: argparse.Namespace) -> int:
    from chime_local.admin.targets import AdminRequestError
    from chime_local.errors import ChimeError
    from chime_local.seed import SeedError

    try:
        return run_state_command(args)
    except (SeedError, AdminRequestError, OSError) as exc:
        print(f"chime-local {args.command}: {exc}", file=sys.stderr)
        return 1
    except ChimeError as exc:
        print(f"chime-local {args.command}: {exc.message}", file=sys.stderr)
        return 1
