"""Loading a validated seed document into the store, in one transaction.

Missing values get the same defaults the API gives (new IDs, the account's default license, a
fresh unique PIN for registered users, now for timestamps), so a short hand-written seed and a
full export both load. Users are inserted in batches, reporting progress to a callback.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from chime_local.clock import parse_wire_time, wire_time
from chime_local.seed.fields import (
    ACCOUNT_FIELDS,
    ACCOUNT_SETTINGS,
    ALEXA_FIELDS,
    STATES,
    TELEPHONY_SETTINGS,
    USER_FIELDS,
)
from chime_local.seed.records import load_records
from chime_local.seed.validation import validate_seed
from chime_local.service.accounts import account_document, default_account_settings
from chime_local.service.context import random_pin
from chime_local.service.users import default_user_settings, local_part, new_user
from chime_local.store.base import Doc, Store

BATCH = 5000
Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class SeedResult:
    accounts: int
    users: int
    seconds: float

    @property
    def users_per_second(self) -> float:
        return self.users / self.seconds if self.seconds else float(self.users)


def count_users(document: dict[str, Any]) -> int:
    return sum(len(account.get("users", ())) for account in document.get("accounts", ()))


def load_seed(
    store: Store,
    document: dict[str, Any],
    *,
    now: str,
    default_tenant: str,
    progress: Progress | None = None,
) -> SeedResult:
    """Validate the whole document, then load all of it or nothing."""
    began = time.perf_counter()
    validate_seed(document, store)
    pins = _Pins(store, document)
    users = 0
    with store.transaction(), store.bulk_cache():
        for tenant in document.get("tenants", ()):
            load_records(store, tenant, "tenant", tenant["aws_account_id"], now)
        for account in document.get("accounts", ()):
            doc, settings, deleted = _account(account, now, default_tenant)
            store.insert_account(doc["AwsAccountId"], doc, settings, deleted_at=deleted)
            load_records(store, account, "account", doc["AccountId"], now)
            rows = (_user(user, doc, now, pins) for user in account.get("users", ()))
            for batch in _batches(rows):
                pins.settle(batch)
                store.insert_users(batch)
                users += len(batch)
                if progress is not None:
                    progress(len(batch))
    accounts = len(document.get("accounts", ()))
    return SeedResult(accounts, users, time.perf_counter() - began)


def _account(seed: dict[str, Any], now: str, default_tenant: str) -> tuple[Doc, Doc, str | None]:
    doc = account_document(default_tenant, seed["name"], now)
    doc.update({wire: _value(seed[key]) for key, wire in ACCOUNT_FIELDS if key in seed})
    groups = seed.get("signin_delegate_groups", [])
    doc["SigninDelegateGroups"] = [{"GroupName": name} for name in groups]
    settings = default_account_settings()
    given = seed.get("settings", {})
    settings.update({wire: given[key] for key, wire in ACCOUNT_SETTINGS if key in given})
    deleted = seed.get("deleted")
    return doc, settings, _timestamp(deleted) if deleted else None


def _user(seed: dict[str, Any], account: Doc, now: str, pins: _Pins) -> tuple[Doc, Doc, Doc]:
    state = seed.get("state", "registered")
    doc = new_user(account, seed["email"]) | {"UserRegistrationStatus": STATES[state]}
    doc.update({wire: _value(seed[key]) for key, wire in USER_FIELDS if key in seed})
    alexa = seed.get("alexa_for_business", {})
    doc["AlexaForBusinessMetadata"].update(
        {wire: alexa[key] for key, wire in ALEXA_FIELDS if key in alexa}
    )
    if state == "invited":
        doc.setdefault("UserInvitationStatus", "Pending")
        doc.setdefault("InvitedOn", now)
    else:
        doc.setdefault("RegisteredOn", now)
        doc.setdefault("DisplayName", local_part(doc["PrimaryEmail"]))
        if "PersonalPIN" not in doc:
            doc["PersonalPIN"] = pins.new()
    settings = default_user_settings()
    given = seed.get("settings", {})
    settings["Telephony"].update({w: given[k] for k, w in TELEPHONY_SETTINGS if k in given})
    private = {"LastLogoutAt": _timestamp(seed["last_logout"])} if "last_logout" in seed else {}
    return doc, settings, private


def _value(value: Any) -> Any:
    """Timestamps are normalised to the wire format; everything else is kept as given."""
    if isinstance(value, str) and len(value) >= 20 and value[10:11] == "T":
        return _timestamp(value)
    return value


def _timestamp(text: str) -> str:
    return wire_time(parse_wire_time(text))


def _batches(rows: Iterator[tuple[Doc, Doc, Doc]]) -> Iterator[list[tuple[Doc, Doc, Doc]]]:
    batch: list[tuple[Doc, Doc, Doc]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class _Pins:
    """Fresh PINs unique against the store and every PIN the document names.

    New PINs are drawn unique within the load, then checked against the store once per batch
    (``settle``), which replaces the rare one already in use.
    """

    def __init__(self, store: Store, document: dict[str, Any]) -> None:
        self._store = store
        self._taken = {
            user["pin"]
            for account in document.get("accounts", ())
            for user in account.get("users", ())
            if "pin" in user
        }
        self._fresh: set[str] = set()

    def new(self) -> str:
        while True:
            pin = random_pin()
            if pin not in self._taken:
                self._taken.add(pin)
                self._fresh.add(pin)
                return pin

    def settle(self, batch: list[tuple[Doc, Doc, Doc]]) -> None:
        while clashes := self._store.pins_in_use(sorted(self._fresh)):
            self._fresh -= clashes
            for user, _, _ in batch:
                if user.get("PersonalPIN") in clashes:
                    user["PersonalPIN"] = self.new()
        self._fresh.clear()
