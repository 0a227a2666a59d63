"""Connection limits: how long a request may take to arrive, how large its head may be, and how
many connections are served at once.

uvicorn's httptools protocol has a keep-alive timeout (``timeout_keep_alive``, used for the idle
limit) but nothing for a client that connects and then sends slowly or not at all: its keep-alive
timer is armed only after a response and cancelled by any byte received. Nor does httptools
bound a request head. :class:`LimitedHttpToolsProtocol` adds both, around uvicorn's own parsing:

- a read timeout from the moment a request may start (connection made, or the previous response
  sent) until its last body byte: a slowloris client or a silent socket is closed after it;
- a head limit: a request line and headers larger than ``max_header_bytes`` are refused 431;
  a head still incomplete past the limit is answered by the protocol and the connection closed,
  one that completed in the same read is answered by the application;
- a connection limit: a request read on a connection beyond ``max_connections`` is answered 503
  ``ServiceUnavailableException`` and the connection closed, instead of uvicorn's plain-text 503.

Requests read but refused carry their error in the ASGI scope (:data:`REFUSED`); the application
answers it with the modeled body.

The body limit is the application's (:mod:`chime_local.server.asgi`): it knows the content
length and the route.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, cast

from chime_local.config import Config
from chime_local.errors import ChimeError, HeadTooLarge, ServiceUnavailableException
from chime_local.protocol.serializer import error_response
from chime_local.server.batching import BatchingHttpToolsProtocol

REFUSED = "chime_local.refused"  # scope key: the ChimeError to answer instead of serving


def refusal(error: ChimeError) -> bytes:
    """A whole HTTP/1.1 response with the modeled error, closing the connection."""
    response = error_response(error, str(uuid.uuid4()))
    headers = {**response.headers, "content-length": str(len(response.body)), "connection": "close"}
    reason = HTTPStatus(response.status).phrase
    head = f"HTTP/1.1 {response.status} {reason}\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers.items()
    )
    return head.encode("latin-1") + b"\r\n" + response.body


@dataclass(frozen=True)
class ConnectionLimits:
    max_header_bytes: int
    read_timeout: float
    max_connections: int

    @classmethod
    def of(cls, config: Config) -> ConnectionLimits:
        return cls(config.max_header_bytes, config.request_read_timeout, config.max_connections)


class LimitedHttpToolsProtocol(BatchingHttpToolsProtocol):
    """The batching httptools protocol with a read timeout, a head limit and a connection limit.

    uvicorn instantiates it per connection; its limits come with uvicorn's config
    (:func:`set_connection_limits`).
    """

    def __init__(self, config: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.limits: ConnectionLimits = config.chime_local_limits
        self._read_timer: asyncio.TimerHandle | None = None
        self._head_bytes = 0  # received while a head is incomplete (heads that never complete)
        self._in_head = True

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_read_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_read_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._head_bytes += len(data)
        super().data_received(data)
        if self._in_head and self._head_bytes > self.limits.max_header_bytes:
            self._disarm_read_timer()
            if not self.transport.is_closing():
                self.transport.write(refusal(self._head_too_large()))
                self.transport.close()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        if self._read_timer is None:  # a new request on a kept-alive connection
            self._arm_read_timer()

    def on_headers_complete(self) -> None:
        head_size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if head_size > self.limits.max_header_bytes:
            cast(dict[str, Any], self.scope)[REFUSED] = self._head_too_large()
        self._in_head = False
        self._head_bytes = 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm_read_timer()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # arms uvicorn's keep-alive (idle) timer
        self._in_head = True
        self._head_bytes = 0

    def _start_asgi_task(self, cycle: Any, app: Any) -> None:
        if len(self.connections) > self.limits.max_connections:
            overloaded = ServiceUnavailableException("Too many connections; try again shortly")
            cycle.scope.setdefault(REFUSED, overloaded)
        super()._start_asgi_task(cycle, app)

    def _head_too_large(self) -> HeadTooLarge:
        return HeadTooLarge(f"The request head is larger than {self.limits.max_header_bytes} bytes")

    def _arm_read_timer(self) -> None:
        self._disarm_read_timer()
        self._read_timer = self.loop.call_later(self.limits.read_timeout, self._read_timed_out)

    def _disarm_read_timer(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _read_timed_out(self) -> None:
        self._read_timer = None
        if not self.transport.is_closing():
            self.transport.close()


def set_connection_limits(uv_config: Any, config: Config) -> None:
    """Give the protocol its limits: uvicorn hands each connection its ``Config``, and the
    attribute survives the pickling of that config into spawned workers."""
    uv_config.chime_local_limits = ConnectionLimits.of(config)
