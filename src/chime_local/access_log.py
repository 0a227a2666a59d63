"""The per-request log line (``serve``'s default), formatted and written in batches.

One line per request: method, path, operation, status, milliseconds and request id, in the
format of the process's other log lines (``TIME LEVEL LOGGER MESSAGE``, see
:func:`chime_local.server.serve.configure_logging`). Going through :mod:`logging` for each line
(a ``LogRecord``, a formatter, a locked handler and a flushed write) cost a third of a request
under load, so a request only appends a tuple here; the lines are formatted and written with one
``write`` per pass of the event loop (a callback scheduled when the first line of a batch
arrives). Without a running event loop (an emulator called directly) a line is written at once.
:meth:`AccessLog.flush` writes whatever is pending: the emulator calls it when it closes, so a
clean shutdown (SIGINT, SIGTERM, the end of a worker) loses no line.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

LOGGER_NAME = "chime_local.requests"
Entry = tuple[float, str, str, str, int, float, str]


class AccessLog:
    """Pending request lines and the stream they go to (``sys.stderr`` when the batch is
    written, unless a stream is given)."""

    __slots__ = ("_pending", "_second", "_second_text", "_stream")

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._pending: list[Entry] = []
        self._second = -1
        self._second_text = ""

    def add(
        self, method: str, path: str, operation: str, status: int, millis: float, rid: str
    ) -> None:
        pending = self._pending
        pending.append((time.time(), method, path, operation, status, millis, rid))
        if len(pending) == 1:
            # a running loop implies asyncio is imported; in-process use need not import it
            asyncio = sys.modules.get("asyncio")
            loop = asyncio._get_running_loop() if asyncio is not None else None
            if loop is not None:
                loop.call_soon(self.flush)
            else:  # no event loop: nothing to batch with
                self.flush()

    def flush(self) -> None:
        """Write every pending line, in one ``write``."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        text = "".join([self._line(*entry) for entry in pending])
        stream = self._stream or sys.stderr
        try:
            stream.write(text)
            stream.flush()
        except (OSError, ValueError):  # stderr closed or gone: the lines cannot be written
            pass

    def _line(
        self,
        when: float,
        method: str,
        path: str,
        operation: str,
        status: int,
        millis: float,
        rid: str,
    ) -> str:
        second = int(when)
        if second != self._second:  # logging's default time format, computed once a second
            self._second = second
            self._second_text = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        msecs = int((when - second) * 1000)
        return (
            f"{self._second_text},{msecs:03d} INFO {LOGGER_NAME} "
            f"{method} {path} {operation} {status} {millis:.2f}ms {rid}\n"
        )
