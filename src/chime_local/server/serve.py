"""Run the emulator over HTTP with uvicorn (uvloop + httptools), and stop it cleanly.

Responses go out through :mod:`chime_local.server.batching` (uvicorn's httptools protocol,
written once per pass of the event loop while several requests are in flight).

The listening socket is bound before uvicorn starts, so ``--port 0`` works: the ready line
``chime-local listening on http://HOST:PORT`` names the port actually bound. uvicorn handles
SIGINT and SIGTERM by finishing in-flight requests and returning; the store is closed after.
With ``workers`` > 1, uvicorn's supervisor runs that many spawned servers over the same socket
and database file (:mod:`chime_local.server.workers`).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
import os
import signal
import socket
import sys
from typing import Any

import uvicorn

from chime_local.admin.origin import served_hosts
from chime_local.config import Config
from chime_local.emulator import Emulator
from chime_local.server.asgi import AsgiApp
from chime_local.server.limits import LimitedHttpToolsProtocol, set_connection_limits
from chime_local.server.workers import Supervisor, WorkerApp
from chime_local.store import open_store


class WorkersFailed(Exception):
    """``--workers N`` could not start its workers (the supervisor gave up)."""


class _Server(uvicorn.Server):
    """uvicorn's server, announcing readiness once it accepts connections."""

    ready_line = ""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if not self.should_exit and self.ready_line:
            print(self.ready_line, flush=True)


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (or a name that resolves only to loopback)."""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos)


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _allow_open_files(wanted: int) -> None:
    """Raise the soft limit of open files so ``max_connections`` sockets fit (up to the hard
    limit): the connection limit, not the descriptor table, is what refuses clients."""
    if sys.platform == "win32":
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        ceiling = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (ceiling, hard))


def configure_logging() -> None:
    """Log lines to stderr; whether requests are logged is ``Config.log_requests``."""
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    # While PostgreSQL is away, each request's answer logs "store unavailable"; the pools' own
    # warning per reconnection attempt would repeat that several times a second.
    logging.getLogger("psycopg.pool").setLevel(logging.ERROR)


def serve(
    config: Config,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
) -> None:
    """Serve until SIGINT/SIGTERM, in one process or in ``workers`` forked ones."""
    configure_logging()
    _allow_open_files(config.max_connections + 256)
    sock = bind(host, port)
    bound_port = sock.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    ready_line = f"chime-local listening on http://{shown_host}:{bound_port}"
    if is_loopback(host):  # the admin API answers only requests addressed to this server
        config = dataclasses.replace(config, admin_hosts=served_hosts(host, bound_port))
    try:
        if workers == 1:
            _serve_one(config, sock, ready_line)
        else:
            _serve_workers(config, sock, ready_line, workers)
    finally:
        sock.close()


def _uvicorn_config(app: Any, config: Config, workers: int = 1) -> Any:
    uv_config = uvicorn.Config(
        app,
        loop="uvloop" if sys.platform != "win32" else "asyncio",
        http=LimitedHttpToolsProtocol,  # uvicorn's httptools protocol, batched and limited
        timeout_keep_alive=config.idle_timeout,
        lifespan="on",
        access_log=False,
        log_level="warning",
        server_header=False,
        proxy_headers=False,  # no X-Forwarded-* handling: one middleware less per request
        workers=workers,
        timeout_worker_healthcheck=20,  # seconds a worker may take to answer the supervisor's ping
    )
    set_connection_limits(uv_config, config)
    return uv_config


def _serve_one(config: Config, sock: socket.socket, ready_line: str) -> None:
    emulator = Emulator(config)
    server = _Server(_uvicorn_config(AsgiApp(emulator), config))
    server.ready_line = ready_line
    # uvicorn re-raises the stop signal once it has shut down gracefully; with these handlers in
    # place that re-raise is a no-op, so a requested stop exits with status 0.
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, lambda signum, frame: None)
    try:
        server.run(sockets=[sock])
    finally:
        emulator.close()


def _serve_workers(config: Config, sock: socket.socket, ready_line: str, workers: int) -> None:
    """Pre-bound socket, spawned workers under uvicorn's supervisor (:mod:`.workers`); they share
    the database, and through it the clock, fault rules, rate limits and request log. The
    ``--fault`` rules are added once here, for all workers (and not again when the database
    has them from an earlier start). Raises :class:`WorkersFailed` when
    the workers could not start."""
    store = open_store(config.db_path, durable=config.durable)  # migrate once, before workers
    for rule in config.faults:
        store.state.ensure_fault(rule)
    store.close()
    config = dataclasses.replace(config, faults=())
    app = WorkerApp(config, parent_pid=os.getpid())
    supervisor = Supervisor(_uvicorn_config(app, config, workers), [sock], ready_line)
    supervisor.run()
    if supervisor.exit_status():
        raise WorkersFailed("the workers could not start; their log lines above say why")
