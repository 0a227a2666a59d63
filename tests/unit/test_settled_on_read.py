"""GET operations that apply time's transitions write, so they run in a write transaction.

An order completing and a deleted number leaving the queue are written by the GET that first sees
them; on SQLite a read runs without BEGIN, so such a GET must be named in ``SETTLED_ON_READ`` or
its read-then-write would not be atomic across workers. The store here refuses any write made
outside a write transaction, and every GET that settles runs through it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest

from chime_local.config import Config
from chime_local.service import SETTLED_ON_READ
from chime_local.testing import mock_chime

WRITE_VERBS = ("put_record", "delete_record", "save_user", "insert_user")


@contextmanager
def writes_only_in_write_transactions(store: Any) -> Iterator[list[str]]:
    """Make ``store`` fail a write verb called outside a write transaction; yield what ran."""
    depth: list[bool] = []
    seen: list[str] = []
    original = store.transaction

    @contextmanager
    def transaction(write: bool = True, **kwargs: Any) -> Iterator[None]:
        depth.append(write or (bool(depth) and depth[-1]))
        try:
            with original(write, **kwargs):
                yield
        finally:
            depth.pop()

    def guarded(name: str) -> Any:
        verb = getattr(store, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            if not (depth and depth[-1]):
                raise AssertionError(f"{name} outside a write transaction")
            seen.append(name)
            return verb(*args, **kwargs)

        return call

    saved = {name: getattr(store, name) for name in ("transaction", *WRITE_VERBS)}
    store.transaction = transaction
    for name in WRITE_VERBS:
        setattr(store, name, guarded(name))
    try:
        yield seen
    finally:
        for name, value in saved.items():
            setattr(store, name, value)


def test_gets_that_settle_numbers_and_orders_write_inside_a_write_transaction() -> None:
    config = Config(log_requests=False, phone_number_order_delay=60)
    with mock_chime(config=config) as chime:
        client = boto3.client("chime", region_name="us-east-1")
        numbers = client.search_available_phone_numbers(AreaCode="206", MaxResults=2)
        e164s = numbers["E164PhoneNumbers"]
        order = client.create_phone_number_order(
            ProductType="BusinessCalling", E164PhoneNumbers=e164s
        )["PhoneNumberOrder"]
        chime.clock.advance(120)  # the order completes: the next reads write its outcome
        with writes_only_in_write_transactions(chime.store) as seen:
            client.get_phone_number_order(PhoneNumberOrderId=order["PhoneNumberOrderId"])
            client.list_phone_number_orders()
            client.list_phone_numbers()
            client.get_phone_number(PhoneNumberId=e164s[1])
        assert seen, "nothing was settled: the test no longer exercises a writing read"
        client.delete_phone_number(PhoneNumberId=e164s[0])
        chime.clock.advance(8 * 24 * 3600)  # past the deletion queue: the next read purges it
        with writes_only_in_write_transactions(chime.store) as seen:
            client.list_phone_numbers()
        assert "delete_record" in seen


@pytest.mark.parametrize("name", sorted(SETTLED_ON_READ))
def test_each_settled_read_is_a_get_of_the_model(name: str) -> None:
    from chime_local.protocol.api import load_api

    assert load_api().operations[name].method == "GET"
