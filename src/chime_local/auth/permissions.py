"""Per-key permissions of strict mode: IAM-style action patterns and Chime account lists.

Denials are ``ForbiddenException`` with the IAM wording
``User: arn:aws:iam::111122223333:user/alice is not authorized to perform: chime:GetUser``.

A key limited to some Chime accounts is an IAM policy whose resources are those accounts: it may
not act on another account, and what it lists is what that policy lets it see
(:func:`visible_accounts`): ListAccounts shows only its accounts, and ListPhoneNumbers hides the
numbers associated with other accounts (the inventory's unassigned numbers belong to no account
and stay visible).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
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


def visible_accounts(
    credentials: Mapping[str, Credential] | None, access_key: str
) -> frozenset[str] | None:
    """The Chime accounts a key may see, or ``None`` when it is not limited to some."""
    credential = credentials.get(access_key) if credentials is not None else None
    if credential is None or "*" in credential.chime_accounts:
        return None
    return frozenset(credential.chime_accounts)
