"""``chime-local serve``: the server's options, checked and turned into a :class:`Config`.

Each option can also be set as ``CHIME_LOCAL_<OPTION>`` (:mod:`.environment`); range checks live
in the option types, so a bad flag and a bad variable fail the same way, each naming itself.
"""

from __future__ import annotations

import argparse
import errno
import socket
from collections.abc import Callable
from typing import Any

from chime_local.cli import environment
from chime_local.cli.database import check_database
from chime_local.cli.errors import INPUT, NETWORK, USAGE, WORKERS, CliError
from chime_local.cli.state import DEFAULT_DB
from chime_local.config import Config
from chime_local.store.state import FaultRule


def _number(kind: Callable[[str], float], low: float, high: float | None, what: str) -> Any:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{text} is not {what}")
        return value

    parse.__name__ = what  # argparse names the type in its messages
    return parse


port_number = _number(int, 0, 65535, "a port number from 0 to 65535")
positive_int = _number(int, 1, None, "a whole number of at least 1")
non_negative_int = _number(int, 0, None, "a whole number of at least 0")
positive_float = _number(float, 1e-9, None, "a positive number")


def fault_option(text: str) -> FaultRule:
    """A ``--fault`` value, checked as the admin API checks a rule (so a bad
    ``CHIME_LOCAL_FAULT`` is refused with the variable's name, like every other variable)."""
    from chime_local.guards import parse_fault_option
    from chime_local.protocol.api import load_api

    try:
        return parse_fault_option(text, load_api().operations)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--fault ")) from None


def add_commands(commands: Any) -> None:
    serve = commands.add_parser(
        "serve",
        help="run the Chime API server",
        description="Run the Chime API server until SIGINT or SIGTERM. Every option can also be "
        "set by the environment variable shown beside it; a flag wins over its variable.",
        allow_abbrev=False,
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument(
        "--port",
        type=port_number,
        default=8000,
        help="port to bind; 0 picks a free one (default 8000)",
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
        type=positive_int,
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
        type=positive_float,
        metavar="N",
        help="requests per second per access key (token bucket, burst N); off by default",
    )
    serve.add_argument(
        "--fault",
        action="append",
        type=fault_option,
        default=[],
        metavar="OP=ERROR[:P|:xN]",
        help="inject a fault: OP (or *) fails with ERROR, with probability P or the next N times "
        "(repeatable; the variable takes several, separated by spaces)",
    )
    serve.add_argument(
        "--phone-number-quota",
        type=non_negative_int,
        default=25,
        metavar="N",
        help="phone numbers a tenant's inventory may hold (default 25)",
    )
    serve.add_argument(
        "--phone-number-order-delay",
        type=_number(float, 0, 10**9, "a number of seconds from 0 to 10^9"),
        default=0.0,
        metavar="SECONDS",
        help="seconds a phone number order stays Processing on the server clock (default 0)",
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
    environment.document(serve)


def serve_config(args: argparse.Namespace) -> Config:
    """Build the server's configuration; :class:`CliError` names what is wrong."""
    from chime_local.auth.credentials import CredentialsError, load_credentials
    from chime_local.server.serve import is_loopback

    _check_host(args.host)
    if not is_loopback(args.host) and not args.admin_token:
        raise CliError(
            USAGE, f"binding to {args.host} exposes the admin API: give --admin-token to protect it"
        )
    if args.workers > 1 and args.in_memory:
        raise CliError(
            USAGE, "--workers needs a --db file to share; --in-memory state is per process"
        )
    if not args.in_memory:
        check_database(args.db, must_exist=False)
    try:
        credentials = load_credentials(args.credentials) if args.credentials else None
    except (CredentialsError, OSError) as exc:
        raise CliError(INPUT, f"--credentials: {exc}") from None
    return Config(
        db_path=None if args.in_memory else args.db,
        durable=args.durable,
        credentials=credentials,
        rate_limit=args.rate_limit,
        admin_token=args.admin_token,
        faults=tuple(args.fault),
        log_requests=not args.quiet,
        phone_number_quota=args.phone_number_quota,
        phone_number_order_delay=args.phone_number_order_delay,
        verify_bot_endpoints=args.verify_bot_endpoints,
    )


def _check_host(host: str) -> None:
    try:
        socket.getaddrinfo(host, None)
    except socket.gaierror:
        raise CliError(
            NETWORK,
            f"--host {host} does not resolve: give an IP address (127.0.0.1, or 0.0.0.0 for all "
            "interfaces) or a name this machine resolves",
        ) from None


_BIND_PROBLEMS = {
    errno.EADDRINUSE: "is already in use: stop what listens there or choose another --port",
    errno.EADDRNOTAVAIL: "is not an address of this machine: give one of its addresses",
    errno.EACCES: "needs privileges: choose a --port of 1024 or more",
}


def run(args: argparse.Namespace) -> int:
    from chime_local.server.serve import WorkersFailed, serve

    config = serve_config(args)
    try:
        serve(config, host=args.host, port=args.port, workers=args.workers)
    except WorkersFailed as exc:
        raise CliError(WORKERS, str(exc)) from None
    except OSError as exc:
        problem = _BIND_PROBLEMS.get(exc.errno or 0)
        if problem is None:
            raise
        raise CliError(NETWORK, f"{args.host}:{args.port} {problem}") from None
    return 0
