"""Run the emulator over HTTP with uvicorn (uvloop + httptools), and stop it cleanly.

The listening socket is bound before uvicorn starts, so ``--port 0`` works: the ready line
``chime-local listening on http://HOST:PORT`` names the port actually bound. uvicorn handles
SIGINT and SIGTERM by finishing in-flight requests and returning; the store is closed after.
"""

from __future__ import annotations

import ipaddress
import logging
import signal
import socket
import sys
from typing import Any

import uvicorn

from chime_local.config import Config
from chime_local.emulator import Emulator
from chime_local.server.asgi import AsgiApp


class _Server(uvicorn.Server):
    """uvicorn's server, announcing readiness once it accepts connections."""

    ready_line = ""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if not self.should_exit:
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


def configure_logging(quiet: bool) -> None:
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    if quiet:
        logging.getLogger("chime_local.requests").setLevel(logging.WARNING)


def serve(config: Config, host: str = "127.0.0.1", port: int = 8000, quiet: bool = False) -> None:
    """Serve until SIGINT/SIGTERM."""
    configure_logging(quiet)
    sock = bind(host, port)
    bound_port = sock.getsockname()[1]
    emulator = Emulator(config)
    app = AsgiApp(emulator)
    uv_config: Any = uvicorn.Config(
        app,
        loop="uvloop" if sys.platform != "win32" else "asyncio",
        http="httptools",
        lifespan="on",
        access_log=False,
        log_level="warning",
        server_header=False,
    )
    server = _Server(uv_config)
    shown_host = f"[{host}]" if ":" in host else host
    server.ready_line = f"chime-local listening on http://{shown_host}:{bound_port}"
    # uvicorn re-raises the stop signal once it has shut down gracefully; with these handlers in
    # place that re-raise is a no-op, so a requested stop exits with status 0.
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, lambda signum, frame: None)
    try:
        server.run(sockets=[sock])
    finally:
        emulator.close()
        sock.close()
