"""The console's guard over HTTP: the token form and its cookie, CSRF on every action."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from chime_local.testing import ServerProcess
from tests.api.admin_calls import admin
from tests.api.raw import call

TOKEN = "console-secret-token"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    db = tmp_path_factory.mktemp("guarded") / "chime.db"
    with ServerProcess(db=db, extra_args=("--quiet", "--admin-token", TOKEN)) as process:
        yield process


def get(server: ServerProcess, path: str, cookie: str = "") -> tuple[int, dict[str, str], str]:
    headers = {"Cookie": cookie} if cookie else {}
    status, response_headers, body = call(
        server.endpoint_url, "GET", f"/_chime_local/console/{path}", None, headers, signed=False
    )
    return status, response_headers, body.decode()


def post(
    server: ServerProcess, path: str, form: str, cookie: str = "", origin: str | None = None
) -> tuple[int, dict[str, str], str]:
    headers = {**FORM, "Origin": origin or server.endpoint_url}
    if cookie:
        headers["Cookie"] = cookie
    status, response_headers, body = call(
        server.endpoint_url, "POST", f"/_chime_local/console/{path}", form.encode(), headers,
        signed=False,
    )  # fmt: skip
    return status, response_headers, body.decode()


def login(server: ServerProcess) -> str:
    status, headers, _ = post(server, "login", f"token={TOKEN}")
    assert status == 303
    return headers["set-cookie"].split(";")[0]


def test_without_the_token_the_console_asks_for_it(guarded: ServerProcess) -> None:
    status, headers, _ = get(guarded, "controls")
    assert status == 303
    assert headers["location"] == "/_chime_local/console/login"
    status, _, body = get(guarded, "login")
    assert status == 200
    assert '<label for="token">' in body


def test_a_wrong_token_is_refused(guarded: ServerProcess) -> None:
    status, headers, _ = post(guarded, "login", "token=wrong")
    assert status == 401
    assert "set-cookie" not in headers


def test_the_session_cookie_is_httponly_strict_and_scoped_to_the_console(
    guarded: ServerProcess,
) -> None:
    _, headers, _ = post(guarded, "login", f"token={TOKEN}")
    attributes = [part.strip() for part in headers["set-cookie"].split(";")]
    assert "HttpOnly" in attributes
    assert "SameSite=Strict" in attributes
    assert "Path=/_chime_local/console/" in attributes
    assert TOKEN not in headers["set-cookie"]
    status, _, body = get(guarded, "controls", login(guarded))
    assert status == 200
    assert "Fault rules" in body


def test_an_action_without_its_csrf_token_changes_nothing(guarded: ServerProcess) -> None:
    cookie = login(guarded)
    status, _, _ = post(guarded, "actions/advance-clock", "seconds=5&unit=days", cookie)
    assert status == 403
    status, _, _ = post(guarded, "actions/advance-clock", "seconds=5&unit=days&csrf=00", cookie)
    assert status == 403
    clock = call(guarded.endpoint_url, "GET", "/_chime_local/clock", None,
                 {"Authorization": f"Bearer {TOKEN}"}, signed=False)  # fmt: skip
    assert b'"WallClock":true' in clock[2]


def test_an_action_from_another_site_is_refused(guarded: ServerProcess) -> None:
    cookie = login(guarded)
    _, _, page = get(guarded, "controls", cookie)
    token = CSRF.search(page)
    assert token is not None
    form = f"seconds=5&unit=days&csrf={token.group(1)}"
    status, _, _ = post(guarded, "actions/advance-clock", form, cookie, "http://evil.example")
    assert status == 403
    status, _, body = post(guarded, "actions/advance-clock", form, cookie)
    assert status == 200, body
    assert "Clock advanced" in body
    status, _, body = post(guarded, "actions/reset-clock", f"csrf={token.group(1)}", cookie)
    assert status == 200


def test_a_refused_action_shows_the_admin_apis_message(guarded: ServerProcess) -> None:
    cookie = login(guarded)
    token = CSRF.search(get(guarded, "controls", cookie)[2])
    assert token is not None
    status, _, body = post(
        guarded, "actions/set-clock", f"now=yesterday&csrf={token.group(1)}", cookie
    )
    assert status == 400
    assert "Now: must be an ISO 8601 timestamp" in body


def test_the_admin_api_still_needs_the_bearer_token(guarded: ServerProcess) -> None:
    assert admin(guarded, "GET", "outbox")[0] == 401
