"""The ``chime-local`` command: a thin shell that parses options and calls one library function."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from chime_local.config import Config
from chime_local.version import __version__

DEFAULT_DB = "./chime-local.db"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chime-local",
        description="A self-hostable emulator of the Amazon Chime administration API.",
    )
    parser.add_argument("--version", action="version", version=f"chime-local {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    _serve_command(commands)
    _state_commands(commands)
    commands.add_parser(
        "operations",
        help="print the table of Chime operations and their status (Markdown)",
        description="Print the 62 operations of the model and whether each is implemented.",
    )
    return parser


def _serve_command(commands: Any) -> None:
    serve = commands.add_parser(
        "serve",
        help="run the Chime API server",
        description="Run the Chime API server until SIGINT or SIGTERM.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument(
        "--port", type=int, default=8000, help="port to bind; 0 picks a free one (default 8000)"
    )
    storage = serve.add_mutually_exclusive_group()
    storage.add_argument(
        "--db",
        default=DEFAULT_DB,
        help=f"SQLite file or postgresql://USER@HOST:PORT/DBNAME URL (default {DEFAULT_DB})",
    )
    storage.add_argument(
        "--in-memory", action="store_true", help="keep all state in memory; nothing is written"
    )
    serve.add_argument(
        "--durable",
        action="store_true",
        help="fsync every write (survives an OS crash, not only a process crash)",
    )
    serve.add_argument("--quiet", action="store_true", help="do not log one line per request")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="serve from N processes sharing the socket and the --db file (default 1)",
    )
    serve.add_argument(
        "--credentials",
        metavar="FILE",
        help="TOML credentials file: strict mode, every signature verified (see README)",
    )
    serve.add_argument(
        "--rate-limit",
        type=float,
        metavar="N",
        help="requests per second per access key (token bucket, burst N); off by default",
    )
    serve.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="OP=ERROR[:P|:xN]",
        help="inject a fault: OP (or *) fails with ERROR, with probability P or the next N times",
    )
    serve.add_argument(
        "--phone-number-quota",
        type=int,
        default=25,
        metavar="N",
        help="phone numbers a tenant's inventory may hold (default 25)",
    )
    serve.add_argument(
        "--verify-bot-endpoints",
        action="store_true",
        help="POST the HTTPS challenge to a bot's events endpoint before accepting it",
    )
    serve.add_argument(
        "--admin-token",
        metavar="TOKEN",
        help="require 'Authorization: Bearer TOKEN' on /_chime_local/ (needed off loopback)",
    )


def _target_options(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--db",
        default=DEFAULT_DB,
        help=f"act on this SQLite file or PostgreSQL URL directly (default {DEFAULT_DB})",
    )
    where.add_argument("--endpoint", metavar="URL", help="act on a running server instead")
    parser.add_argument("--admin-token", metavar="TOKEN", help="the server's admin token")


def _state_commands(commands: Any) -> None:
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


def serve_config(args: argparse.Namespace) -> Config:
    """Build the server's configuration; ``ValueError`` names what is wrong."""
    from chime_local.auth.credentials import load_credentials
    from chime_local.guards import parse_fault_option
    from chime_local.protocol.api import load_api
    from chime_local.server.serve import is_loopback

    if not is_loopback(args.host) and not args.admin_token:
        raise ValueError(
            f"binding to {args.host} exposes the admin API: give --admin-token to protect it"
        )
    if args.workers < 1:
        raise ValueError("--workers must be at least 1")
    if args.workers > 1 and args.in_memory:
        raise ValueError("--workers needs a --db file to share; --in-memory state is per process")
    if args.phone_number_quota < 0:
        raise ValueError("--phone-number-quota must not be negative")
    if args.rate_limit is not None and args.rate_limit <= 0:
        raise ValueError("--rate-limit must be a positive number")
    operations = load_api().operations
    return Config(
        db_path=None if args.in_memory else args.db,
        durable=args.durable,
        credentials=load_credentials(args.credentials) if args.credentials else None,
        rate_limit=args.rate_limit,
        admin_token=args.admin_token,
        faults=tuple(parse_fault_option(text, operations) for text in args.fault),
        log_requests=not args.quiet,
        phone_number_quota=args.phone_number_quota,
        verify_bot_endpoints=args.verify_bot_endpoints,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        from chime_local.server.serve import serve

        try:
            config = serve_config(args)
        except (ValueError, OSError) as exc:
            print(f"chime-local: {exc}", file=sys.stderr)
            return 2
        from chime_local.store import StoreError

        try:
            serve(config, host=args.host, port=args.port, workers=args.workers)
        except StoreError as exc:
            print(f"chime-local: {exc}", file=sys.stderr)
            return 2
    elif args.command in ("seed", "import", "export", "reset", "accept-invitation"):
        from chime_local.admin.targets import AdminRequestError
        from chime_local.errors import ChimeError
        from chime_local.seed import SeedError
        from chime_local.store import StoreError

        try:
            return run_state_command(args)
        except (SeedError, AdminRequestError, OSError, StoreError) as exc:
            print(f"chime-local {args.command}: {exc}", file=sys.stderr)
            return 1
        except ChimeError as exc:
            print(f"chime-local {args.command}: {exc.message}", file=sys.stderr)
            return 1
    elif args.command == "operations":
        from chime_local.catalog import operations_markdown

        print(operations_markdown(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
