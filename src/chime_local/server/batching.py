"""Responses written once per pass of the event loop while several requests are in flight.

uvicorn writes a response to its socket as soon as the application sends it. When several
requests are being served, that means one socket write per response, spread over the whole pass
of the event loop, and each of those writes can find the client asleep and wake it: on loopback
the wake-up is done by the server's own system call, and it cost as much as a third of a
chime-local request under load. Here, while other requests are in flight, a response's bytes are
kept and written, with every other response finished in the same pass, by one callback at the
end of the pass: the client wakes once per batch, and no response waits longer than it would
have waited for the server to read the client's next request anyway. A request that is the only
one in flight is written at once, so a lone client sees no extra latency.

Everything else (parsing, keep-alive, pipelining, flow control, shutdown) is uvicorn's own:
:class:`BatchingHttpToolsProtocol` only wraps the transport uvicorn's protocol writes to.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class ResponseBatch:
    """Connections with response bytes waiting, all sent by one callback per loop pass."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._waiting: list[BatchingTransport] = []

    def add(self, transport: BatchingTransport) -> None:
        if not self._waiting:
            self.loop.call_soon(self._send)
        self._waiting.append(transport)

    def _send(self) -> None:
        waiting, self._waiting = self._waiting, []
        for transport in waiting:
            transport.flush()


class BatchingTransport:
    """The socket transport as uvicorn's protocol sees it, holding writes while others are busy.

    Writes keep their order: once bytes are held, later ones join them. ``close`` sends what is
    held first; everything not defined here is the wrapped transport's.
    """

    __slots__ = ("_batch", "_held", "_others_busy", "_transport")

    def __init__(
        self, transport: asyncio.Transport, batch: ResponseBatch, others_busy: Callable[[], bool]
    ) -> None:
        self._transport = transport
        self._batch = batch
        self._others_busy = others_busy
        self._held: list[bytes] | None = None

    def write(self, data: bytes) -> None:
        if self._held is not None:
            self._held.append(data)
        elif self._others_busy():
            self._held = [data]
            self._batch.add(self)
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
    """uvicorn's httptools protocol over a :class:`BatchingTransport`.

    The connections of one server share one batch; :func:`protocol_class` makes the class a
    server is given, with a batch of its own.
    """

    batch: ResponseBatch | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        server = type(self)
        if server.batch is None or server.batch.loop is not self.loop:
            server.batch = ResponseBatch(self.loop)
        batching = BatchingTransport(transport, server.batch, self._others_busy)
        super().connection_made(cast(asyncio.Transport, batching))  # the same interface

    def _others_busy(self) -> bool:
        # uvicorn's set of running request tasks, shared by every connection of the server; a
        # task leaves it one pass after finishing, so responses done in this pass count too.
        return len(self.tasks) > 1


def protocol_class() -> type[BatchingHttpToolsProtocol]:
    """The HTTP protocol class for one server (``uvicorn.Config(http=...)``)."""
    return type("BatchingHttpToolsProtocol", (BatchingHttpToolsProtocol,), {"batch": None})
