"""Responses held while other requests are in flight and sent once per event-loop pass."""

from __future__ import annotations

import asyncio

from chime_local.server.batching import BatchingTransport


class FakeTransport:
    """Records what reaches the socket."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []
        self.closed = False
        self.aborted = False

    def write(self, data: bytes) -> None:
        assert not self.closed, "write after close"
        self.sent.append(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = self.closed = True

    def get_extra_info(self, name: str) -> str:
        return f"extra:{name}"


def wrap(loop: asyncio.AbstractEventLoop, busy: bool) -> tuple[BatchingTransport, FakeTransport]:
    fake = FakeTransport()
    return BatchingTransport(fake, loop, lambda: busy), fake  # type: ignore[arg-type]


async def one_pass() -> None:
    await asyncio.sleep(0)
    await asyncio.sleep(0)


def test_a_lone_request_is_written_at_once() -> None:
    async def scenario() -> list[bytes]:
        transport, fake = wrap(asyncio.get_running_loop(), busy=False)
        transport.write(b"head")
        transport.write(b"body")
        return list(fake.sent)

    assert asyncio.run(scenario()) == [b"head", b"body"]


def test_while_others_are_busy_a_response_leaves_in_one_write_after_the_pass() -> None:
    async def scenario() -> tuple[list[bytes], list[bytes]]:
        transport, fake = wrap(asyncio.get_running_loop(), busy=True)
        transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
        transport.write(b"{}")
        during = list(fake.sent)
        await one_pass()
        return during, fake.sent

    during, after = asyncio.run(scenario())
    assert during == []
    assert after == [b"HTTP/1.1 200 OK\r\n\r\n{}"]


def test_held_responses_leave_after_the_work_already_due_in_the_pass() -> None:
    async def scenario() -> list[str]:
        loop = asyncio.get_running_loop()
        events: list[str] = []

        class Recording(FakeTransport):
            def write(self, data: bytes) -> None:
                events.append(data.decode())

        transports = [BatchingTransport(Recording(), loop, lambda: True) for _ in range(3)]  # type: ignore[arg-type]

        def serve(index: int) -> None:
            events.append(f"request {index}")
            transports[index].write(b"response %d" % index)

        for index in range(3):  # three requests due in this pass
            loop.call_soon(serve, index)
        await one_pass()
        return events

    assert asyncio.run(scenario()) == [
        "request 0",
        "request 1",
        "request 2",
        "response 0",
        "response 1",
        "response 2",
    ]


def test_bytes_written_after_held_ones_keep_their_order_even_when_idle() -> None:
    async def scenario() -> list[bytes]:
        fake = FakeTransport()
        busy = [True]
        transport = BatchingTransport(
            fake,  # type: ignore[arg-type]
            asyncio.get_running_loop(),
            lambda: busy[0],
        )
        transport.write(b"first ")
        busy[0] = False
        transport.write(b"second")
        await one_pass()
        transport.write(b"third")
        return fake.sent

    assert asyncio.run(scenario()) == [b"first second", b"third"]


def test_close_sends_what_is_held_first_and_abort_drops_it() -> None:
    async def scenario() -> tuple[FakeTransport, FakeTransport]:
        loop = asyncio.get_running_loop()
        closing, closed = wrap(loop, busy=True)
        closing.write(b"last response")
        closing.close()
        aborting, aborted = wrap(loop, busy=True)
        aborting.write(b"never sent")
        aborting.abort()
        await one_pass()  # the pass's callback finds nothing left to send
        return closed, aborted

    closed, aborted = asyncio.run(scenario())
    assert closed.sent == [b"last response"] and closed.closed
    assert aborted.sent == [] and aborted.aborted


def test_everything_else_is_the_wrapped_transports() -> None:
    async def scenario() -> str:
        transport, _ = wrap(asyncio.get_running_loop(), busy=False)
        return str(transport.get_extra_info("peername"))

    assert asyncio.run(scenario()) == "extra:peername"
