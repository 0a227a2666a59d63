"""The recent-calls log behind ``GET /_chime_local/requests``: what a test's code called.

The log is server state kept by the store, so it shows the calls of every worker and instance.
Writing a row per call would cost a commit on every request's path, so calls are kept in this
process and written in batches: by a background thread at most ``FLUSH_SECONDS`` after a call,
at once when ``BATCH`` calls are waiting, and before this process reads the log. A read waits
for the other processes' batches (``2 * FLUSH_SECONDS``) when the store is shared.

Recording keeps references only; an entry is described when its batch is written: sensitive
members, as the model marks them, masked, and its size bounded (strings cut to
``MAX_STRING`` characters, lists and maps to ``MAX_ITEMS`` items), so a log of huge rejected
requests stays small. The parameters of a call with a large body are described at once, so the
body is not kept while it waits.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from typing import Any, NamedTuple

from botocore.model import ListShape, Shape, StructureShape

from chime_local.clock import wire_time
from chime_local.protocol.api import Operation
from chime_local.store.state import CallEntry, LoggedCall, ServerState

MASK = "***"
KEEP = 1000  # entries in the log; older ones are trimmed
FLUSH_SECONDS = 0.01
BATCH = 64
MAX_STRING = 256
MAX_ITEMS = 50
LARGE_BODY = 64 * 1024  # bytes: a call with a larger body is described when recorded

log = logging.getLogger("chime_local")


class Call(NamedTuple):
    time: datetime
    access_key: str
    operation: Operation | None
    params: dict[str, Any]
    status: int
    error: str | None
    request_id: str


class RequestLog:
    def __init__(self, state: ServerState, *, shared: bool, keep: int = KEEP) -> None:
        self._state = state
        self._shared = shared  # other processes may write to the same log
        self._keep = keep
        self._pending: list[tuple[float, Call | CallEntry]] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._writer: threading.Thread | None = None

    def record(self, call: Call, body_size: int = 0) -> None:
        entry: Call | CallEntry = describe(call) if body_size > LARGE_BODY else call
        at = time.time()
        with self._lock:
            self._pending.append((at, entry))
            waiting = len(self._pending)
        if waiting >= BATCH:
            self.flush()
        elif waiting == 1:
            self._start_writer()
            self._wake.set()

    def flush(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, []
            self._wake.clear()
        if batch:
            calls = [
                LoggedCall(at, entry if isinstance(entry, dict) else describe(entry))
                for at, entry in batch
            ]
            self._state.append_calls(calls, self._keep)

    def recent(self, limit: int) -> list[CallEntry]:
        self.flush()
        if self._shared:
            time.sleep(2 * FLUSH_SECONDS)  # the other processes' batches of calls made by now
        return self._state.recent_calls(limit)

    def clear(self) -> None:
        with self._lock:
            self._pending = []
        self._state.clear_calls(time.time())

    def close(self) -> None:
        """Write what is waiting and stop the writer thread."""
        self._closed = True
        self._wake.set()
        if self._writer is not None:
            self._writer.join()
        self.flush()

    def _start_writer(self) -> None:
        if self._writer is None and not self._closed:
            self._writer = threading.Thread(
                target=self._write_batches, name="chime-local-request-log", daemon=True
            )
            self._writer.start()

    def _write_batches(self) -> None:
        while not self._closed:
            self._wake.wait()
            time.sleep(FLUSH_SECONDS)  # let a batch gather
            if self._closed:
                return
            try:
                self.flush()
            except Exception:  # the log must never take the server down
                log.exception("writing the request log failed")


def describe(call: Call) -> CallEntry:
    operation = call.operation
    shape = operation.input_shape if operation else None
    return {
        "Time": wire_time(call.time),
        "RequestId": call.request_id,
        "AccessKeyId": call.access_key,
        "Operation": operation.name if operation else None,
        "Parameters": _bounded(_mask(shape, call.params)) if shape else {},
        "Status": call.status,
        "ErrorCode": call.error,
    }


def _mask(shape: Shape, value: Any) -> Any:
    if shape.metadata.get("sensitive"):
        return MASK
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        return {
            k: _mask(shape.members[k], v) if k in shape.members else v for k, v in value.items()
        }
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [_mask(shape.member, item) for item in value]
    return value


def _bounded(value: Any) -> Any:
    """``value`` with every string cut to ``MAX_STRING`` characters and every list or map to
    ``MAX_ITEMS`` items, the cut marked (``...(N more characters)``, ``...(N more items)``)."""
    if isinstance(value, str):
        if len(value) <= MAX_STRING:
            return value
        return f"{value[:MAX_STRING]}...({len(value) - MAX_STRING} more characters)"
    if isinstance(value, list):
        kept = [_bounded(item) for item in value[:MAX_ITEMS]]
        if len(value) > MAX_ITEMS:
            kept.append(f"...({len(value) - MAX_ITEMS} more items)")
        return kept
    if isinstance(value, dict):
        items = list(value.items())
        bounded = {_bounded(key): _bounded(item) for key, item in items[:MAX_ITEMS]}
        if len(items) > MAX_ITEMS:
            bounded["..."] = f"({len(items) - MAX_ITEMS} more items)"
        return bounded
    return value
