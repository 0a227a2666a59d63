"""Run the emulator over HTTP with uvicorn (uvloop + httptools), and stop it cleanly.

Responses go out through :mod:`chime_local.server.batching` (uvicorn's httptools protocol,
written once per pass of the event loop while several requests are in flight).

The listening socket is bound before uvicorn starts, so ``--port 0`` works: the ready line
``chime-local listening on http://HOST:PORT`` names the port actually bound. uvicorn handles
SIGINT and SIGTERM by finishing in-flight requests and returning; the store is closed after.
With ``workers`` > 1 the parent forks that many servers over the same socket and database file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import ipaddress
import logging
import os
import signal
import socket
import sys
from typing import Any

import uvicorn

from chime_local.config import Config
from chime_local.emulator import Emulator
from chime_local.server.asgi import AsgiApp
from chime_local.server.batching import BatchingHttpToolsProtocol
from chime_local.store import open_store


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


def configure_logging() -> None:
    """Log lines to stderr; whether requests are logged is ``Config.log_requests``."""
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )


def serve(
    config: Config,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
) -> None:
    """Serve until SIGINT/SIGTERM, in one process or in ``workers`` forked ones."""
    configure_logging()
    sock = bind(host, port)
    shown_host = f"[{host}]" if ":" in host else host
    ready_line = f"chime-local listening on http://{shown_host}:{sock.getsockname()[1]}"
    try:
        if workers == 1:
            _serve_one(config, sock, ready_line)
        else:
            _serve_forked(config, sock, ready_line, workers)
    finally:
        sock.close()


def _serve_one(config: Config, sock: socket.socket, ready_line: str | None) -> None:
    emulator = Emulator(config)
    uv_config: Any = uvicorn.Config(
        AsgiApp(emulator),
        loop="uvloop" if sys.platform != "win32" else "asyncio",
        http=BatchingHttpToolsProtocol,  # uvicorn's httptools protocol, responses in batches
        lifespan="on",
        access_log=False,
        log_level="warning",
        server_header=False,
        proxy_headers=False,  # no X-Forwarded-* handling: one middleware less per request
    )
    server = _Server(uv_config)
    server.ready_line = ready_line or ""
    # uvicorn re-raises the stop signal once it has shut down gracefully; with these handlers in
    # place that re-raise is a no-op, so a requested stop exits with status 0.
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, lambda signum, frame: None)
    try:
        server.run(sockets=[sock])
    finally:
        emulator.close()


def _serve_forked(config: Config, sock: socket.socket, ready_line: str, workers: int) -> None:
    """Pre-fork: the workers share the listening socket and the SQLite file (WAL, one writer at
    a time), and through it the clock, fault rules, rate limits and request log."""
    store = open_store(config.db_path, durable=config.durable)  # migrate once, before workers
    for rule in config.faults:  # the --fault rules, added once for all workers
        store.state.add_fault(rule)
    store.close()
    config = dataclasses.replace(config, faults=())
    children = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # the worker
            code = 0
            try:
                _serve_one(config, sock, None)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        children.append(pid)

    def stop(signum: int, frame: object) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(ready_line, flush=True)
    for child in children:
        os.waitpid(child, 0)
