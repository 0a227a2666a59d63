"""deploy/nginx.conf in front of two strict instances on one PostgreSQL database: SDK calls
through the balancer are signed, verified and answered from the shared state, both instances
take a share of them, when one instance stops the calls go to the other, and with none left the
client gets Chime's modeled 503."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.exceptions import ClientError

from chime_local.testing import ServerProcess
from tests.api.test_strict_auth import CREDENTIALS, SECRETS
from tests.nginx import Balancer, nginx_binary
from tests.support import NO_RETRIES


@pytest.fixture
def instances(postgres_url: str, tmp_path: Path) -> Iterator[list[ServerProcess]]:
    (tmp_path / "credentials.toml").write_text(CREDENTIALS)
    args = ("--credentials", str(tmp_path / "credentials.toml"), "--quiet")
    with (
        ServerProcess(db=postgres_url, extra_args=args) as first,
        ServerProcess(db=postgres_url, extra_args=args) as second,
    ):
        yield [first, second]


@pytest.fixture
def balancer(instances: list[ServerProcess]) -> Iterator[Balancer]:
    if nginx_binary() is None:
        reason = "nginx not found (Debian's nginx package)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    with Balancer([_port(instance) for instance in instances]) as balancer:
        yield balancer


def _port(instance: ServerProcess) -> int:
    port = urlsplit(instance.endpoint_url).port
    assert port is not None
    return port


def _client(endpoint_url: str, who: str, secret: str | None = None) -> Any:
    key, known_secret = SECRETS[who]
    return boto3.client(
        "chime",
        endpoint_url=endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret or known_secret,
        config=NO_RETRIES,
    )


def _established(port: int) -> int:
    """TCP connections established to local ``port`` (Linux's /proc/net/tcp)."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        count += state == "01" and int(local.rsplit(":", 1)[1], 16) == port
    return count


def test_calls_through_nginx_are_verified_and_spread_over_both_instances(
    instances: list[ServerProcess], balancer: Balancer
) -> None:
    alice = _client(balancer.endpoint_url, "alice")
    account_id = alice.create_account(Name="Behind nginx")["Account"]["AccountId"]
    made = [
        alice.create_user(AccountId=account_id, Email=f"user{n}@example.com")["User"]
        for n in range(8)
    ]
    for user in made:  # every instance sees what the other wrote
        found = alice.get_user(AccountId=account_id, UserId=user["UserId"])["User"]
        assert found["PrimaryEmail"] == user["PrimaryEmail"]
    listed = alice.list_users(AccountId=account_id)["Users"]
    assert sorted(u["UserId"] for u in listed) == sorted(u["UserId"] for u in made)
    # the signature covers the Host header the client used: nginx passes it on unchanged
    with pytest.raises(ClientError) as refused:
        _client(balancer.endpoint_url, "alice", secret="wrong").list_accounts()
    error = refused.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == (
        "InvalidSignatureException",
        403,
    )
    # round robin: nginx keeps a connection open to each instance it sent calls to
    assert [_established(_port(instance)) > 0 for instance in instances] == [True, True]


def test_when_one_instance_stops_the_calls_go_to_the_other(
    instances: list[ServerProcess], balancer: Balancer
) -> None:
    alice = _client(balancer.endpoint_url, "alice")
    account_id = alice.create_account(Name="Failover")["Account"]["AccountId"]
    instances[0].stop()
    for n in range(6):  # each would reach the stopped instance in turn without failover
        alice.create_user(AccountId=account_id, Email=f"after{n}@example.com")
    assert len(alice.list_users(AccountId=account_id)["Users"]) == 6


def test_with_no_instance_answering_clients_get_a_modeled_503(
    instances: list[ServerProcess], balancer: Balancer
) -> None:
    alice = _client(balancer.endpoint_url, "alice")
    for instance in instances:
        instance.stop()
    with pytest.raises(alice.exceptions.ServiceUnavailableException) as caught:
        alice.list_accounts()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
