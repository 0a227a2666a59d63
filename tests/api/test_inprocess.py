"""In-process mode: mock_chime in every form, the pytest fixtures, isolation, parity with a server."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError

from chime_local import Emulator, mock_chime
from chime_local.auth.credentials import Credential
from chime_local.config import Config
from chime_local.testing import ServerProcess
from tests.support import closed_port, sdk_client


def new_client(**kwargs: Any) -> Any:
    return boto3.client("chime", region_name="us-east-1", **kwargs)


def create_and_read(client: Any) -> dict[str, Any]:
    account = client.create_account(Name="In process")["Account"]
    user = client.create_user(AccountId=account["AccountId"], Email="ip@example.com")["User"]
    fetched: dict[str, Any] = client.get_user(
        AccountId=account["AccountId"], UserId=user["UserId"]
    )["User"]
    assert fetched == user
    return fetched


def test_context_manager_yields_the_emulator() -> None:
    with mock_chime() as chime:
        assert isinstance(chime, Emulator)
        user = create_and_read(new_client())
        assert chime.export()["accounts"][0]["users"][0]["id"] == user["UserId"]


@mock_chime
def test_bare_decorator() -> None:
    create_and_read(new_client())


@mock_chime()
def test_called_decorator() -> None:
    create_and_read(new_client())


def test_async_function_decorator() -> None:
    @mock_chime
    async def scenario() -> str:
        await asyncio.sleep(0)
        return str(create_and_read(new_client())["UserId"])

    assert asyncio.run(scenario())


@mock_chime
class TestClassDecorator:
    def test_method_is_mocked(self) -> None:
        create_and_read(new_client())

    def test_each_method_gets_fresh_state(self) -> None:
        assert new_client().list_accounts()["Accounts"] == []


def test_pytest_fixtures(chime: Emulator, chime_client: Any) -> None:
    create_and_read(chime_client)
    assert len(chime.export()["accounts"]) == 1


def test_each_block_starts_empty_and_blocks_nest() -> None:
    with mock_chime():
        client = new_client()
        client.create_account(Name="Outer")
        with mock_chime():
            assert client.list_accounts()["Accounts"] == []
            client.create_account(Name="Inner")
        assert [a["Name"] for a in client.list_accounts()["Accounts"]] == ["Outer"]
    with mock_chime():
        assert client.list_accounts()["Accounts"] == []


def test_client_created_before_the_block_is_answered() -> None:
    client = new_client(aws_access_key_id="AKIAEARLY", aws_secret_access_key="x")
    with mock_chime():
        assert client.list_accounts()["Accounts"] == []


def test_seeded_mock_starts_with_the_seed() -> None:
    seed = {
        "accounts": [{"name": "Seeded", "users": [{"email": "s@example.com", "pin": "1234567890"}]}]
    }
    with mock_chime(seed=seed):
        client = new_client()
        account = client.list_accounts()["Accounts"][0]
        user = client.list_users(AccountId=account["AccountId"])["Users"][0]
        assert (
            client.get_user(AccountId=account["AccountId"], UserId=user["UserId"])["User"][
                "PersonalPIN"
            ]
            == "1234567890"
        )


def test_other_services_are_untouched() -> None:
    with mock_chime():
        sts = boto3.client(
            "sts",
            region_name="us-east-1",
            endpoint_url=f"http://127.0.0.1:{closed_port()}",
            aws_access_key_id="a",
            aws_secret_access_key="b",
        )
        with pytest.raises(EndpointConnectionError):
            sts.get_caller_identity()


def test_strict_mode_in_process() -> None:
    credential = Credential("AKIASTRICT", "right-secret", "111122223333", "strict")
    with mock_chime(config=Config(credentials={"AKIASTRICT": credential}, log_requests=False)):
        good = new_client(aws_access_key_id="AKIASTRICT", aws_secret_access_key="right-secret")
        assert good.create_account(Name="Strict")["Account"]["AwsAccountId"] == "111122223333"
        bad = new_client(aws_access_key_id="AKIASTRICT", aws_secret_access_key="wrong")
        with pytest.raises(bad.exceptions.ClientError, match="InvalidSignatureException"):
            bad.list_accounts()


def test_validation_and_errors_match_the_server() -> None:
    with mock_chime():
        client = new_client()
        with pytest.raises(
            client.exceptions.BadRequestException, match="less than or equal to 100"
        ):
            client.create_account(Name="x" * 101)
        with pytest.raises(client.exceptions.NotFoundException) as caught:
            client.get_user(AccountId="a", UserId="u")
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_chime_server_fixture(chime_server: ServerProcess) -> None:
    create_and_read(sdk_client(chime_server.endpoint_url))


# -- parity: one scenario through both adapters ----------------------------------------------------

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def scenario(client: Any) -> list[Any]:
    """A black-box scenario: every response or error, as the SDK saw it."""
    results: list[Any] = []

    def run(name: str, **params: Any) -> Any:
        try:
            response = getattr(client, name)(**params)
        except client.exceptions.ClientError as error:
            response = error.response
        metadata = response.pop("ResponseMetadata")
        results.append((name, metadata["HTTPStatusCode"], response))
        return response

    account = run("create_account", Name="Parity")["Account"]
    ids = {"AccountId": account["AccountId"]}
    user = run("create_user", **ids, Email="p@example.com", Username="Pat")["User"]
    run("invite_users", **ids, UserEmailList=["q@example.com", "p@example.com"])
    run("get_user", **ids, UserId=user["UserId"])
    run("list_users", **ids, MaxResults=1)
    run("update_user", **ids, UserId=user["UserId"], LicenseType="Basic")
    run(
        "batch_update_user",
        **ids,
        UpdateUserRequestItems=[{"UserId": "nobody", "LicenseType": "Pro"}],
    )
    run("get_user", **ids, UserId="nobody")
    run("create_account", Name="y" * 101)
    run("delete_account", **ids)
    run("batch_suspend_user", **ids, UserIdList=[user["UserId"]])
    run("list_users", **ids)
    run("delete_account", **ids)
    return results


def normalised(results: list[Any]) -> str:
    names: dict[str, str] = {}
    text = repr(results)
    text = UUID.sub(lambda m: names.setdefault(m.group(0), f"<id{len(names)}>"), text)
    text = re.sub(r"datetime\.datetime\([^)]*\)", "<time>", text)
    text = re.sub(r"'\d{10}'", "<pin>", text)
    return re.sub(r"'NextToken': '[^']+'", "'NextToken': <token>", text)


def test_in_process_and_server_answer_identically(chime_server: ServerProcess) -> None:
    over_http = scenario(sdk_client(chime_server.endpoint_url, "111122223333"))
    with mock_chime():
        in_process = scenario(
            new_client(aws_access_key_id="111122223333", aws_secret_access_key="x")
        )
    assert normalised(in_process) == normalised(over_http)
    # the pending invitee still counts as a member, so the last delete is refused too
    assert [status for _, status, _ in over_http] == [
        201,
        201,
        201,
        200,
        200,
        200,
        200,
        404,
        400,
        422,
        200,
        200,
        422,
    ]


def test_calls_from_a_thread_pool_inside_the_block() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with mock_chime():
        client = new_client()
        account = client.create_account(Name="Threads")["Account"]

        def create(i: int) -> str:
            user: dict[str, Any] = client.create_user(
                AccountId=account["AccountId"], Email=f"t{i}@example.com"
            )["User"]
            return str(user["UserId"])

        with ThreadPoolExecutor(8) as pool:
            created = set(pool.map(create, range(120)))
        listed = client.list_users(AccountId=account["AccountId"], MaxResults=200)["Users"]
        assert len(created) == 120
        assert {u["UserId"] for u in listed} == created
