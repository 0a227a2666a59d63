"""Per-key permissions of strict mode: IAM-style action patterns and Chime account lists.

Denials are ``ForbiddenException`` with the IAM wording
``User: arn:aws:iam::111122223333:user/alice is not authorized to perform: chime:GetUser``.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from chime_local.auth.credentials import Credential
from chime_local.errors import ForbiddenException


def authorize(credential: Credential, arn: str, action: str, account_id: str | None) -> None:
    if not any(fnmatchcase(action.lower(), p.lower()) for p in credential.allow):
        raise ForbiddenException(f"User: {arn} is not authorized to perform: {action}")
    if account_id is None or "*" in credential.chime_accounts:
        return
    if account_id not in credential.chime_accounts:
        resource = f"arn:aws:chime::{credential.aws_account_id}:account/{account_id}"
        raise ForbiddenException(
            f"User: {arn} is not authorized to perform: {action} on resource: {resource}"
        )
