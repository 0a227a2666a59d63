"""``--workers N``: uvicorn's own multi-process supervisor over one pre-bound socket.

uvicorn's :class:`~uvicorn.supervisors.Multiprocess` starts the workers (spawned, each with its
own emulator over the shared SQLite file), pings them, replaces one that dies or hangs, and stops
them all on SIGINT/SIGTERM. Added here:

- :class:`WorkerApp`, the application a spawned worker unpickles: it opens its emulator at
  lifespan start-up (a failure there ends the worker with uvicorn's start-up failure status,
  which stops the supervisor) and ends its worker when the parent is gone, so a ``kill -9`` of
  the parent leaves no orphan serving on the port.
- :class:`Supervisor`, which prints the ready line once every worker serves and remembers why it
  stopped: :meth:`Supervisor.exit_status` is 0 after a requested stop, 3 (uvicorn's
  ``STARTUP_FAILURE``) when workers could not start.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from typing import Any

from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors.multiprocess import Multiprocess

from chime_local.config import Config
from chime_local.emulator import Emulator
from chime_local.server.asgi import AsgiApp, Receive, Scope, Send

log = logging.getLogger("chime_local")
PARENT_CHECK_SECONDS = 0.5
STARTUP_SECONDS = 120  # a spawned worker imports and loads everything anew: slow on a busy machine


class WorkerApp:
    """A picklable ASGI app: the emulator is opened in the worker, at lifespan start-up."""

    def __init__(self, config: Config, parent_pid: int) -> None:
        self.config = config
        self.parent_pid = parent_pid
        self._app: AsgiApp | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"config": self.config, "parent_pid": self.parent_pid, "_app": None}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._app is not None:
            await self._app(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        from chime_local.server.serve import configure_logging

        await receive()  # lifespan.startup
        configure_logging()
        try:
            emulator = Emulator(self.config)
        except Exception as exc:
            log.exception("worker %d could not start", os.getpid())
            await send({"type": "lifespan.startup.failed", "message": str(exc)})
            return
        self._app = app = AsgiApp(emulator)
        app.startup()
        _end_with_parent(self.parent_pid)
        await send({"type": "lifespan.startup.complete"})
        await receive()  # lifespan.shutdown
        await app.shutdown()
        emulator.close()
        await send({"type": "lifespan.shutdown.complete"})


def _end_with_parent(parent_pid: int) -> None:
    """Stop this worker gracefully (SIGTERM to itself) once its parent has died."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_SECONDS)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class Supervisor(Multiprocess):
    """uvicorn's supervisor, announcing readiness and keeping the reason it stopped."""

    def __init__(self, config: Any, sockets: list[Any], ready_line: str) -> None:
        super().__init__(config, sockets)
        self.ready_line = ready_line
        self.requested_stop = False

    def init_processes(self) -> None:
        super().init_processes()
        if all(p.wait_until_ready(STARTUP_SECONDS, self.should_exit) for p in self.processes):
            print(self.ready_line, flush=True)
        else:
            log.error("the workers did not start; stopping")
            self.should_exit.set()

    def handle_int(self) -> None:
        self.requested_stop = True
        super().handle_int()

    def handle_term(self) -> None:
        self.requested_stop = True
        super().handle_term()

    def exit_status(self) -> int:
        return 0 if self.requested_stop else STARTUP_FAILURE
