"""The recent-calls log behind ``GET /_chime_local/requests``: what a test's code called.

The log is server state kept by the store, so it shows the calls of every worker and instance. When
the log is shared with other processes, a call that comes ``IDLE_GAP`` or more after this process's
previous call, while no other call is in flight in this process, is written at once, before its
response leaves: a client calling one at a time finds each of its calls in the log, whichever
process it asks. Under load, a commit per call would cost more than the call, so calls are kept in
this process and written in batches: at once when ``BATCH`` calls are waiting, else at most
``FLUSH_SECONDS`` after the first, and before this process reads the log. The later batches are
written by a background thread, or, when the server runs its requests on the event loop
(PostgreSQL), by a task there (:meth:`RequestLog.write_from`): a thread would take the interpreter
lock from the loop at every round trip of its own. A read waits for the other processes' batches
(``READ_WAIT``, with a margin for a busy machine's scheduling) when the store is shared.

Recording keeps references only; a batch is written as one compact row (the parameters as parsed),
and an entry is described when the log is read: sensitive members, as the model marks them, masked.
The parameters of a call whose body is over ``LARGE_BODY`` bytes are bounded when recorded (strings
cut to ``MAX_STRING`` characters, lists and maps to ``MAX_ITEMS`` items), so neither the log nor its
batch keeps a huge rejected request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, NamedTuple

from botocore.model import ListShape, Shape, StructureShape

from chime_local.clock import wire_time
from chime_local.jsonio import loads
from chime_local.protocol.api import Operation
from chime_local.store.base import StoreError
from chime_local.store.state import LoggedCall, ServerState

MASK = "***"
KEEP = 1000  # entries in the log; older ones are trimmed
IDLE_GAP = 0.001  # seconds after the previous call from which a call is written at once
FLUSH_SECONDS = 0.01
READ_WAIT = 0.05  # seconds a read of a shared log waits for the other processes' batches
BATCH = 256
MAX_STRING = 256
MAX_ITEMS = 50
LARGE_BODY = 4096  # bytes: the parameters of a call with a larger body are bounded

log = logging.getLogger("chime_local")


Schedule = Callable[[float, Callable[[], None]], None]  # (delay, write): call write later


class Call(NamedTuple):
    time: datetime
    access_key: str
    operation: Operation | None
    params: dict[str, Any]
    status: int
    error: str | None
    request_id: str  # as in the response's x-amzn-RequestId header and the log line
    response: bytes = b""  # the response body, kept for the console when it is small


class RequestLog:
    def __init__(
        self,
        state: ServerState,
        operations: dict[str, Operation],
        *,
        shared: bool,
        keep: int = KEEP,
    ) -> None:
        self._state = state
        self._operations = operations
        self._shared = shared  # other processes may write to the same log
        self._keep = keep
        self._pending: list[tuple[float, Call]] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._writer: threading.Thread | None = None
        self._schedule: Schedule | None = None
        self._last_call = 0.0

    def write_from(self, schedule: Schedule | None) -> None:
        """Have later batches written through ``schedule(FLUSH_SECONDS, write)`` instead of by
        a thread of the log's own (None: by the thread again)."""
        self._schedule = schedule

    def record(self, call: Call, *, alone: bool = True) -> None:
        """Keep ``call``; ``alone``: no other call is in flight in this process."""
        at = time.time()
        with self._lock:
            self._pending.append((at, call))
            waiting = len(self._pending)
        idle, self._last_call = alone and at - self._last_call >= IDLE_GAP, at
        if waiting >= BATCH or (idle and self._shared):
            self._flush_or_log()
        elif waiting == 1 and self._shared:  # a private log is written when read, or full
            schedule = self._schedule
            if schedule is not None:
                schedule(FLUSH_SECONDS, self._flush_or_log)
                return
            self._start_writer()
            self._wake.set()

    def flush(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, []
            self._wake.clear()
        if not batch:
            return
        try:
            self._state.append_calls([_row(at, call) for at, call in batch], self._keep)
        except StoreError as error:  # the database is away (it answers 503 meanwhile)
            log.warning("request log: %d calls not written: %s", len(batch), error)

    def recent(self, limit: int) -> list[dict[str, Any]]:
        self.flush()
        if self._shared:
            time.sleep(READ_WAIT)  # the other processes' batches of calls made by now
        return [self._describe(row) for row in self._state.recent_calls(limit)]

    def _describe(self, row: list[Any]) -> dict[str, Any]:
        moment, request_id, access_key, name, params, status, error, *rest = row
        operation = self._operations.get(name) if name else None
        response = rest[0] if rest else None
        return {
            "Time": wire_time(datetime.fromtimestamp(moment, UTC)),
            "RequestId": request_id,
            "AccessKeyId": access_key,
            "Operation": name,
            "Parameters": _mask(operation.input_shape, params) if operation else {},
            "Status": status,
            "ErrorCode": error,
            "Response": _response(operation, error, response),
        }

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
        self._flush_or_log()

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
            self._flush_or_log()

    def _flush_or_log(self) -> None:
        try:
            self.flush()
        except Exception:  # the request log must never fail a request or stop its writer
            log.exception("writing the request log failed; that batch of calls is not logged")


def _row(at: float, call: Call) -> LoggedCall:
    """A call as the log stores it: a compact list, in the order ``_describe`` reads."""
    name = call.operation.name if call.operation else None
    fields = [call.request_id, call.access_key, name, call.params, call.status, call.error]
    # the response body as text, decoded and masked only when read; a large one is not kept
    body = call.response.decode() if len(call.response) <= LARGE_BODY else None
    return LoggedCall(at, [call.time.timestamp(), *fields, body])  # formatted when read


def _response(operation: Operation | None, error: str | None, body: str | None) -> Any:
    """The response body as a document, sensitive members masked as in the request."""
    if not body:
        return None
    try:
        document = loads(body)
    except ValueError:
        return None
    if operation is None or error is not None or operation.output_shape is None:
        return document
    return _mask(operation.output_shape, document)


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


def loggable(params: dict[str, Any], body_size: int) -> dict[str, Any]:
    """``params`` as the log may keep them: bounded when the body was over ``LARGE_BODY``."""
    kept: dict[str, Any] = bounded(params) if body_size > LARGE_BODY else params
    return kept


def bounded(value: Any) -> Any:
    """``value`` with every string cut to ``MAX_STRING`` characters and every list or map to
    ``MAX_ITEMS`` items, the cut marked (``...(N more characters)``, ``...(N more items)``)."""
    if isinstance(value, str):
        if len(value) <= MAX_STRING:
            return value
        return f"{value[:MAX_STRING]}...({len(value) - MAX_STRING} more characters)"
    if isinstance(value, list):
        kept = [bounded(item) for item in value[:MAX_ITEMS]]
        if len(value) > MAX_ITEMS:
            kept.append(f"...({len(value) - MAX_ITEMS} more items)")
        return kept
    if isinstance(value, dict):
        items = list(value.items())
        cut = {bounded(key): bounded(item) for key, item in items[:MAX_ITEMS]}
        if len(items) > MAX_ITEMS:
            cut["..."] = f"({len(items) - MAX_ITEMS} more items)"
        return cut
    return value
