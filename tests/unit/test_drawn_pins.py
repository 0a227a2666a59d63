"""Personal PINs are drawn at random and kept unique by the store's constraint, not by a read
before each write: a drawn PIN that is taken runs the request's transaction again, which draws
another, on both engines (decision: unique PINs across the server)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chime_local import Emulator
from chime_local.config import Config
from chime_local.service import context
from tests.api.raw import call_in_process
from tests.conftest import ENGINES, fresh_database


@pytest.fixture(params=ENGINES)
def emulator(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Emulator]:
    made = Emulator(Config(db_path=str(fresh_database(request, tmp_path_factory))))
    yield made
    made.close()


def _draws(monkeypatch: pytest.MonkeyPatch, *pins: str) -> list[str]:
    """Have PINs drawn in this order (then at random again); returns the draws made so far."""
    queue, drawn = list(pins), []
    random_pin = context.random_pin

    def draw() -> str:
        pin = queue.pop(0) if queue else random_pin()
        drawn.append(pin)
        return pin

    monkeypatch.setattr(context, "random_pin", draw)
    return drawn


def test_a_created_user_whose_drawn_pin_is_taken_gets_another(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, made = call_in_process(emulator, "POST", "/accounts", {"Name": "Team"})
    users = f"/accounts/{made['Account']['AccountId']}/users"
    drawn = _draws(monkeypatch, "1000000001", "1000000001", "1000000002")
    status, first = call_in_process(
        emulator, "POST", f"{users}?operation=create", {"Email": "a@x.io"}
    )
    assert (status, first["User"]["PersonalPIN"]) == (201, "1000000001")
    status, second = call_in_process(
        emulator, "POST", f"{users}?operation=create", {"Email": "b@x.io"}
    )
    assert status == 201, second
    assert second["User"]["PersonalPIN"] == "1000000002"
    assert drawn == ["1000000001", "1000000001", "1000000002"]  # the clash ran the request again
    status, listed = call_in_process(emulator, "GET", users)
    assert sorted(u["PrimaryEmail"] for u in listed["Users"]) == ["a@x.io", "b@x.io"]
    stored = [
        call_in_process(emulator, "GET", f"{users}/{u['UserId']}")[1] for u in listed["Users"]
    ]
    assert sorted(u["User"]["PersonalPIN"] for u in stored) == ["1000000001", "1000000002"]


def test_a_reset_pin_that_is_taken_is_drawn_again(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, made = call_in_process(emulator, "POST", "/accounts", {"Name": "Team"})
    users = f"/accounts/{made['Account']['AccountId']}/users"
    _draws(monkeypatch, "2000000001", "2000000002", "2000000001", "2000000003")
    status, first = call_in_process(
        emulator, "POST", f"{users}?operation=create", {"Email": "a@x.io"}
    )
    assert first["User"]["PersonalPIN"] == "2000000001"
    status, second = call_in_process(
        emulator, "POST", f"{users}?operation=create", {"Email": "b@x.io"}
    )
    user_id = second["User"]["UserId"]
    status, reset = call_in_process(
        emulator, "POST", f"{users}/{user_id}?operation=reset-personal-pin"
    )
    assert status == 200, reset
    assert reset["User"]["PersonalPIN"] == "2000000003"  # not the first user's
    status, again = call_in_process(emulator, "GET", f"{users}/{user_id}")
    assert again["User"]["PersonalPIN"] == "2000000003"


def test_an_accepted_invitation_whose_drawn_pin_is_taken_gets_another(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, made = call_in_process(emulator, "POST", "/accounts", {"Name": "Team"})
    account_id = made["Account"]["AccountId"]
    users = f"/accounts/{account_id}/users"
    _draws(monkeypatch, "3000000001", "3000000001", "3000000002")
    status, first = call_in_process(
        emulator, "POST", f"{users}?operation=create", {"Email": "a@x.io"}
    )
    status, invited = call_in_process(
        emulator, "POST", f"{users}?operation=add", {"UserEmailList": ["b@x.io"]}
    )
    assert status == 201, invited
    status, listed = call_in_process(emulator, "GET", f"{users}?user-email=b@x.io")
    (pending,) = listed["Users"]
    accepted = emulator.accept_invitation(account_id, pending["UserId"])
    assert accepted["PersonalPIN"] == "3000000002"
    assert first["User"]["PersonalPIN"] == "3000000001"
