"""As a new user would: the AWS CLI against a running server, and the server's own log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from chime_local.testing import ServerProcess
from tests.support import fresh_tenant, sdk_client


def aws(server: ServerProcess, tenant: str, *args: str) -> Any:
    env = dict(
        os.environ,
        AWS_ACCESS_KEY_ID=tenant,
        AWS_SECRET_ACCESS_KEY="test-secret",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    bin_dir = Path(sys.executable).parent
    command = [
        str(bin_dir / "aws"),
        "chime",
        *args,
        "--endpoint-url",
        server.endpoint_url,
        "--output",
        "json",
    ]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    return result


def test_aws_cli_get_user_prints_the_user(server: ServerProcess) -> None:
    tenant = fresh_tenant()
    account = json.loads(aws(server, tenant, "create-account", "--name", "CLI Team").stdout)[
        "Account"
    ]
    created = json.loads(
        aws(
            server,
            tenant,
            "create-user",
            "--account-id",
            account["AccountId"],
            "--email",
            "cli@example.com",
        ).stdout
    )["User"]
    result = aws(
        server,
        tenant,
        "get-user",
        "--account-id",
        account["AccountId"],
        "--user-id",
        created["UserId"],
    )
    assert result.returncode == 0, result.stderr
    user = json.loads(result.stdout)["User"]
    assert user["UserId"] == created["UserId"]
    assert user["PrimaryEmail"] == "cli@example.com"
    assert user["PersonalPIN"] == created["PersonalPIN"]


def test_aws_cli_reports_not_found(server: ServerProcess) -> None:
    tenant = fresh_tenant()
    result = aws(server, tenant, "get-user", "--account-id", "nope", "--user-id", "nobody")
    assert result.returncode != 0
    assert "NotFoundException" in result.stderr


def test_server_logs_one_line_per_request_and_stops_cleanly(tmp_path: Path) -> None:
    server = ServerProcess(db=tmp_path / "log.db").start()
    try:
        client = sdk_client(server.endpoint_url)
        account = client.create_account(Name="Logged")["Account"]
        response = client.get_account(AccountId=account["AccountId"])
    finally:
        assert server.stop() == 0
    lines = [line for line in server.output if " GetAccount " in line]
    assert len(lines) == 1
    request_id = response["ResponseMetadata"]["RequestId"]
    assert f"GET /accounts/{account['AccountId']} GetAccount 200" in lines[0]
    assert lines[0].rstrip().endswith(request_id)
    assert "ms " in lines[0]


def test_boto3_finds_the_server_through_aws_endpoint_url_chime(
    server: ServerProcess, monkeypatch: Any
) -> None:
    import boto3

    monkeypatch.setenv("AWS_ENDPOINT_URL_CHIME", server.endpoint_url)
    client = boto3.client(
        "chime",
        region_name="us-east-1",
        aws_access_key_id=fresh_tenant(),
        aws_secret_access_key="x",
    )
    assert client.meta.endpoint_url == server.endpoint_url
    assert client.create_account(Name="Via environment")["Account"]["Name"] == "Via environment"
