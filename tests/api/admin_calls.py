"""Admin API calls shared by the black-box tests."""

from __future__ import annotations

import json
from typing import Any

from chime_local.testing import ServerProcess
from tests.api.raw import call


def admin(server: ServerProcess, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    status, _, payload = call(
        server.endpoint_url, method, f"/_chime_local/{path}", body, signed=False
    )
    return status, json.loads(payload) if payload else None


def enterprise_account(
    server: ServerProcess,
    tenant: str,
    account_type: str = "EnterpriseLWA",
    domains: tuple[str, ...] = ("example.com",),
) -> dict[str, Any]:
    body = {
        "Name": f"{account_type} Co",
        "AccountType": account_type,
        "AwsAccountId": tenant,
        "Domains": list(domains),
    }
    status, document = admin(server, "POST", "accounts", body)
    assert status == 201, document
    account: dict[str, Any] = document["Account"]
    return account
