"""Responses written once per pass of the event loop while several requests are in flight.

uvicorn writes a response to its socket as soon as the application sends it. When several
requests are being served, that means one socket write per response, spread over the whole pass
of the event loop, and each of those writes can find the client asleep and wake it: on loopback
the wake-up is done by the server's own system call, and it cost as much as a third of a
chime-local request under load. Here, while other requests are in flight, a response's bytes are
kept and written by a callback the event loop runs after the current pass, so the responses of a
pass leave back to back at its end: the client wakes once per batch, and no response waits longer
than it would have waited for the server to read the client's next request anyway. A request
that is the only one in flight is written at once, so a lone client sees no extra latency.

Everything else (parsing, keep-alive, pipelining, flow control, shutdown) is uvicorn's own:
:class:`BatchingHttpToolsProtocol` only wraps the transport uvicorn's protocol writes to.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class BatchingTransport:
    """The socket transport as uvicorn's protocol sees it, holding writes while others are busy.

    Writes keep their order: once bytes are held, later ones join them. ``close`` sends what is
    held first; everything not defined here is the wrapped transport's.
    """

    __slots__ = ("_held", "_loop", "_others_busy", "_transport")

    def __init__(
        self,
        transport: asyncio.Transport,
        loop: asyncio.AbstractEventLoop,
        others_busy: Callable[[], bool],
    ) -> None:
        self._transport = transport
        self._loop = loop
        self._others_busy = others_busy
        self._held: list[bytes] | None = None

    def write(self, data: bytes) -> None:
        if self._held is not None:
            self._held.append(data)
        elif self._others_busy():
            self._held = [data]
            self._loop.call_soon(self.flush)  # runs after every callback already due this pass
        else:
            self._transport.write(data)

    def flush(self) -> None:
        held, self._held = self._held, None
        if held and not self._transport.is_closing():
            self._transport.write(held[0] if len(held) == 1 else b"".join(held))

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._held = None
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class BatchingHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol over a :class:`BatchingTransport`; ``uvicorn.Config(http=)``."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        batching = BatchingTransport(transport, self.loop, self._others_busy)
        super().connection_made(cast(asyncio.Transport, batching))  # the same interface

    def _others_busy(self) -> bool:
        # uvicorn's set of running request tasks, shared by every connection of the server; a
        # task leaves it one pass after finishing, so responses done in this pass count too.
        return len(self.tasks) > 1
