"""The server-state verbs directly, on both engines: clock, fault rules, rate buckets, request log.

Races are run between separate connections to one database (what ``--workers N`` or several
instances do), so atomicity comes from the database, not from the store's in-process lock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chime_local.store import Store, open_store
from chime_local.store.state import ClockSetting, FaultRule, LoggedCall
from chime_local.store.state_sqlite import TRIM_EVERY


@pytest.fixture(params=["sqlite", "postgresql"])
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], str]:
    """Makes new databases of one engine: SQLite files, or PostgreSQL databases."""
    if request.param == "postgresql":
        cluster = request.getfixturevalue("postgres_cluster")
        return cluster.fresh_database  # type: ignore[no-any-return]
    names = iter(range(1000))
    return lambda: str(tmp_path / f"state-{next(names)}.db")


@pytest.fixture
def stores(new_database: Callable[[], str]) -> Iterator[list[Store]]:
    """Four connections to one database, as four worker processes would have."""
    target = new_database()
    opened = [open_store(target) for _ in range(4)]
    yield opened
    for store in opened:
        store.close()


def test_clock_changes_are_seen_by_every_connection_and_move_the_version(
    stores: list[Store],
) -> None:
    first, second = stores[0].state, stores[1].state
    assert first.clock() == ClockSetting() and first.clock().is_wall_clock
    before = second.version()
    moment = datetime(2030, 1, 2, 3, 4, 5, 6000, tzinfo=UTC)
    first.freeze_clock(moment)
    assert second.version() != before
    assert second.clock() == ClockSetting(moment)
    first.advance_clock(90.5)
    assert second.clock().fixed == moment + timedelta(seconds=90.5)
    second.reset_clock()
    first.advance_clock(-30)
    assert first.clock() == ClockSetting(None, -30.0)
    assert not first.clock().is_wall_clock


def test_concurrent_advances_all_count(stores: list[Store]) -> None:
    def advance(index: int) -> None:
        for _ in range(25):
            stores[index % 4].state.advance_clock(1)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(advance, range(8)))
    assert stores[0].state.clock().offset_seconds == 200


def test_fault_rules_are_listed_until_spent_and_cleared(stores: list[Store]) -> None:
    state = stores[0].state
    version = state.version()
    counted = state.add_fault(FaultRule("GetUser", "NotFoundException", count=2))
    random = state.add_fault(FaultRule("*", "ServiceFailureException", probability=0.5, seed=3))
    assert state.version() != version
    assert [fault.rule for fault in stores[1].state.faults()] == [counted.rule, random.rule]
    assert [stores[1].state.consume_fault(counted.rule_id) for _ in range(3)] == [
        True,
        True,
        False,
    ]
    assert [fault.rule_id for fault in state.faults()] == [random.rule_id]
    assert [state.next_fault_draw(random.rule_id) for _ in range(3)] == [1, 2, 3]
    state.note_fault_fired(random.rule_id)
    assert state.faults()[0].fired == 1
    version = state.version()
    stores[2].state.clear_faults()
    assert state.faults() == [] and state.version() != version
    assert state.next_fault_draw(random.rule_id) is None
    assert state.consume_fault(counted.rule_id) is False


def test_a_count_limited_rule_fires_exactly_count_times_under_racing_connections(
    stores: list[Store],
) -> None:
    rule = stores[0].state.add_fault(FaultRule("*", "ServiceFailureException", count=50))

    def attempts(index: int) -> int:
        state = stores[index % 4].state
        return sum(state.consume_fault(rule.rule_id) for _ in range(20))

    with ThreadPoolExecutor(8) as pool:
        fired = sum(pool.map(attempts, range(8)))
    assert fired == 50
    assert stores[3].state.faults() == []


def test_token_bucket_allows_a_burst_then_refills_with_time(stores: list[Store]) -> None:
    state = stores[0].state
    assert [state.take_rate_token("key", 3, 100.0) for _ in range(4)] == [True] * 3 + [False]
    assert state.take_rate_token("other-key", 3, 100.0)
    assert state.take_rate_token("key", 3, 100.34)  # a third of a second: one token back
    assert not state.take_rate_token("key", 3, 100.34)
    assert [state.take_rate_token("key", 3, 110.0) for _ in range(4)] == [True] * 3 + [False]
    assert state.take_rate_token("slow", 0.5, 100.0)  # below one per second: a burst of one
    assert not state.take_rate_token("slow", 0.5, 101.0)
    assert state.take_rate_token("slow", 0.5, 102.0)


def test_a_bucket_is_shared_by_racing_connections(stores: list[Store]) -> None:
    def takes(index: int) -> int:
        state = stores[index % 4].state
        return sum(state.take_rate_token("shared", 40, 500.0) for _ in range(25))

    with ThreadPoolExecutor(8) as pool:
        granted = sum(pool.map(takes, range(8)))
    assert granted == 40


def test_idle_buckets_expire_so_many_keys_stay_bounded(stores: list[Store]) -> None:
    state = stores[0].state
    for second in range(10):
        for key in range(500):
            state.take_rate_token(f"key-{second}-{key}", 5, 1000.0 + second)
        state.expire_rate_buckets(idle_since=1000.0 + second - 1)
        assert state.rate_bucket_count() <= 1000
    assert state.expire_rate_buckets(idle_since=2000.0) == 1000
    assert state.rate_bucket_count() == 0


def test_request_log_keeps_the_newest_entries_newest_first(stores: list[Store]) -> None:
    first, second = stores[0].state, stores[1].state
    first.append_calls([LoggedCall(n, {"n": n}) for n in range(5)], keep=4)
    second.append_calls([LoggedCall(5.5, {"n": 5}), LoggedCall(5.0, {"n": 6})], keep=4)
    assert first.recent_calls(4) == [{"n": 5}, {"n": 6}, {"n": 4}, {"n": 3}]
    assert second.recent_calls(2) == [{"n": 5}, {"n": 6}]
    # trimming reads the whole log, so only every TRIM_EVERY-th batch (by seq) trims it: then
    # the oldest batches go once the newer ones hold 4 calls
    last = TRIM_EVERY - 2  # batches 3 to TRIM_EVERY; the last one trims
    for batch in range(last):
        if batch == last - 1:
            assert len(first.recent_calls(1000)) == 5 + 2 + 3 * batch  # nothing trimmed yet
        second.append_calls([LoggedCall(10 + batch, {"n": 10 + batch})] * 3, keep=4)
    newest = 10 + last - 1
    assert [entry["n"] for entry in first.recent_calls(100)] == [newest] * 3 + [newest - 1] * 3
    first.clear_calls(now=100.0)
    assert second.recent_calls(10) == []
    second.append_calls([LoggedCall(99.9, {"n": "before"}), LoggedCall(100, {"n": "after"})], 4)
    assert first.recent_calls(10) == [{"n": "after"}]


def test_a_rule_ensured_by_several_stores_at_once_is_stored_once(stores: list[Store]) -> None:
    rule = FaultRule("GetUser", "ServiceFailureException", count=1)
    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(lambda n: stores[n % 2].state.ensure_fault(rule).rule_id, range(8)))
    assert len(ids) == 1 and [stored.rule for stored in stores[0].state.faults()] == [rule]
    other = FaultRule("GetUser", "ServiceFailureException", count=2)
    assert stores[1].state.ensure_fault(other).rule_id not in ids  # another definition


def test_reset_clears_the_server_state_but_clearing_records_does_not(
    stores: list[Store],
) -> None:
    state = stores[0].state
    state.advance_clock(60)
    state.add_fault(FaultRule("*", "ServiceFailureException", count=1))
    state.take_rate_token("key", 1, 1.0)
    state.append_calls([LoggedCall(1.0, {"n": 1})], keep=10)
    stores[1].clear()  # replacing the records (a seed with replace) is not a server reset
    assert state.faults() and state.recent_calls(1) and state.rate_bucket_count() == 1
    assert not state.clock().is_wall_clock
    stores[1].state.reset(now=2.0)
    assert state.clock().is_wall_clock
    assert (state.faults(), state.recent_calls(1), state.rate_bucket_count()) == ([], [], 0)


def test_the_token_secret_is_one_per_database(
    stores: list[Store], new_database: Callable[[], str]
) -> None:
    assert len({store.state.token_secret() for store in stores}) == 1
    other = open_store(new_database())
    assert other.state.token_secret() != stores[0].state.token_secret()
    other.close()


def test_an_in_memory_store_moves_its_version_with_every_change() -> None:
    state = open_store(None).state
    seen = [state.version()]
    state.freeze_clock(datetime(2030, 1, 1, tzinfo=UTC))
    seen.append(state.version())
    state.advance_clock(5)
    seen.append(state.version())
    state.add_fault(FaultRule("*", "ServiceFailureException", count=1))
    seen.append(state.version())
    state.reset(now=1.0)
    seen.append(state.version())
    assert len(set(seen)) == len(seen)


@pytest.mark.parametrize("seconds", [3e11, -3e11, 1e300])
def test_a_clock_moved_out_of_the_range_of_dates_is_refused_and_unchanged(
    stores: list[Store], seconds: float
) -> None:
    state = stores[0].state
    state.advance_clock(60)
    version = state.version()
    with pytest.raises(OverflowError):
        state.advance_clock(seconds)
    assert state.clock() == ClockSetting(None, 60.0) and state.version() == version
    state.freeze_clock(datetime(2030, 1, 1, tzinfo=UTC))
    with pytest.raises(OverflowError):
        state.advance_clock(seconds)
    assert state.clock() == ClockSetting(datetime(2030, 1, 1, tzinfo=UTC))
