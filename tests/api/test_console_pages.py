"""The console's pages over HTTP: users filtered and keyset-paginated, 404s, escaping."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from chime_local.testing import ServerProcess
from tests.api.admin_calls import admin
from tests.api.raw import call

USERS = 120
EMAIL = re.compile(r">(u\d+@example\.com)<")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str]]:
    db = tmp_path_factory.mktemp("pages") / "chime.db"
    with ServerProcess(db=db, extra_args=("--quiet",)) as process:
        users = [{"email": f"u{i}@example.com"} for i in range(USERS)]
        users[7] |= {"state": "invited"}
        seed = {"version": 1, "accounts": [{"name": "<b>Many</b>", "users": users}]}
        assert admin(process, "POST", "seed", seed)[0] == 201
        _, exported = admin(process, "GET", "export")
        yield process, exported["accounts"][0]["id"]


def page(server: ServerProcess, path: str) -> tuple[int, str]:
    status, _, body = call(
        server.endpoint_url, "GET", f"/_chime_local/console/{path}", None,
        {"Cookie": "chime_local_console=test-session"}, signed=False,
    )  # fmt: skip
    return status, body.decode()


def test_users_are_listed_fifty_at_a_time_in_keyset_pages(
    seeded: tuple[ServerProcess, str],
) -> None:
    server, account_id = seeded
    seen: list[str] = []
    path = f"accounts/{account_id}"
    while True:
        status, body = page(server, path)
        assert status == 200
        emails = EMAIL.findall(body)
        assert len(emails) <= 50
        seen += emails
        after = re.search(r'href="\?[^"]*after=(\d+)"', body)
        if after is None:
            break
        path = f"accounts/{account_id}?after={after.group(1)}"
    assert seen == [f"u{i}@example.com" for i in range(USERS)]


def test_users_are_filtered_by_status_and_searched_by_email(
    seeded: tuple[ServerProcess, str],
) -> None:
    server, account_id = seeded
    _, body = page(server, f"accounts/{account_id}?status=Unregistered")
    assert EMAIL.findall(body) == ["u7@example.com"]
    _, body = page(server, f"accounts/{account_id}?email=U42@example.com")
    assert EMAIL.findall(body) == ["u42@example.com"]
    _, body = page(server, f"accounts/{account_id}?license=Basic")
    assert EMAIL.findall(body) == []


def test_names_are_escaped(seeded: tuple[ServerProcess, str]) -> None:
    server, account_id = seeded
    _, body = page(server, f"accounts/{account_id}")
    assert "&lt;b&gt;Many&lt;/b&gt;" in body
    assert "<b>Many</b>" not in body


def test_an_unknown_account_or_user_is_a_404(seeded: tuple[ServerProcess, str]) -> None:
    server, account_id = seeded
    assert page(server, "accounts/no-such-account")[0] == 404
    assert page(server, f"accounts/{account_id}/users/no-such-user")[0] == 404
    assert page(server, "no-such-page")[0] == 404


def test_pages_allow_nothing_from_other_sites(seeded: tuple[ServerProcess, str]) -> None:
    server, _ = seeded
    _, headers, _ = call(
        server.endpoint_url, "GET", "/_chime_local/console/log", None,
        {"Cookie": "chime_local_console=test-session"}, signed=False,
    )  # fmt: skip
    assert headers["content-security-policy"].startswith("default-src 'self'")
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
