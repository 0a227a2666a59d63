"""The admin state API and the CLI around it: seed, export/import, reset, invitations, clock, log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chime_local.testing import ServerProcess
from tests.api.admin_calls import admin, enterprise_account
from tests.support import cli, fresh_tenant, sdk_client

SEED = {
    "version": 1,
    "accounts": [
        {
            "name": "Seeded LWA",
            "type": "EnterpriseLWA",
            "id": "0a0a0a0a-0000-4000-8000-000000000001",
            "domains": ["lwa.example"],
            "users": [
                {
                    "email": "reg@lwa.example",
                    "id": "0b0b0b0b-0000-4000-8000-000000000001",
                    "pin": "1111111111",
                },
                {"email": "sus@lwa.example", "state": "suspended", "license": "Basic"},
            ],
        },
        {
            "name": "Seeded Team",
            "settings": {"enable_dial_out": True},
            "users": [
                {
                    "email": "inv@team.example",
                    "state": "invited",
                    "id": "0b0b0b0b-0000-4000-8000-000000000002",
                }
            ],
        },
    ],
}


@pytest.fixture
def fresh_server() -> Iterator[ServerProcess]:
    with ServerProcess(db=None, extra_args=("--quiet",)) as server:
        yield server


def test_seed_then_read_through_the_api(fresh_server: ServerProcess) -> None:
    status, result = admin(fresh_server, "POST", "seed", SEED)
    assert (status, result) == (201, {"Accounts": 2, "Users": 3})
    client = sdk_client(fresh_server.endpoint_url, "123456789012")
    user = client.get_user(
        AccountId="0a0a0a0a-0000-4000-8000-000000000001",
        UserId="0b0b0b0b-0000-4000-8000-000000000001",
    )["User"]
    assert (user["PersonalPIN"], user["DisplayName"], user["UserRegistrationStatus"]) == (
        "1111111111",
        "reg",
        "Registered",
    )
    team = next(a for a in client.list_accounts()["Accounts"] if a["Name"] == "Seeded Team")
    assert (
        client.get_account_settings(AccountId=team["AccountId"])["AccountSettings"]["EnableDialOut"]
        is True
    )
    invited = client.get_user(
        AccountId=team["AccountId"], UserId="0b0b0b0b-0000-4000-8000-000000000002"
    )["User"]
    assert invited["UserInvitationStatus"] == "Pending"
    suspended = client.list_users(
        AccountId="0a0a0a0a-0000-4000-8000-000000000001", UserEmail="sus@lwa.example"
    )["Users"][0]
    assert (suspended["UserRegistrationStatus"], suspended["LicenseType"]) == ("Suspended", "Basic")


def test_invalid_seed_reports_every_problem_with_its_path_and_writes_nothing(
    fresh_server: ServerProcess,
) -> None:
    bad = {
        "accounts": [
            {"name": "Fine", "users": [{"email": "ok@example.com"}]},
            {
                "name": "Broken",
                "type": "Huge",
                "users": [{"email": "ok@example.com"}, {"email": "not-an-email"}, {"mail": "x"}],
            },
        ]
    }
    status, document = admin(fresh_server, "POST", "seed", bad)
    assert status == 400
    problems = document["Problems"]
    assert any(p.startswith("accounts[1].type:") for p in problems)
    assert any(p.startswith("accounts[1].users[1].email:") for p in problems)
    assert any(p.startswith("accounts[1].users[2]:") and "email" in p for p in problems)
    assert admin(fresh_server, "GET", "export")[1]["accounts"] == []


def test_relations_are_checked_too(fresh_server: ServerProcess) -> None:
    bad = {
        "accounts": [
            {
                "name": "A",
                "users": [
                    {"email": "a@x.io", "pin": "2222222222"},
                    {"email": "A@X.io"},
                    {"email": "s@x.io", "state": "suspended"},
                ],
            },
            {
                "name": "B",
                "type": "EnterpriseLWA",
                "users": [{"email": "b@x.io", "pin": "2222222222", "state": "invited"}],
            },
        ]
    }
    status, document = admin(fresh_server, "POST", "seed", bad)
    assert status == 400
    text = "\n".join(document["Problems"])
    assert "accounts[0].users[1].email: duplicate email in account" in text
    assert "accounts[0].users[2].state:" in text
    assert "accounts[1].users[0].pin: duplicate PIN 2222222222" in text
    assert "accounts[1].users[0].state: only Team accounts have invited users" in text


def test_accept_invitation_registers_the_user(fresh_server: ServerProcess) -> None:
    admin(fresh_server, "POST", "seed", SEED)
    team = next(
        a for a in admin(fresh_server, "GET", "export")[1]["accounts"] if a["name"] == "Seeded Team"
    )
    path = f"accounts/{team['id']}/users/0b0b0b0b-0000-4000-8000-000000000002/accept-invitation"
    status, document = admin(fresh_server, "POST", path)
    assert status == 200
    user = document["User"]
    assert (user["UserRegistrationStatus"], user["UserInvitationStatus"]) == (
        "Registered",
        "Accepted",
    )
    assert len(user["PersonalPIN"]) == 10 and user["RegisteredOn"]
    assert admin(fresh_server, "POST", path)[0] == 409
    assert (
        admin(fresh_server, "POST", f"accounts/{team['id']}/users/nobody/accept-invitation")[0]
        == 404
    )


def test_reset_empties_the_state(fresh_server: ServerProcess) -> None:
    admin(fresh_server, "POST", "seed", SEED)
    assert admin(fresh_server, "POST", "reset") == (200, {"Reset": True})
    assert admin(fresh_server, "GET", "export")[1] == {"version": 1, "accounts": []}


def test_the_clock_sets_advances_and_returns(fresh_server: ServerProcess) -> None:
    status, clock = admin(fresh_server, "PUT", "clock", {"Now": "2030-01-02T03:04:05Z"})
    assert (status, clock) == (200, {"Now": "2030-01-02T03:04:05.000Z", "WallClock": False})
    client = sdk_client(fresh_server.endpoint_url)
    created = client.create_account(Name="Future")["Account"]["CreatedTimestamp"]
    assert created == datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert (
        admin(fresh_server, "PUT", "clock", {"Advance": 90.5})[1]["Now"]
        == "2030-01-02T03:05:35.500Z"
    )
    assert admin(fresh_server, "DELETE", "clock")[1]["WallClock"] is True
    for body, field in [
        ({}, "Now"),
        ({"Now": "yesterday"}, "Now"),
        ({"Advance": "ten"}, "Advance"),
    ]:
        status, document = admin(fresh_server, "PUT", "clock", body)
        assert status == 400 and document["Message"].startswith(field)


def test_request_log_masks_sensitive_members(fresh_server: ServerProcess) -> None:
    client = sdk_client(fresh_server.endpoint_url, "210987654321")
    account = client.create_account(Name="Logged")["Account"]
    client.create_user(AccountId=account["AccountId"], Email="secret@example.com")
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_user(AccountId=account["AccountId"], UserId="ghost")
    status, document = admin(fresh_server, "GET", "requests?limit=2")
    assert status == 200
    latest, previous = document["Requests"]
    assert (latest["Operation"], latest["Status"], latest["ErrorCode"]) == (
        "GetUser",
        404,
        "NotFoundException",
    )
    assert latest["AccessKeyId"] == "210987654321"
    assert previous["Operation"] == "CreateUser"
    assert previous["Parameters"] == {"AccountId": account["AccountId"], "Email": "***"}
    assert admin(fresh_server, "GET", "requests?limit=0")[0] == 400


def test_unknown_admin_endpoint_is_404_json(fresh_server: ServerProcess) -> None:
    status, document = admin(fresh_server, "GET", "nothing-here")
    assert status == 404 and "nothing-here" in document["Message"]


def test_cli_export_import_round_trip_gives_identical_answers(tmp_path: Path) -> None:
    tenant = fresh_tenant()
    with ServerProcess(db=tmp_path / "source.db", extra_args=("--quiet",)) as source:
        client = sdk_client(source.endpoint_url, tenant)
        account = client.create_account(Name="Round trip")["Account"]
        for i in range(3):
            client.create_user(AccountId=account["AccountId"], Email=f"rt{i}@example.com")
        client.invite_users(AccountId=account["AccountId"], UserEmailList=["pending@example.com"])
        users = client.list_users(AccountId=account["AccountId"])["Users"]
        before = [
            client.get_user(AccountId=account["AccountId"], UserId=u["UserId"])["User"]
            for u in users
        ]
        export = cli("export", str(tmp_path / "state.json"), "--endpoint", source.endpoint_url)
        assert export.returncode == 0, export.stderr
    imported = cli(
        "import", str(tmp_path / "state.json"), "--db", str(tmp_path / "copy.db"), "--create"
    )
    assert imported.returncode == 0, imported.stderr
    assert "Loaded 1 accounts and 4 users" in imported.stdout and "users/s" in imported.stdout
    with ServerProcess(db=tmp_path / "copy.db", extra_args=("--quiet",)) as copy:
        client = sdk_client(copy.endpoint_url, tenant)
        assert client.list_users(AccountId=account["AccountId"])["Users"] == users
        after = [
            client.get_user(AccountId=account["AccountId"], UserId=u["UserId"])["User"]
            for u in users
        ]
        assert after == before
    assert json.loads(cli("export", "--db", str(tmp_path / "copy.db")).stdout) == json.loads(
        (tmp_path / "state.json").read_text()
    )


def test_cli_seed_reset_and_accept_invitation_on_a_db_file(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    (tmp_path / "seed.json").write_text(json.dumps(SEED))
    assert cli("seed", str(tmp_path / "seed.json"), "--db", db, "--create").returncode == 0
    team_id = next(
        a
        for a in json.loads(cli("export", "--db", db).stdout)["accounts"]
        if a["name"] == "Seeded Team"
    )["id"]
    accepted = cli("accept-invitation", team_id, "0b0b0b0b-0000-4000-8000-000000000002", "--db", db)
    assert accepted.returncode == 0, accepted.stderr
    assert json.loads(accepted.stdout)["UserInvitationStatus"] == "Accepted"
    again = cli("seed", str(tmp_path / "seed.json"), "--db", db)
    assert again.returncode == 1 and "already exists" in again.stderr
    assert cli("reset", "--db", db).returncode == 0
    assert json.loads(cli("export", "--db", db).stdout)["accounts"] == []


def test_cli_reports_seed_errors_with_paths(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("accounts:\n  - name: X\n    users:\n      - email: nope\n")
    result = cli("seed", str(tmp_path / "bad.yaml"), "--db", str(tmp_path / "x.db"), "--create")
    assert result.returncode == 1
    assert "accounts[0].users[0].email" in result.stderr


def rich_state(server: ServerProcess) -> str:
    """A tenant holding one record of every kind an export writes; returns the tenant."""
    tenant = fresh_tenant()
    client = sdk_client(server.endpoint_url, tenant)
    team = client.create_account(Name="Team")["Account"]["AccountId"]
    client.update_account_settings(AccountId=team, AccountSettings={"EnableDialOut": True})
    user = client.create_user(AccountId=team, Email="reg@example.com")["User"]["UserId"]
    client.invite_users(AccountId=team, UserEmailList=["pending@example.com"])
    client.update_user_settings(
        AccountId=team,
        UserId=user,
        UserSettings={"Telephony": {"InboundCalling": True, "OutboundCalling": True, "SMS": False}},
    )
    client.logout_user(AccountId=team, UserId=user)
    gone = client.create_account(Name="Deleted")["Account"]["AccountId"]
    client.delete_account(AccountId=gone)
    lwa = enterprise_account(server, tenant)["AccountId"]
    member = client.create_user(AccountId=lwa, Email="member@example.com")["User"]["UserId"]
    leaver = client.create_user(AccountId=lwa, Email="leaver@example.com")["User"]["UserId"]
    client.batch_suspend_user(AccountId=lwa, UserIdList=[leaver])
    client.associate_signin_delegate_groups_with_account(
        AccountId=lwa, SigninDelegateGroups=[{"GroupName": "admins"}]
    )
    room = client.create_room(AccountId=lwa, Name="Room")["Room"]["RoomId"]
    client.create_room_membership(AccountId=lwa, RoomId=room, MemberId=member)
    bot = client.create_bot(AccountId=lwa, DisplayName="Bot")["Bot"]["BotId"]
    client.put_events_configuration(
        AccountId=lwa, BotId=bot, OutboundEventsHTTPSEndpoint="https://bot.example/events"
    )
    client.put_retention_settings(
        AccountId=lwa, RetentionSettings={"RoomRetentionSettings": {"RetentionDays": 30}}
    )
    numbers = client.search_available_phone_numbers(AreaCode="503", MaxResults=2)
    first, second = numbers["E164PhoneNumbers"]
    client.create_phone_number_order(
        ProductType="BusinessCalling", E164PhoneNumbers=[first, second]
    )
    client.associate_phone_number_with_user(AccountId=team, UserId=user, E164PhoneNumber=first)
    client.delete_phone_number(PhoneNumberId=second)
    client.update_global_settings(BusinessCalling={"CdrBucket": "bucket"})
    client.update_phone_number_settings(CallingName="Example")
    return tenant


def test_the_schema_in_the_repository_validates_a_real_export(
    fresh_server: ServerProcess,
) -> None:
    """An export of a state holding every kind of record passes the schema shipped in the
    repository, and the export loads back: the schema describes what export writes."""
    from jsonschema import Draft202012Validator

    import chime_local.seed

    tenant = rich_state(fresh_server)
    status, export = admin(fresh_server, "GET", "export")
    assert status == 200
    (tenant_records,) = [t for t in export["tenants"] if t["aws_account_id"] == tenant]
    assert set(tenant_records) >= {
        "phone_numbers",
        "phone_number_orders",
        "global_settings",
        "phone_number_settings",
    }
    accounts = {a["name"]: a for a in export["accounts"]}
    assert "deleted" in accounts["Deleted"] and accounts["Team"]["settings"]
    assert {"rooms", "room_memberships", "bots", "bot_events", "retention_settings"} <= set(
        accounts["EnterpriseLWA Co"]
    )
    states = {u.get("state", "registered") for a in accounts.values() for u in a.get("users", [])}
    assert states == {"registered", "invited", "suspended"}
    shipped = json.loads((Path(chime_local.seed.__file__).parent / "seed.schema.json").read_text())
    Draft202012Validator.check_schema(shipped)
    problems = [error.message for error in Draft202012Validator(shipped).iter_errors(export)]
    assert problems == []
    assert admin(fresh_server, "POST", "seed?replace=true", export)[0] == 201
    assert admin(fresh_server, "GET", "export")[1] == export
