"""The emulator over shared server state: two emulators on one file behave as two workers.

Also the bounds of the issue-15 findings: rate buckets of many keys expire, request-log entries
of huge requests stay small.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chime_local import Emulator, request_log
from chime_local.admin.app import AdminApp
from chime_local.config import Config
from chime_local.errors import ThrottledClientException
from chime_local.guards import RateLimiter
from chime_local.protocol.http import HttpRequest
from chime_local.request_log import BATCH, FLUSH_SECONDS, MAX_ITEMS, MAX_STRING
from chime_local.store import open_store
from chime_local.store.state import FaultRule
from tests.api.raw import FAKE_AUTH


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[tuple[Emulator, Emulator]]:
    config = Config(db_path=str(tmp_path / "shared.db"), log_requests=False)
    first, second = Emulator(config), Emulator(config)
    yield first, second
    first.close()
    second.close()


def list_accounts(emulator: Emulator) -> Any:
    request = HttpRequest("GET", "/accounts", "", {"authorization": FAKE_AUTH}, b"")
    return emulator.handle(request)


def admin_get(emulator: Emulator, path: str) -> Any:
    admin = AdminApp(emulator)  # the admin application, as the server mounts it beside Chime's
    response = admin.handle(HttpRequest("GET", f"/_chime_local/{path}", "", {}, b""))
    return json.loads(response.body)


def test_the_next_request_of_another_emulator_sees_a_clock_change(
    workers: tuple[Emulator, Emulator],
) -> None:
    first, second = workers
    admin_get(second, "clock")  # the cached setting is now the wall clock
    first.clock.set(datetime(2031, 5, 6, tzinfo=UTC))
    assert admin_get(second, "clock")["Now"] == "2031-05-06T00:00:00.000Z"
    first.clock.advance(1.5)
    assert admin_get(second, "clock")["Now"] == "2031-05-06T00:00:01.500Z"
    assert second.context().moment == datetime(2031, 5, 6, 0, 0, 1, 500000, tzinfo=UTC)
    list_accounts(second)
    assert first.recent_calls(1)[0]["Time"] == "2031-05-06T00:00:01.500Z"  # the server's clock


def test_the_next_request_of_another_emulator_sees_a_fault_rule_and_its_count(
    workers: tuple[Emulator, Emulator],
) -> None:
    first, second = workers
    assert list_accounts(second).status == 200  # caches "no rules"
    first.faults.add(FaultRule("ListAccounts", "ServiceUnavailableException", count=2))
    assert [list_accounts(emulator).status for emulator in (second, first, second)] == [
        503,
        503,
        200,
    ]
    assert first.faults.rules() == []


def test_probability_rules_draw_the_same_sequence_whichever_emulator_answers(
    workers: tuple[Emulator, Emulator],
) -> None:
    first, second = workers

    def run(emulators: tuple[Emulator, ...]) -> list[int]:
        first.reset()
        first.faults.add(FaultRule("*", "ServiceFailureException", probability=0.5, seed=11))
        return [list_accounts(emulators[n % len(emulators)]).status for n in range(30)]

    alone = run((first,))
    assert run((first, second)) == alone
    assert 5 < alone.count(500) < 25


def test_a_reset_through_one_emulator_empties_the_others_view(
    workers: tuple[Emulator, Emulator],
) -> None:
    first, second = workers
    list_accounts(second)
    first.clock.advance(3600)
    first.faults.add(FaultRule("GetUser", "NotFoundException", count=1))
    assert second.recent_calls(10)[0]["Operation"] == "ListAccounts"
    second.reset()
    assert admin_get(first, "clock")["WallClock"] is True
    assert first.faults.rules() == [] and first.recent_calls(10) == []


def test_rate_buckets_of_many_keys_expire_so_state_stays_bounded() -> None:
    store = open_store(None)
    now = [1000.0]
    limiter = RateLimiter(store.state, 5, clock=lambda: now[0])
    for key in range(20_000):
        now[0] += 0.001  # 1,000 new keys a second, 20 seconds
        limiter.check(f"key-{key}")
    assert store.state.rate_bucket_count() <= 2_100  # the keys of about the last two seconds
    for _ in range(5):
        limiter.check("busy")
    with pytest.raises(ThrottledClientException):
        limiter.check("busy")  # expiry never forgets a bucket that is not full yet


def test_request_log_entries_of_huge_requests_stay_small() -> None:
    emulator = Emulator(Config(log_requests=False))
    items = [{"MemberId": f"m{n}", "Role": "Member", "Note": "x" * 1000} for n in range(5_000)]
    path = "/accounts/acc/rooms/room/memberships"
    huge = json.dumps({"MembershipItemList": items}).encode()
    small = json.dumps({"MembershipItemList": items[:2]}).encode()
    for body in (huge, small):
        request = HttpRequest(
            "POST", path, "operation=batch-create", {"authorization": FAKE_AUTH}, body
        )
        assert emulator.handle(request).status >= 400  # too many items, or no such account
    latest, entry = emulator.recent_calls(2)
    emulator.close()
    assert latest["Parameters"]["MembershipItemList"][0]["Note"] == "x" * 1000  # logged whole
    assert len(json.dumps(entry)) < 20_000 < len(huge) // 100
    logged = entry["Parameters"]["MembershipItemList"]
    assert len(logged) == MAX_ITEMS + 1
    assert logged[-1] == f"...({5_000 - MAX_ITEMS} more items)"
    assert logged[0]["Note"] == "x" * MAX_STRING + f"...({1000 - MAX_STRING} more characters)"


def test_a_failing_state_store_never_fails_a_request(
    workers: tuple[Emulator, Emulator], monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    first, _ = workers

    def locked(*args: Any, **kwargs: Any) -> Any:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(first.state, "version", locked)
    monkeypatch.setattr(first.state, "append_calls", locked)
    statuses = {list_accounts(first).status for _ in range(BATCH + 1)}  # one batch on the path
    assert statuses == {200}
    assert "reading the server state failed" in caplog.text
    assert "writing the request log failed" in caplog.text


def test_a_private_log_is_written_when_read_or_full_by_no_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In memory nobody else reads the log: no writer thread (it would contend with every
    request for the connection), the calls written when read, or when a batch is full."""
    emulator = Emulator(Config(log_requests=False))
    writes: list[int] = []
    append = emulator.state.append_calls
    monkeypatch.setattr(
        emulator.state,
        "append_calls",
        lambda calls, keep: writes.append(len(calls)) or append(calls, keep),
    )
    for _ in range(BATCH + 2):
        assert list_accounts(emulator).status == 200
    assert writes == [BATCH] and emulator.calls._writer is None
    assert len(emulator.recent_calls(BATCH + 10)) == BATCH + 2 and writes == [BATCH, 2]
    emulator.close()


def test_a_shared_log_can_be_written_through_a_schedule_instead_of_a_thread(
    workers: tuple[Emulator, Emulator], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server hands the log its event loop (PostgreSQL): each later batch is written by a
    call it schedules there, and no writer thread is started."""
    first, second = workers
    scheduled: list[tuple[float, Any]] = []
    first.calls.write_from(lambda delay, write: scheduled.append((delay, write)))
    monkeypatch.setattr(request_log, "IDLE_GAP", 3600)  # as under load: none written at once
    assert list_accounts(first).status == 200  # the first call of a process is, though
    assert scheduled == [] and len(second.state.recent_calls(10)) == 1
    for _ in range(3):
        assert list_accounts(first).status == 200
    assert [delay for delay, _ in scheduled] == [FLUSH_SECONDS]  # one per batch
    assert first.calls._writer is None
    assert len(second.state.recent_calls(10)) == 1  # not written yet
    scheduled[0][1]()
    assert len(second.state.recent_calls(10)) == 4
    first.calls.write_from(None)
    assert list_accounts(first).status == 200
    assert first.calls._writer is not None  # back to the thread


def test_a_write_made_on_a_stale_clock_is_rolled_back_and_made_again_on_the_fresh_one(
    workers: tuple[Emulator, Emulator],
) -> None:
    """The request's transaction finds that another process moved the clock: what it wrote is
    rolled back and the request runs again on the fresh setting, so it is written once, at the
    right time."""
    first, second = workers
    assert list_accounts(second).status == 200  # caches the wall clock
    first.clock.set(datetime(2031, 5, 6, tzinfo=UTC))
    body = json.dumps({"Name": "Late"}).encode()
    request = HttpRequest("POST", "/accounts", "", {"authorization": FAKE_AUTH}, body)
    response = second.handle(request)
    assert response.status == 201
    assert json.loads(response.body)["Account"]["CreatedTimestamp"] == "2031-05-06T00:00:00.000Z"
    accounts = json.loads(list_accounts(first).body)["Accounts"]
    assert [account["Name"] for account in accounts] == ["Late"]


def test_a_state_that_keeps_moving_still_gets_an_answer_after_three_attempts(
    workers: tuple[Emulator, Emulator], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = workers
    versions = iter(range(100, 200))
    monkeypatch.setattr(second.state, "version", lambda: next(versions))
    body = json.dumps({"Name": "Busy"}).encode()
    request = HttpRequest("POST", "/accounts", "", {"authorization": FAKE_AUTH}, body)
    assert second.handle(request).status == 201
    assert next(versions) == 103  # one version read per attempt: three attempts
    accounts = json.loads(list_accounts(first).body)["Accounts"]
    assert [account["Name"] for account in accounts] == ["Busy"]  # the first two rolled back
