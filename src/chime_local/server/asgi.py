"""ASGI adapter: bytes in, :class:`HttpRequest` to the emulator, :class:`HttpResponse` out.

It holds no logic of the API. Two applications are mounted side by side: the admin application
(:class:`~chime_local.admin.app.AdminApp`: the admin API, the console and the invitation pages,
everything under ``/_chime_local/`` and ``GET /``) and the Chime API (the emulator). This module
is where they meet; neither imports the other.

With SQLite the emulator runs on the event loop thread: a request
is tens of microseconds of CPU and SQLite work, which is cheaper than handing it to a thread pool;
only a write that finds the file locked by another process (:class:`StoreBusy`), or a request
that must wait on the network first (:class:`WouldBlock`: bot endpoint verification), is run
again on a worker thread, where it may wait (bounded) without stalling other clients. With a
store that blocks on the network (PostgreSQL) a Chime request runs on the loop in a greenlet of
its own that awaits the database (:mod:`chime_local.store.bridge`), and admin requests run on a
bounded pool of worker threads; the health check stays on the loop, so it answers while the
database is away.

Limits are answered here, before the emulator sees the request, with modeled errors and
``connection: close``: a body larger than the configured limit (413 with a
``BadRequestException`` body; the admin API has a larger limit, for seed documents), read in
chunks and refused as soon as it is too large; and what the connection refused
(:mod:`chime_local.server.limits` puts the error in the scope): a head too large (431), a request
over the connection limit (503 ``ServiceUnavailableException``).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from chime_local.admin.api import ADMIN_PREFIX, HEALTH_PATH
from chime_local.admin.app import AdminApp
from chime_local.emulator import Emulator, WouldBlock
from chime_local.errors import ChimeError
from chime_local.protocol.http import HttpRequest, HttpResponse
from chime_local.protocol.serializer import error_response
from chime_local.server.limits import REFUSED, BodyTooLarge
from chime_local.store import StoreBusy

HEALTH_PING_SECONDS = 1.0

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class AsgiApp:
    def __init__(self, emulator: Emulator, on_startup: Callable[[], None] | None = None) -> None:
        self.emulator = emulator
        self._on_startup = on_startup
        self._max_body = emulator.config.max_body_bytes
        self._max_admin_body = emulator.config.max_admin_body_bytes
        self.admin = AdminApp(emulator)
        store = emulator.store
        self._offload = store.blocks
        # psycopg's asynchronous connections need a selector loop (not Windows' proactor one)
        self._bridged = store.blocks and sys.platform != "win32"
        if self._bridged:  # greenlet comes with the engine's extra ("postgres")
            from chime_local.store.bridge import run_bridged

            self._run_bridged = run_bridged
        # at most one bridged request per pooled connection; the others queue here, as they
        # would for a thread, instead of timing out in the pool
        self._bridged_slots = asyncio.Semaphore(store.concurrency)
        self._ping: asyncio.Future[bool] | None = None  # the health check's store ping
        self._loop: asyncio.AbstractEventLoop | None = None  # bridged: where the log is written
        self._log_writes: set[asyncio.Future[None]] = set()
        self._log_timers: set[asyncio.TimerHandle] = set()
        self._threads = ThreadPoolExecutor(
            max_workers=store.concurrency, thread_name_prefix="chime-local"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await self._lifespan(receive, send)
            return
        refused: ChimeError | None = scope.get(REFUSED)
        if refused is not None:
            await self._refuse(refused, send)
            return
        headers = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]
        }
        raw_path: bytes | None = scope.get("raw_path")
        path = raw_path.decode("latin-1").partition("?")[0] if raw_path else scope["path"]
        body = b""
        # the admin application's mount: its prefix, and GET / (a pointer to it)
        admin = path.startswith(ADMIN_PREFIX) or (path == "/" and scope["method"] == "GET")
        if "transfer-encoding" in headers or headers.get("content-length", "0") != "0":
            limit = self._max_admin_body if admin else self._max_body
            received = await _read_body(receive, headers, limit)
            if received is None:
                too_large = BodyTooLarge(f"The request body is larger than {limit} bytes")
                await self._refuse(too_large, send)
                return
            body = received
        request = HttpRequest(
            scope["method"], path, scope["query_string"].decode("latin-1"), headers, body
        )
        await _send(await self._answer(request, admin), send)

    async def _answer(self, request: HttpRequest, admin: bool) -> HttpResponse:
        handle = self.admin.handle if admin else self.emulator.handle
        loop = asyncio.get_running_loop()
        if self._offload:
            if not admin and self._bridged:
                async with self._bridged_slots:  # on the loop, awaiting the database
                    return await self._run_bridged(handle, request)
            if request.path != HEALTH_PATH:
                return await loop.run_in_executor(self._threads, handle, request)
            await self._ping_store(loop)
        try:
            return handle(request, False)
        except (StoreBusy, WouldBlock):  # wait for a lock or the network on a thread, not here
            return await loop.run_in_executor(self._threads, handle, request)

    def _schedule_log_write(self, delay: float, write: Callable[[], None]) -> None:
        """Write a batch of the request log ``delay`` seconds from now, on the loop, the way
        bridged requests reach the database (no thread contending for the interpreter)."""
        loop = self._loop
        assert loop is not None
        try:
            here = asyncio.get_running_loop() is loop
        except RuntimeError:
            here = False
        if here:
            self._arm_log_write(delay, write)
        else:  # recorded on a thread (not a bridged request)
            loop.call_soon_threadsafe(self._arm_log_write, delay, write)

    def _arm_log_write(self, delay: float, write: Callable[[], None]) -> None:
        timer: asyncio.TimerHandle | None = None

        def fire() -> None:
            self._log_timers.discard(timer)
            self._write_log(write)

        timer = asyncio.get_running_loop().call_later(delay, fire)
        self._log_timers.add(timer)

    def _write_log(self, write: Callable[[], None]) -> None:
        task = asyncio.ensure_future(self._run_bridged(write))
        self._log_writes.add(task)
        task.add_done_callback(self._log_writes.discard)

    async def _ping_store(self, loop: asyncio.AbstractEventLoop) -> None:
        """Refresh the store's state for the health check, waiting ``HEALTH_PING_SECONDS`` at
        most. The ping goes the way Chime requests reach the database; one that takes longer
        (a database gone silent) goes on by itself, and no second one starts meanwhile."""
        if self._ping is None or self._ping.done():
            store = self.emulator.store
            self._ping = asyncio.ensure_future(
                self._run_bridged(store.ping)
                if self._bridged
                else loop.run_in_executor(self._threads, store.ping)
            )
        await asyncio.wait({self._ping}, timeout=HEALTH_PING_SECONDS)

    async def _refuse(self, error: ChimeError, send: Send) -> None:
        """Answer with a modeled error and close the connection (its input is not read)."""
        response = error_response(error, self.emulator.new_request_id())
        response.headers["connection"] = "close"
        await _send(response, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.startup()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def startup(self) -> None:
        """On the serving loop, before the first request: a bridged server writes the request
        log from this loop."""
        if self._bridged:
            self._loop = asyncio.get_running_loop()
            self.emulator.calls.write_from(self._schedule_log_write)

    async def shutdown(self) -> None:
        """On the serving loop, after the last request: finish the log writes under way and
        release what the loop holds (what the log still keeps is written when the emulator
        closes)."""
        self._threads.shutdown(wait=False, cancel_futures=True)
        self.emulator.calls.write_from(None)
        for timer in self._log_timers:
            timer.cancel()
        if self._log_writes:
            await asyncio.wait(self._log_writes)
        await self.emulator.store.aclose()


async def _read_body(receive: Receive, headers: dict[str, str], limit: int) -> bytes | None:
    """The whole body, read in chunks; ``None`` as soon as it is known to exceed ``limit``."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def _send(response: HttpResponse, send: Send) -> None:
    raw_headers = [(name.encode(), value.encode()) for name, value in response.headers.items()]
    raw_headers.append((b"content-length", b"%d" % len(response.body)))
    await send({"type": "http.response.start", "status": response.status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": response.body})
