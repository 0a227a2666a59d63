"""The state commands: seed, import, export, reset and accept-invitation.

Each acts on a database file directly or on a running server's admin API (a ``StateTarget``).
A database file must already exist (only ``seed --create`` and ``import --create`` make one),
and an endpoint must be a chime-local server; both are checked before anything is written.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from chime_local.cli import environment
from chime_local.cli.database import check_database
from chime_local.cli.errors import ENDPOINT, INPUT, REFUSED, CliError

DEFAULT_DB = "./chime-local.db"
COMMANDS = ("seed", "import", "export", "reset", "accept-invitation")
# The options of these commands that CHIME_LOCAL_* variables set (--db is the server's).
FROM_ENVIRONMENT = ("endpoint", "admin_token")
_ARGUMENT_HELP = {
    "file": "the seed document (YAML or JSON)",
    "account": "the account ID",
    "user": "the user ID",
}


def _target_options(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--db",
        default=DEFAULT_DB,
        help=f"act on this existing SQLite file or PostgreSQL URL directly (default {DEFAULT_DB})",
    )
    where.add_argument("--endpoint", metavar="URL", help="act on a running server instead")
    parser.add_argument("--admin-token", metavar="TOKEN", help="the server's admin token")
    environment.document(parser, FROM_ENVIRONMENT)


def add_commands(commands: Any) -> None:
    specs = [
        ("seed", "load a seed document (YAML or JSON) into the state", ["file"]),
        ("import", "replace the whole state with a seed document (an export)", ["file"]),
        ("export", "write the whole state as a seed document (JSON)", ["file?"]),
        ("reset", "empty the state", []),
        ("accept-invitation", "accept a user's pending invitation", ["account", "user"]),
    ]
    for name, text, arguments in specs:
        parser = commands.add_parser(
            name, help=text, description=text[0].upper() + text[1:] + ".", allow_abbrev=False
        )
        for argument in arguments:
            if argument == "file?":
                parser.add_argument("file", nargs="?", help="output file (default: stdout)")
            else:
                parser.add_argument(argument, help=_ARGUMENT_HELP[argument])
        if "file" in arguments:  # seed and import may start a new database on purpose
            parser.add_argument(
                "--create", action="store_true", help="create the --db file if it does not exist"
            )
        _target_options(parser)


def _target(args: argparse.Namespace) -> Any:
    from chime_local.admin.targets import EndpointError, RemoteTarget, local_target

    if not args.endpoint:
        check_database(args.db, must_exist=not getattr(args, "create", False))
        return local_target(args.db)
    target = RemoteTarget(args.endpoint, args.admin_token)
    try:
        target.check()
    except EndpointError as exc:
        raise CliError(ENDPOINT, str(exc)) from None
    return target


def run(args: argparse.Namespace) -> int:
    """Run seed, import, export, reset or accept-invitation against the chosen target."""
    from chime_local.admin.targets import AdminRequestError, EndpointError
    from chime_local.errors import ChimeError

    began = time.perf_counter()
    document = _read(args.file) if args.command in ("seed", "import") else None
    target = _target(args)
    try:
        if document is not None:
            _load(target, document, replace=args.command == "import", began=began)
        elif args.command == "export":
            _export(target, args.file)
        elif args.command == "reset":
            target.reset()
            print("State reset.")
        else:
            print(json.dumps(target.accept_invitation(args.account, args.user), indent=2))
    except EndpointError as exc:
        raise CliError(ENDPOINT, str(exc)) from None
    except AdminRequestError as exc:
        raise CliError(REFUSED, str(exc)) from None
    except ChimeError as exc:
        raise CliError(REFUSED, exc.message) from None
    finally:
        target.close()
    return 0


def _read(file: str) -> dict[str, Any]:
    """Parse the seed file, showing how far the parse is for a large one."""
    from rich.progress import BarColumn, DownloadColumn, TextColumn

    from chime_local.seed import SeedError, read_document

    path = Path(file)
    if not path.is_file():
        raise CliError(INPUT, f"{file}: no such file: give the path of a YAML or JSON document")
    columns = (TextColumn("parsing"), BarColumn(), DownloadColumn())
    try:
        with _progress(*columns) as bar:
            task = bar.add_task("parse", total=path.stat().st_size)
            return read_document(path, lambda n: bar.advance(task, n))
    except SeedError as exc:
        raise CliError(INPUT, "; ".join(exc.problems)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(INPUT, f"{file}: cannot be read ({exc})") from None


def _load(target: Any, document: dict[str, Any], replace: bool, began: float) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, TimeRemainingColumn

    from chime_local.seed import SeedError
    from chime_local.seed.loader import count_users

    columns = (BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    try:
        with _progress(*columns) as bar:
            task = bar.add_task("users", total=count_users(document))
            result = target.seed(document, lambda n: bar.advance(task, n), replace=replace)
    except SeedError as exc:
        shown = "; ".join(exc.problems[:5]) + ("; ..." if len(exc.problems) > 5 else "")
        raise CliError(
            REFUSED, f"{len(exc.problems)} problem(s) in the document: {shown}"
        ) from None
    seconds = time.perf_counter() - began
    print(
        f"Loaded {result.accounts} accounts and {result.users} users in {seconds:.2f}s, "
        f"parsing included ({result.users / seconds if seconds else 0:,.0f} users/s; "
        f"loading alone {result.seconds:.2f}s)."
    )


def _export(target: Any, file: str | None) -> None:
    text = json.dumps(target.export(), indent=2) + "\n"
    if not file:
        sys.stdout.write(text)
        return
    try:
        Path(file).write_text(text)
    except OSError as exc:
        raise CliError(INPUT, f"{file}: cannot be written ({exc.strerror})") from None


def _progress(*columns: Any) -> Any:
    """A transient progress bar on stderr, shown only when stderr is a terminal."""
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    return Progress(*columns, console=console, transient=True, disable=not console.is_terminal)
