"""The SQLite store directly: migrations, transactions, pagination, persistence, index use."""

from __future__ import annotations

from pathlib import Path

import pytest

from chime_local.store import Store
from chime_local.store.migrations import MIGRATIONS


def account(n: int, tenant: str = "111122223333") -> dict[str, object]:
    return {"AccountId": f"acc-{n}", "Name": f"Team {n}", "AwsAccountId": tenant}


def user(n: int, account_id: str = "acc-1", pin: str | None = None) -> dict[str, object]:
    return {
        "UserId": f"user-{n}",
        "AccountId": account_id,
        "PrimaryEmail": f"User{n}@Example.com",
        "PersonalPIN": pin,
        "UserType": "PrivateUser",
    }


def test_migrations_apply_once_in_order(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    Store(path).close()
    store = Store(path)
    assert store.migrations_applied() == [name for name, _ in MIGRATIONS]
    store.close()


def test_a_failed_transaction_changes_nothing() -> None:
    store = Store()
    with pytest.raises(RuntimeError), store.transaction():
        store.insert_account("111122223333", account(1), {})
        raise RuntimeError("boom")
    assert store.get_account("111122223333", "acc-1") is None


def test_accounts_are_tenant_scoped_and_paged_by_insertion_order() -> None:
    store = Store()
    with store.transaction():
        for n in range(5):
            store.insert_account("111122223333", account(n), {})
        store.insert_account("999988887777", account(9, "999988887777"), {})
    assert store.get_account("999988887777", "acc-1") is None
    first = store.list_accounts("111122223333", after=0, limit=2)
    assert [a["AccountId"] for a in first.items] == ["acc-0", "acc-1"]
    assert first.last_seq is not None
    rest = store.list_accounts("111122223333", after=first.last_seq, limit=10)
    assert [a["AccountId"] for a in rest.items] == ["acc-2", "acc-3", "acc-4"]
    assert rest.last_seq is None


def test_users_by_email_case_insensitively_and_pins_unique() -> None:
    store = Store()
    with store.transaction():
        store.insert_user(user(1, pin="0123456789"), {})
    found = store.find_user_by_email("acc-1", "user1@example.COM")
    assert found is not None
    assert found["PrimaryEmail"] == "User1@Example.com"
    assert store.pin_in_use("0123456789")
    with pytest.raises(Exception, match="UNIQUE"), store.transaction():
        store.insert_user(user(2, pin="0123456789"), {})


def test_state_persists_across_reopen(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    store = Store(path)
    with store.transaction():
        store.insert_account("111122223333", account(1), {"EnableDialOut": True})
    secret = store.token_secret()
    store.close()
    reopened = Store(path)
    assert reopened.get_account("111122223333", "acc-1") == account(1)
    assert reopened.get_account_settings("acc-1") == {"EnableDialOut": True}
    assert reopened.token_secret() == secret


@pytest.mark.parametrize(
    ("sql", "index"),
    [
        ("SELECT doc FROM users WHERE user_id = ? AND account_id = ?", "sqlite_autoindex_users_1"),
        ("SELECT doc FROM users WHERE email_lower = ? AND account_id = ?", "users_by_email"),
        (
            "SELECT seq, doc FROM users WHERE account_id = ? AND seq > ? ORDER BY seq",
            "users_by_account",
        ),
    ],
)
def test_hot_lookups_use_an_index(sql: str, index: str) -> None:
    store = Store()
    plan = " ".join(row[-1] for row in store._db.execute(f"EXPLAIN QUERY PLAN {sql}", ("a", "b")))
    assert index in plan
    assert "SCAN users" not in plan
