"""Per-key permissions of strict mode: IAM-style action patterns and Chime account lists.

Denials are ``ForbiddenException`` with the IAM wording
``User: arn:aws:iam::111122223333:user/alice is not authorized to perform: chime:GetUser``.
"""

from __future__ import annotations

import functools
import re
from fnmatch import translate

from chime_local.auth.credentials import Credential
from chime_local.errors import ForbiddenException


@functools.lru_cache(maxsize=1024)
def _allowed_actions(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One expression for a key's ``allow`` patterns (shell-style, case-insensitive)."""
    return re.compile("|".join(translate(pattern.lower()) for pattern in patterns))


def authorize(credential: Credential, arn: str, action: str, account_id: str | None) -> None:
    if not credential.allow or not _allowed_actions(credential.allow).match(action.lower()):
        raise ForbiddenException(f"User: {arn} is not authorized to perform: {action}")
    if account_id is None or "*" in credential.chime_accounts:
        return
    if account_id not in credential.chime_accounts:
        resource = f"arn:aws:chime::{credential.aws_account_id}:account/{account_id}"
        raise ForbiddenException(
            f"User: {arn} is not authorized to perform: {action} on resource: {resource}"
        )
