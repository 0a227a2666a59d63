"""moto, the peer: moto has no Chime, so both comparisons read a QuickSight user (DescribeUser),
its closest operation to GetUser."""

from __future__ import annotations

from typing import Any

ACCOUNT, NAMESPACE, USER = "123456789012", "default", "jane.doe"


def register_reader(client: Any) -> None:
    """Create the user the benchmark then describes, through a boto3 QuickSight client."""
    client.register_user(
        AwsAccountId=ACCOUNT,
        Namespace=NAMESPACE,
        IdentityType="QUICKSIGHT",
        Email="jane.doe@example.com",
        UserRole="READER",
        UserName=USER,
    )
