"""Throttling, fault injection and the admin token, over HTTP with boto3."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from chime_local.testing import ServerProcess
from tests.api.admin_calls import admin
from tests.api.raw import call
from tests.support import cli, sdk_client


def add_fault(server: ServerProcess, rule: dict[str, Any]) -> tuple[int, Any]:
    status, _, body = call(server.endpoint_url, "POST", "/_chime_local/faults", rule, signed=False)
    return status, json.loads(body)


@pytest.fixture
def clean_faults(server: ServerProcess) -> Iterator[ServerProcess]:
    call(server.endpoint_url, "DELETE", "/_chime_local/faults", signed=False)
    yield server
    call(server.endpoint_url, "DELETE", "/_chime_local/faults", signed=False)


def test_standard_retries_see_the_fault_then_succeed(
    clean_faults: ServerProcess, client: Any, account: dict[str, Any]
) -> None:
    user = client.create_user(AccountId=account["AccountId"], Email="f@example.com")["User"]
    key = client._request_signer._credentials.access_key
    retrying = sdk_client(
        clean_faults.endpoint_url, key, config=Config(retries={"mode": "standard"})
    )
    status, _ = add_fault(
        clean_faults,
        {
            "Operation": "GetUser",
            "Error": "ServiceUnavailableException",
            "Count": 3,
            "AccessKeyId": key,
        },
    )
    assert status == 201
    with pytest.raises(retrying.exceptions.ServiceUnavailableException) as caught:
        retrying.get_user(AccountId=account["AccountId"], UserId=user["UserId"])
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 2
    assert retrying.get_user(AccountId=account["AccountId"], UserId=user["UserId"])["User"] == user


def test_a_faulted_write_changes_nothing_and_is_logged_with_what_it_asked(
    clean_faults: ServerProcess, client: Any
) -> None:
    key = client._request_signer._credentials.access_key
    add_fault(
        clean_faults,
        {
            "Operation": "CreateAccount",
            "Error": "ServiceFailureException",
            "Count": 1,
            "AccessKeyId": key,
        },
    )
    with pytest.raises(client.exceptions.ServiceFailureException):
        client.create_account(Name="Never")
    assert client.list_accounts()["Accounts"] == []
    status, logged = admin(clean_faults, "GET", "requests?limit=100")
    assert status == 200
    (faulted,) = [
        entry
        for entry in logged["Requests"]
        if entry["AccessKeyId"] == key and entry["Operation"] == "CreateAccount"
    ]
    assert (faulted["Status"], faulted["ErrorCode"]) == (500, "ServiceFailureException")
    assert faulted["Parameters"] == {"Name": "Never"}  # what the faulted call asked


def test_faults_are_listed_and_cleared(clean_faults: ServerProcess) -> None:
    add_fault(
        clean_faults,
        {
            "Operation": "*",
            "Error": "ThrottledClientException",
            "Probability": 0.25,
            "Seed": 3,
            "AccessKeyId": "nobody",
        },
    )
    listed = json.loads(
        call(clean_faults.endpoint_url, "GET", "/_chime_local/faults", signed=False)[2]
    )
    assert listed["Faults"] == [
        {
            "Operation": "*",
            "Error": "ThrottledClientException",
            "Probability": 0.25,
            "Seed": 3,
            "AccessKeyId": "nobody",
            "Fired": 0,
        }
    ]
    call(clean_faults.endpoint_url, "DELETE", "/_chime_local/faults", signed=False)
    assert json.loads(
        call(clean_faults.endpoint_url, "GET", "/_chime_local/faults", signed=False)[2]
    ) == {"Faults": []}


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"Operation": "Nope", "Error": "ServiceFailureException", "Count": 1}, "Operation"),
        ({"Operation": "GetUser", "Error": "Boom", "Count": 1}, "Error"),
        ({"Operation": "GetUser", "Error": "ServiceFailureException"}, "Count"),
        ({"Operation": "GetUser", "Error": "ServiceFailureException", "Count": 0}, "Count"),
        (
            {"Operation": "GetUser", "Error": "ServiceFailureException", "Probability": 2},
            "Probability",
        ),
    ],
)
def test_bad_fault_rules_name_the_field(
    clean_faults: ServerProcess, rule: dict[str, Any], field: str
) -> None:
    status, document = add_fault(clean_faults, rule)
    assert status == 400 and document["Message"].startswith(field)


def test_throttling_over_http_on_the_server_clock() -> None:
    """Frozen, the clock refills nothing however long the calls take; advanced, it refills."""
    with ServerProcess(db=None, extra_args=("--rate-limit", "2", "--quiet")) as server:
        assert admin(server, "PUT", "clock", {"Now": "2024-01-02T03:04:05.000Z"})[0] == 200
        # boto3's standard retry mode does not retry ThrottledClientException (legacy mode does).
        client = sdk_client(server.endpoint_url, config=Config(retries={"mode": "standard"}))
        assert [status_of(client.list_accounts) for _ in range(4)] == [200, 200, 429, 429]
        with pytest.raises(client.exceptions.ThrottledClientException) as throttled:
            client.list_accounts()
        assert throttled.value.response["ResponseMetadata"]["RetryAttempts"] == 0
        assert sdk_client(server.endpoint_url).list_accounts()["Accounts"] == []  # another key
        assert admin(server, "PUT", "clock", {"Advance": 0.5})[0] == 200  # one token back
        assert [status_of(client.list_accounts) for _ in range(2)] == [200, 429]
        assert admin(server, "PUT", "clock", {"Now": "2023-01-01T00:00:00.000Z"})[0] == 200
        assert status_of(client.list_accounts) == 429  # set back: nothing refilled
        assert admin(server, "PUT", "clock", {"Advance": 0.5})[0] == 200
        assert status_of(client.list_accounts) == 200  # and nothing owed for the year gone back


def status_of(call: Any) -> int:
    try:
        call()
    except ClientError as error:
        return int(error.response["ResponseMetadata"]["HTTPStatusCode"])
    return 200


def test_fault_from_the_command_line() -> None:
    with ServerProcess(
        db=None, extra_args=("--fault", "ListAccounts=ServiceUnavailableException:x1", "--quiet")
    ) as server:
        client = sdk_client(server.endpoint_url)
        with pytest.raises(client.exceptions.ServiceUnavailableException):
            client.list_accounts()
        assert client.list_accounts()["Accounts"] == []


@pytest.mark.parametrize("engine", ["sqlite", "sqlite --workers 2", "postgresql"])
def test_fault_rules_from_the_command_line_do_not_pile_up_over_restarts(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """A restart on the same database, or a second instance, with the same ``--fault`` keeps
    one rule; one that was used up is armed again."""
    db = request.getfixturevalue("postgres_url") if engine == "postgresql" else tmp_path / "f.db"
    arguments = ("--fault", "ListAccounts=ServiceUnavailableException:x1", "--quiet")
    if engine.endswith("--workers 2"):
        arguments += ("--workers", "2")
    for start in range(3):
        with ServerProcess(db=db, extra_args=arguments) as server:
            rules = admin(server, "GET", "faults")[1]["Faults"]
            assert len(rules) == 1, f"start {start}: {rules}"
            if start == 1:  # use it up: the next start arms it again
                client = sdk_client(server.endpoint_url)
                with pytest.raises(client.exceptions.ServiceUnavailableException):
                    client.list_accounts()
                assert admin(server, "GET", "faults")[1]["Faults"] == []


def test_admin_token_is_enforced() -> None:
    with ServerProcess(db=None, extra_args=("--admin-token", "s3cret", "--quiet")) as server:
        status, _, body = call(server.endpoint_url, "GET", "/_chime_local/faults", signed=False)
        assert status == 401 and "Bearer" in json.loads(body)["Message"]
        status, _, _ = call(
            server.endpoint_url,
            "GET",
            "/_chime_local/faults",
            headers={"Authorization": "Bearer wrong"},
            signed=False,
        )
        assert status == 401
        status, _, _ = call(
            server.endpoint_url,
            "GET",
            "/_chime_local/faults",
            headers={"Authorization": "Bearer s3cret"},
            signed=False,
        )
        assert status == 200


def test_non_loopback_bind_without_token_refuses_to_start() -> None:
    result = cli("serve", "--host", "0.0.0.0", "--port", "0", "--in-memory")
    assert result.returncode == 2
    assert "--admin-token" in result.stderr
