"""Synchronous request code run on the event loop, awaiting where it would wait on the network.

The service layer and the store's verbs are synchronous: a SQLite call is microseconds of CPU.
A PostgreSQL call is a network round trip, and running each request on a worker thread to wait
for them costs more than the request: every round trip ends with the thread taking the
interpreter lock back from the event loop and the other threads, and that hand-off, not the
work, bounded one instance to about 1,300 GetUser a second. Here a request runs in a greenlet of
its own on the event loop's thread instead (:func:`run_bridged`): when the PostgreSQL engine
needs the network it passes psycopg's coroutine to the loop (:func:`wait_for`), and the
greenlet resumes with the result while other requests ran meanwhile. SQLAlchemy's asyncio
extension bridges its synchronous core to asyncio drivers the same way.

A bridged request also carries its own store connection slot (:attr:`BridgedRequest.slot`):
several requests are open at once on one thread, so a thread-local cannot hold it.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from greenlet import getcurrent, greenlet

T = TypeVar("T")


class Slot:
    """What one request keeps of the store while its transaction is open: the connection and
    nesting depth, and what the engine holds back or learned (see the fields)."""

    __slots__ = (
        "conn",
        "deferred",
        "defers",
        "depth",
        "ended",
        "failure",
        "link",
        "opening",
        "single_read",
        "version",
    )

    def __init__(self) -> None:
        self.conn: Any = None  # the open transaction's connection
        self.link: Any = None  # the pool it came from (the engine's)
        self.depth = 0
        self.opening: Any = None  # what starts the transaction, sent with its first statement
        self.version: int | None = None  # the server state's version, read by the opening
        self.single_read = False  # the transaction may end with its first statement
        self.ended = False  # and it did
        self.defers = False  # writes whose results nobody reads may wait for the next query
        self.deferred: list[tuple[str, Any]] = []  # those waiting: (statement, values)
        self.failure: BaseException | None = None  # a statement of the transaction failed


class BridgedRequest(greenlet):
    """The greenlet one request runs in; its parent is the event loop's task awaiting it."""

    def __init__(self, run: Callable[..., Any], parent: greenlet) -> None:
        super().__init__(run, parent)
        self.slot = Slot()


async def run_bridged(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in a greenlet of its own; every awaitable it passes to
    :func:`wait_for` is awaited here, on the loop, and its result (or error) handed back."""
    request = BridgedRequest(function, getcurrent())
    pending = request.switch(*args)
    while not request.dead:
        try:
            value = await pending
        except GeneratorExit:  # the coroutine is being closed (loop teardown): no more awaits
            raise
        except BaseException:  # the request's code sees the error where it waited
            pending = request.throw(*sys.exc_info())
        else:
            pending = request.switch(value)
    return cast(T, pending)


def current_request() -> BridgedRequest | None:
    """The bridged request running now, or None on a plain thread."""
    current = getcurrent()
    return current if isinstance(current, BridgedRequest) else None


def wait_for(awaitable: Awaitable[T]) -> T:
    """Await ``awaitable`` on the event loop from a bridged request's synchronous code."""
    request = current_request()
    if request is None or request.parent is None:
        raise RuntimeError("wait_for needs a request started by run_bridged")
    return cast(T, request.parent.switch(awaitable))


def pause(seconds: float) -> None:
    """Sleep without holding up the event loop when called from a bridged request."""
    if current_request() is None:
        time.sleep(seconds)
    else:
        wait_for(asyncio.sleep(seconds))
