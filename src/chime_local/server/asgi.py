"""ASGI adapter: bytes in, :class:`HttpRequest` to the emulator, :class:`HttpResponse` out.

It holds no logic. The emulator runs on the event loop thread: a request is tens of microseconds
of CPU and SQLite work, which is cheaper than handing it to a thread pool.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from chime_local.emulator import Emulator
from chime_local.protocol.http import HttpRequest

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class AsgiApp:
    def __init__(self, emulator: Emulator, on_startup: Callable[[], None] | None = None) -> None:
        self.emulator = emulator
        self._on_startup = on_startup

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
        response = self.emulator.handle(request)
        raw_headers = [(name.encode(), value.encode()) for name, value in response.headers.items()]
        raw_headers.append((b"content-length", b"%d" % len(response.body)))
        await send(
            {"type": "http.response.start", "status": response.status, "headers": raw_headers}
        )
        await send({"type": "http.response.body", "body": response.body})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
