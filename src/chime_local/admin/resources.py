"""What the store holds, per resource, for ``GET /_chime_local/resources[/{name}]``.

Includes what Chime's API does not show: deleted (disabled) accounts for 90 days after their
deletion (decisions 11), users' last logout time (decisions 18), and every tenant's records.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from chime_local.clock import parse_wire_time, wire_time
from chime_local.model.enums import AccountStatus
from chime_local.seed.records import PLACES
from chime_local.store.base import Doc, Store

DISABLED_ACCOUNTS_KEPT = timedelta(days=90)
RECORD_RESOURCES = {place.key.replace("_", "-"): place.kind for place in PLACES}
RESOURCES = ("accounts", "deleted-accounts", "users", *RECORD_RESOURCES)


def resource_counts(store: Store, now: str) -> dict[str, int]:
    counts = store.record_counts()
    accounts = list(store.all_accounts())
    return {
        "accounts": sum(1 for _, _, deleted in accounts if deleted is None),
        "deleted-accounts": len(_deleted(accounts, now)),
        "users": store.count_all_users(),
        **{name: counts.get(kind, 0) for name, kind in RECORD_RESOURCES.items()},
    }


def _deleted(accounts: Iterable[tuple[Doc, Doc, str | None]], now: str) -> list[Doc]:
    """Accounts deleted less than 90 days ago, as the admin API shows them."""
    since = wire_time(parse_wire_time(now) - DISABLED_ACCOUNTS_KEPT)
    return [
        {**doc, "AccountStatus": AccountStatus.SUSPENDED, "DeletedTimestamp": deleted}
        for doc, _, deleted in accounts
        if deleted is not None and deleted >= since
    ]


def list_resource(store: Store, name: str, now: str, limit: int) -> list[dict[str, Any]]:
    """The first ``limit`` records of a resource (``KeyError`` for an unknown name)."""
    if name == "accounts":
        items = [
            {**doc, "Settings": settings}
            for doc, settings, deleted in store.all_accounts()
            if deleted is None
        ]
    elif name == "deleted-accounts":
        items = _deleted(store.all_accounts(), now)
    elif name == "users":
        items = [
            {**doc, "Settings": settings, **private}
            for doc, settings, private in store.all_users(limit)
        ]
    else:
        items = [doc for _, doc in store.kind_records(RECORD_RESOURCES[name])]
    return items[:limit]
