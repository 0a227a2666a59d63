"""ASGI adapter: bytes in, :class:`HttpRequest` to the emulator, :class:`HttpResponse` out.

It holds no logic. With SQLite the emulator runs on the event loop thread: a request is tens of
microseconds of CPU and SQLite work, which is cheaper than handing it to a thread pool; only a
write that finds the file locked by another process (:class:`StoreBusy`), or a request that must
wait on the network first (:class:`WouldBlock`: bot endpoint verification), is run again on a
worker thread, where it may wait (bounded) without stalling other clients. With a
store that blocks on the network (PostgreSQL) every request runs on a bounded pool of worker
threads, one per pooled connection, and only the health check stays on the loop, so it answers
while the database is away.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from chime_local.admin.api import ADMIN_PREFIX
from chime_local.emulator import Emulator, WouldBlock
from chime_local.protocol.http import HttpRequest, HttpResponse
from chime_local.store import StoreBusy

HEALTH_PATH = ADMIN_PREFIX + "health"
HEALTH_PING_SECONDS = 1.0

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class AsgiApp:
    def __init__(self, emulator: Emulator, on_startup: Callable[[], None] | None = None) -> None:
        self.emulator = emulator
        self._on_startup = on_startup
        store = emulator.store
        self._offload = store.blocks
        self._threads = ThreadPoolExecutor(
            max_workers=store.concurrency, thread_name_prefix="chime-local"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await self._lifespan(receive, send)
            return
        headers = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]
        }
        body = b""
        if "transfer-encoding" in headers or headers.get("content-length", "0") != "0":
            while True:
                message = await receive()
                body += message.get("body", b"")
                if not message.get("more_body"):
                    break
        raw_path: bytes | None = scope.get("raw_path")
        request = HttpRequest(
            scope["method"],
            raw_path.decode("latin-1").partition("?")[0] if raw_path else scope["path"],
            scope["query_string"].decode("latin-1"),
            headers,
            body,
        )
        response = await self._answer(request)
        raw_headers = [(name.encode(), value.encode()) for name, value in response.headers.items()]
        raw_headers.append((b"content-length", b"%d" % len(response.body)))
        await send(
            {"type": "http.response.start", "status": response.status, "headers": raw_headers}
        )
        await send({"type": "http.response.body", "body": response.body})

    async def _answer(self, request: HttpRequest) -> HttpResponse:
        handle = self.emulator.handle
        loop = asyncio.get_running_loop()
        if self._offload:
            if request.path != HEALTH_PATH:
                return await loop.run_in_executor(self._threads, handle, request)
            with contextlib.suppress(TimeoutError):  # refresh the store's state, bounded
                ping = loop.run_in_executor(self._threads, self.emulator.store.ping)
                await asyncio.wait_for(ping, HEALTH_PING_SECONDS)
        try:
            return handle(request, False)
        except (StoreBusy, WouldBlock):  # wait for a lock or the network on a thread, not here
            return await loop.run_in_executor(self._threads, handle, request)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self._threads.shutdown(wait=False, cancel_futures=True)
                await send({"type": "lifespan.shutdown.complete"})
                return
