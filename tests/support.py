"""Test helpers shared by unit and black-box tests: example inputs for every operation.

``example_input`` builds a valid input for any operation from its shape, so routing and parsing
can be proven for all 62 operations without hand-writing 62 requests.
"""

from __future__ import annotations

import secrets
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.model import Shape, StructureShape

# Values that satisfy the patterns of the string shapes that have one.
EXAMPLE_STRINGS = {
    "E164PhoneNumber": "+12065550100",
    "EmailAddress": "someone@example.com",
    "GuidString": "0d8d3c2e-8f1a-4c2b-9a7e-1f2e3d4c5b6a",
    "TollFreePrefix": "844",
    "Alpha2CountryCode": "US",
    "CallingName": "Example Name",
    "ClientRequestToken": "token-1234",
    "JoinTokenString": "am9pbi10b2tlbg",
    "AccountName": "Example Team",
}


def closed_port() -> int:
    """A loopback port nothing listens on: bound by us a moment ago, then released. (A fixed
    port such as 9 may well be open on some machine.)"""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def fresh_tenant() -> str:
    """A random 12-digit AWS account id: in default auth mode, a tenant of its own."""
    return f"{secrets.randbelow(9 * 10**11) + 10**11}"


NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def sdk_client(endpoint_url: str, access_key: str | None = None, **kwargs: Any) -> Any:
    """A boto3 chime client of a server, in a tenant of its own unless a key is given."""
    return boto3.client(
        "chime",
        endpoint_url=endpoint_url,
        region_name=kwargs.pop("region_name", "us-east-1"),
        aws_access_key_id=access_key or fresh_tenant(),
        aws_secret_access_key="test-secret",
        config=kwargs.pop("config", NO_RETRIES),
        **kwargs,
    )


def example_value(shape: Shape, name: str) -> Any:
    kind = shape.type_name
    if isinstance(shape, StructureShape):
        return {m: example_value(s, m) for m, s in shape.members.items()}
    if kind == "list":
        return [example_value(shape.member, name)]  # type: ignore[attr-defined]
    if kind == "boolean":
        return True
    if kind in ("integer", "long"):
        return int(shape.metadata.get("min", 1))
    if kind == "timestamp":
        return "2024-01-02T03:04:05.678Z"
    if "enum" in shape.metadata:
        return shape.metadata["enum"][0]
    if shape.name in EXAMPLE_STRINGS:
        return EXAMPLE_STRINGS[shape.name]
    return f"{name}-value"


def example_input(shape: StructureShape | None) -> dict[str, Any]:
    if shape is None:
        return {}
    return {member: example_value(s, member) for member, s in shape.members.items()}


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the ``chime-local`` command with these arguments and capture what it prints."""
    return subprocess.run(
        [sys.executable, "-m", "chime_local", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )
