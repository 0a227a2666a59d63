"""The seed loader directly: defaults, PIN uniqueness against the store, all-or-nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chime_local.seed import SeedError, load_seed
from chime_local.store import Store, open_store

NOW = "2026-01-02T03:04:05.678Z"


def load(store: Store, document: dict[str, object]) -> None:
    load_seed(store, document, now=NOW, default_tenant="123456789012")


def test_defaults_follow_the_api() -> None:
    store = open_store(None)
    load(
        store,
        {
            "accounts": [
                {
                    "name": "A",
                    "users": [{"email": "Jo@Example.com"}, {"email": "i@x.io", "state": "invited"}],
                }
            ]
        },
    )
    ((account, settings, deleted),) = list(store.all_accounts())
    assert (account["AccountType"], account["DefaultLicense"], account["CreatedTimestamp"]) == (
        "Team",
        "Pro",
        NOW,
    )
    assert settings == {"DisableRemoteControl": False, "EnableDialOut": False} and deleted is None
    registered, invited = (user for user, _, _ in store.account_users(account["AccountId"]))
    assert (
        registered["DisplayName"],
        registered["RegisteredOn"],
        len(registered["PersonalPIN"]),
    ) == ("Jo", NOW, 10)
    assert (invited["UserInvitationStatus"], invited["InvitedOn"]) == ("Pending", NOW)
    assert "PersonalPIN" not in invited and "DisplayName" not in invited


def test_a_new_pin_that_is_taken_in_the_store_is_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(None)
    load(
        store,
        {"accounts": [{"name": "Old", "users": [{"email": "old@x.io", "pin": "0000000001"}]}]},
    )
    draws: Iterator[int] = iter([1, 2])
    monkeypatch.setattr("chime_local.service.context.secrets.randbelow", lambda _: next(draws))
    load(store, {"accounts": [{"name": "New", "users": [{"email": "new@x.io"}]}]})
    new = next(user for user, _, _ in store.all_users(10) if user["PrimaryEmail"] == "new@x.io")
    assert new["PersonalPIN"] == "0000000002"


def test_nothing_is_written_when_the_document_is_invalid() -> None:
    store = open_store(None)
    with pytest.raises(SeedError) as caught:
        load(store, {"accounts": [{"name": "Fine"}, {"name": "Bad", "users": [{"email": "nope"}]}]})
    assert caught.value.problems[0].startswith("accounts[1].users[0].email:")
    assert list(store.all_accounts()) == []
