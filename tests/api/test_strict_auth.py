"""Strict mode: full SigV4 verification, tenants, per-key permissions (issue: identity)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chime_local.testing import ServerProcess
from tests.api.signing import send, sign
from tests.support import cli, sdk_client

CREDENTIALS = """
[[credentials]]
access_key_id = "AKIAALICE0000000000"
secret_access_key = "alice-secret"
aws_account_id = "111122223333"
user_name = "alice"

[[credentials]]
access_key_id = "AKIABOB000000000000"
secret_access_key = "bob-secret"
aws_account_id = "444455556666"
user_name = "bob"

[[credentials]]
access_key_id = "AKIAREADER000000000"
secret_access_key = "reader-secret"
aws_account_id = "111122223333"
user_name = "reader"
allow = ["chime:Get*", "chime:List*"]

[[credentials]]
access_key_id = "AKIASCOPED000000000"
secret_access_key = "scoped-secret"
aws_account_id = "111122223333"
user_name = "scoped"
chime_accounts = ["00000000-0000-4000-8000-000000000001"]
"""
SECRETS = {
    "alice": ("AKIAALICE0000000000", "alice-secret"),
    "bob": ("AKIABOB000000000000", "bob-secret"),
    "reader": ("AKIAREADER000000000", "reader-secret"),
    "scoped": ("AKIASCOPED000000000", "scoped-secret"),
}


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    directory = tmp_path_factory.mktemp("strict")
    (directory / "credentials.toml").write_text(CREDENTIALS)
    args = ("--credentials", str(directory / "credentials.toml"), "--quiet")
    with ServerProcess(db=directory / "strict.db", extra_args=args) as process:
        yield process


def client_as(server: ServerProcess, who: str, **kwargs: Any) -> Any:
    key, secret = SECRETS[who]
    client = sdk_client(server.endpoint_url, key, **kwargs)
    client._request_signer._credentials = type(client._request_signer._credentials)(key, secret)
    return client


def error_code(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_each_key_sees_only_its_own_tenant(strict_server: ServerProcess) -> None:
    alice, bob = client_as(strict_server, "alice"), client_as(strict_server, "bob")
    mine = alice.create_account(Name="Alice Co")["Account"]
    assert mine["AwsAccountId"] == "111122223333"
    theirs = bob.create_account(Name="Bob Co")["Account"]
    assert theirs["AwsAccountId"] == "444455556666"
    assert mine["AccountId"] in [a["AccountId"] for a in alice.list_accounts()["Accounts"]]
    assert [a["AccountId"] for a in bob.list_accounts()["Accounts"]] == [theirs["AccountId"]]


STRANGER_CALLS = {
    "get_account": lambda c, a, u: c.get_account(AccountId=a),
    "update_account": lambda c, a, u: c.update_account(AccountId=a, Name="x"),
    "delete_account": lambda c, a, u: c.delete_account(AccountId=a),
    "get_account_settings": lambda c, a, u: c.get_account_settings(AccountId=a),
    "update_account_settings": lambda c, a, u: c.update_account_settings(
        AccountId=a, AccountSettings={"EnableDialOut": True}
    ),
    "create_user": lambda c, a, u: c.create_user(AccountId=a, Email="x@example.com"),
    "invite_users": lambda c, a, u: c.invite_users(AccountId=a, UserEmailList=["x@example.com"]),
    "list_users": lambda c, a, u: c.list_users(AccountId=a),
    "get_user": lambda c, a, u: c.get_user(AccountId=a, UserId=u),
    "update_user": lambda c, a, u: c.update_user(AccountId=a, UserId=u, LicenseType="Basic"),
    "batch_update_user": lambda c, a, u: c.batch_update_user(
        AccountId=a, UpdateUserRequestItems=[{"UserId": u, "LicenseType": "Basic"}]
    ),
    "batch_suspend_user": lambda c, a, u: c.batch_suspend_user(AccountId=a, UserIdList=[u]),
    "batch_unsuspend_user": lambda c, a, u: c.batch_unsuspend_user(AccountId=a, UserIdList=[u]),
    "logout_user": lambda c, a, u: c.logout_user(AccountId=a, UserId=u),
    "reset_personal_pin": lambda c, a, u: c.reset_personal_pin(AccountId=a, UserId=u),
    "get_user_settings": lambda c, a, u: c.get_user_settings(AccountId=a, UserId=u),
    "update_user_settings": lambda c, a, u: c.update_user_settings(
        AccountId=a,
        UserId=u,
        UserSettings={"Telephony": {"InboundCalling": True, "OutboundCalling": True, "SMS": True}},
    ),
}


@pytest.mark.parametrize("call", sorted(STRANGER_CALLS))
def test_another_tenants_resources_are_not_found(strict_server: ServerProcess, call: str) -> None:
    alice, bob = client_as(strict_server, "alice"), client_as(strict_server, "bob")
    account = alice.create_account(Name="Isolated")["Account"]
    user = alice.create_user(AccountId=account["AccountId"], Email="own@example.com")["User"]
    with pytest.raises(ClientError) as caught:
        STRANGER_CALLS[call](bob, account["AccountId"], user["UserId"])
    assert error_code(caught) == ("NotFoundException", 404)
    assert alice.get_user(AccountId=account["AccountId"], UserId=user["UserId"])["User"] == user


def test_wrong_secret_is_invalid_signature(strict_server: ServerProcess) -> None:
    client = sdk_client(strict_server.endpoint_url, "AKIAALICE0000000000")  # secret "test-secret"
    with pytest.raises(ClientError) as caught:
        client.list_accounts()
    assert error_code(caught) == ("InvalidSignatureException", 403)
    assert "does not match" in caught.value.response["Error"]["Message"]


def test_unknown_key_is_unrecognized_client(strict_server: ServerProcess) -> None:
    with pytest.raises(ClientError) as caught:
        sdk_client(strict_server.endpoint_url, "AKIANOBODY000000000").list_accounts()
    assert error_code(caught) == ("UnrecognizedClientException", 403)


def test_any_region_in_the_scope_is_accepted(strict_server: ServerProcess) -> None:
    client = client_as(strict_server, "alice", region_name="eu-west-2")
    assert client.list_accounts()["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_get_only_key_can_read_but_not_write(strict_server: ServerProcess) -> None:
    alice, reader = client_as(strict_server, "alice"), client_as(strict_server, "reader")
    account = alice.create_account(Name="Shared tenant")["Account"]
    user = alice.create_user(AccountId=account["AccountId"], Email="r@example.com")["User"]
    assert reader.get_user(AccountId=account["AccountId"], UserId=user["UserId"])["User"] == user
    with pytest.raises(reader.exceptions.ForbiddenException) as caught:
        reader.create_user(AccountId=account["AccountId"], Email="no@example.com")
    assert error_code(caught) == ("ForbiddenException", 403)
    assert caught.value.response["Error"]["Message"] == (
        "User: arn:aws:iam::111122223333:user/reader is not authorized to perform: chime:CreateUser"
    )
    assert len(alice.list_users(AccountId=account["AccountId"])["Users"]) == 1


def test_key_limited_to_chime_accounts(strict_server: ServerProcess) -> None:
    alice, scoped = client_as(strict_server, "alice"), client_as(strict_server, "scoped")
    account = alice.create_account(Name="Out of scope")["Account"]
    with pytest.raises(scoped.exceptions.ForbiddenException) as caught:
        scoped.get_account(AccountId=account["AccountId"])
    assert f"account/{account['AccountId']}" in caught.value.response["Error"]["Message"]


# -- the signature matrix: raw requests signed with botocore, then tampered -------------------

ALICE_KEY, ALICE_SECRET = SECRETS["alice"]


def signed_create(
    server: ServerProcess, name: str, **kwargs: Any
) -> tuple[str, bytes, dict[str, str]]:
    body = json.dumps({"Name": name}).encode()
    headers = sign(
        "POST",
        server.endpoint_url,
        "/accounts",
        body,
        ALICE_KEY,
        ALICE_SECRET,
        headers={"Content-Type": "application/json"},
        **kwargs,
    )
    return "/accounts", body, headers


def account_names(server: ServerProcess) -> set[str]:
    alice = client_as(server, "alice")
    return {a["Name"] for a in alice.list_accounts()["Accounts"]}


def test_a_correctly_signed_raw_request_is_accepted(strict_server: ServerProcess) -> None:
    path, body, headers = signed_create(strict_server, "Raw ok")
    status, _, document = send(strict_server.endpoint_url, "POST", path, body, headers)
    assert status == 201 and document["Account"]["Name"] == "Raw ok"


def test_session_tokens_are_accepted(strict_server: ServerProcess) -> None:
    path, body, headers = signed_create(strict_server, "With token", token="session-token-value")
    assert send(strict_server.endpoint_url, "POST", path, body, headers)[0] == 201


def _tamper_path(
    path: str, body: bytes, headers: dict[str, str]
) -> tuple[str, bytes, dict[str, str]]:
    return "/accounts?operation=x", body, headers


def _tamper_body(
    path: str, body: bytes, headers: dict[str, str]
) -> tuple[str, bytes, dict[str, str]]:
    return path, body.replace(b"Tampered", b"Tempered"), headers


def _tamper_header(
    path: str, body: bytes, headers: dict[str, str]
) -> tuple[str, bytes, dict[str, str]]:
    return path, body, {**headers, "Content-Type": "application/x-amz-json-1.1"}


def _tamper_signature(
    path: str, body: bytes, headers: dict[str, str]
) -> tuple[str, bytes, dict[str, str]]:
    auth = headers["Authorization"]
    return (
        path,
        body,
        {**headers, "Authorization": auth[:-4] + ("0000" if not auth.endswith("0000") else "1111")},
    )


@pytest.mark.parametrize("tamper", [_tamper_path, _tamper_body, _tamper_header, _tamper_signature])
def test_tampered_requests_are_invalid_signature_and_change_nothing(
    strict_server: ServerProcess, tamper: Any
) -> None:
    path, body, headers = tamper(*signed_create(strict_server, "Tampered"))
    status, response_headers, document = send(
        strict_server.endpoint_url, "POST", path, body, headers
    )
    assert (status, response_headers["x-amzn-errortype"]) == (403, "InvalidSignatureException")
    assert document["Message"]
    assert not {"Tampered", "Tempered"} & account_names(strict_server)


def test_tampered_query_is_invalid_signature(strict_server: ServerProcess) -> None:
    headers = sign(
        "GET", strict_server.endpoint_url, "/accounts?max-results=5", b"", ALICE_KEY, ALICE_SECRET
    )
    assert (
        send(strict_server.endpoint_url, "GET", "/accounts?max-results=5", b"", headers)[0] == 200
    )
    status, response_headers, _ = send(
        strict_server.endpoint_url, "GET", "/accounts?max-results=6", b"", headers
    )
    assert (status, response_headers["x-amzn-errortype"]) == (403, "InvalidSignatureException")


@pytest.mark.parametrize(
    ("kwargs", "phrase"),
    [
        ({"when": -timedelta(minutes=16)}, "Signature expired"),
        ({"when": timedelta(minutes=16)}, "Signature expired"),
        ({"service": "s3"}, "scoped to correct service"),
    ],
)
def test_expired_future_and_wrong_service_signatures(
    strict_server: ServerProcess, kwargs: dict[str, Any], phrase: str
) -> None:
    if "when" in kwargs:  # an offset from the moment the test runs, not from collection
        kwargs = {"when": datetime.now(UTC) + kwargs["when"]}
    path, body, headers = signed_create(strict_server, "Bad time", **kwargs)
    status, response_headers, document = send(
        strict_server.endpoint_url, "POST", path, body, headers
    )
    assert (status, response_headers["x-amzn-errortype"]) == (403, "InvalidSignatureException")
    assert phrase in document["Message"]
    assert "Bad time" not in account_names(strict_server)


def test_signatures_within_the_skew_window_are_accepted(strict_server: ServerProcess) -> None:
    path, body, headers = signed_create(
        strict_server, "Slightly late", when=datetime.now(UTC) - timedelta(minutes=10)
    )
    assert send(strict_server.endpoint_url, "POST", path, body, headers)[0] == 201


@pytest.mark.parametrize(
    "authorization",
    [
        "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKIAALICE0000000000/20240101/us-east-1/chime/aws4_request, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKIAALICE0000000000/20240101/us-east-1/chime/aws4_request, SignedHeaders=host",
        "AWS4-HMAC-SHA256 Credential=AKIAALICE0000000000, SignedHeaders=host, Signature=00",
        "Basic YWxpY2U6c2VjcmV0",
    ],
)
def test_malformed_authorization_headers_are_unauthorized(
    strict_server: ServerProcess, authorization: str
) -> None:
    status, headers, _ = send(
        strict_server.endpoint_url, "GET", "/accounts", b"", {"Authorization": authorization}
    )
    assert (status, headers["x-amzn-errortype"]) == (401, "UnauthorizedClientException")


def test_content_sha256_header_must_match_the_body(strict_server: ServerProcess) -> None:
    body = json.dumps({"Name": "Hash check"}).encode()
    import hashlib

    declared = hashlib.sha256(b'{"Name": "Other"}').hexdigest()
    headers = sign(
        "POST",
        strict_server.endpoint_url,
        "/accounts",
        body,
        ALICE_KEY,
        ALICE_SECRET,
        headers={"X-Amz-Content-SHA256": declared},
    )
    status, response_headers, _ = send(
        strict_server.endpoint_url, "POST", "/accounts", body, headers
    )
    assert (status, response_headers["x-amzn-errortype"]) == (403, "InvalidSignatureException")


def test_malformed_credentials_file_stops_the_server_naming_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[credentials]]\naccess_key_id = "A"\nsecret_access_key = "s"\naws_account_id = "12"\n'
    )
    serve = ("serve", "--port", "0", "--in-memory", "--credentials", str(bad))
    result = cli(*serve)
    assert result.returncode == 2
    assert "line 1" in result.stderr and "aws_account_id must be 12 digits" in result.stderr
    bad.write_text("[[credentials]]\naccess_key_id = \n")
    result = cli(*serve)
    assert result.returncode == 2 and "line 2" in result.stderr
