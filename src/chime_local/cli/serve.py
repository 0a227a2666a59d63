"""``chime-local serve``: the server's options, checked and turned into a :class:`Config`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from chime_local.cli.state import DEFAULT_DB
from chime_local.config import Config


def add_commands(commands: Any) -> None:
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
        "--db", default=DEFAULT_DB, help=f"SQLite file holding the state (default {DEFAULT_DB})"
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


def run(args: argparse.Namespace) -> int:
    from chime_local.server.serve import serve

    try:
        config = serve_config(args)
    except (ValueError, OSError) as exc:
        print(f"chime-local: {exc}", file=sys.stderr)
        return 2
    serve(config, host=args.host, port=args.port, workers=args.workers)
    return 0
