"""Request log lines: appended per request, written once per event-loop pass, never lost."""

from __future__ import annotations

import asyncio
import io
import re

from chime_local.access_log import AccessLog
from chime_local.config import Config
from chime_local.emulator import Emulator
from chime_local.protocol.http import HttpRequest

LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO chime_local\.requests "
    r"GET /accounts ListAccounts 200 1\.50ms rid-(\d)$"
)


class CountingStream(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


def test_without_an_event_loop_each_line_is_written_at_once() -> None:
    stream = CountingStream()
    log = AccessLog(stream)
    log.add("GET", "/accounts", "ListAccounts", 200, 1.5, "rid-1")
    assert LINE.match(stream.getvalue().rstrip("\n"))
    assert stream.writes == 1


def test_lines_of_one_event_loop_pass_are_written_together_after_it() -> None:
    stream = CountingStream()
    log = AccessLog(stream)

    async def one_pass() -> str:
        for n in range(3):
            log.add("GET", "/accounts", "ListAccounts", 200, 1.5, f"rid-{n}")
        held = stream.getvalue()
        await asyncio.sleep(0)  # the loop runs the scheduled flush
        await asyncio.sleep(0)
        return held

    assert asyncio.run(one_pass()) == ""
    lines = stream.getvalue().splitlines()
    assert [LINE.match(line).group(1) for line in lines] == ["0", "1", "2"]  # type: ignore[union-attr]
    assert stream.writes == 1


def test_closing_the_emulator_writes_the_lines_still_pending() -> None:
    """The lines of the last pass before a shutdown: the loop may never run their flush."""
    emulator = Emulator(Config(log_requests=True))
    stream = io.StringIO()
    emulator.access_log = AccessLog(stream)
    request = HttpRequest("GET", "/accounts", "", {}, b"")  # unsigned: answered 401

    async def answer_then_close() -> str:
        emulator.handle(request)
        held = stream.getvalue()
        emulator.close()  # before the loop runs the flush it scheduled
        return held

    assert asyncio.run(answer_then_close()) == ""
    assert len(re.findall(r"GET /accounts - 401 ", stream.getvalue())) == 1


def test_quiet_configuration_has_no_access_log() -> None:
    emulator = Emulator(Config(log_requests=False))
    try:
        assert emulator.access_log is None
    finally:
        emulator.close()
