"""Finding the records a request names, with the tenant boundary and the modeled errors.

Another tenant's account or user is ``NotFoundException``, never ``ForbiddenException``, so
nothing leaks about what exists (decisions 8).
"""

from __future__ import annotations

from collections.abc import Set

from chime_local.errors import BadRequestException, NotFoundException
from chime_local.model.enums import AccountType
from chime_local.service.context import RequestContext
from chime_local.store.base import Doc

ACCOUNT_TYPES: tuple[str, ...] = AccountType.VALUES
TEAM = AccountType.TEAM
ENTERPRISE_LWA = AccountType.ENTERPRISE_LWA
ENTERPRISE_TYPES = frozenset(ACCOUNT_TYPES) - {TEAM}


def require_account(ctx: RequestContext, account_id: str) -> Doc:
    account = ctx.store.get_account(ctx.tenant, account_id)
    if account is None:
        raise NotFoundException(f"Account '{account_id}' not found")
    return account


def require_user(ctx: RequestContext, account_id: str, user_id: str) -> Doc:
    user = ctx.store.get_member(ctx.tenant, account_id, user_id)
    if user is None:
        require_account(ctx, account_id)  # says which of the two is missing
        raise user_not_found(account_id, user_id)
    return user


def user_not_found(account_id: str, user_id: str) -> NotFoundException:
    return NotFoundException(f"User '{user_id}' not found in account '{account_id}'")


def require_account_type(account: Doc, allowed: Set[str], operation: str) -> None:
    """Refuse an operation the account's type does not support (decisions 12)."""
    if account["AccountType"] not in allowed:
        kinds = " or ".join(sorted(allowed))
        raise BadRequestException(
            f"{operation} is not supported for account '{account['AccountId']}' of type "
            f"{account['AccountType']}; it requires an account of type {kinds}"
        )


def require_supported_license(account: Doc, member: str, license_type: str) -> None:
    """Refuse a license (``member`` names the input) the account does not support."""
    if license_type not in account["SupportedLicenses"]:
        raise BadRequestException(
            f"{member} '{license_type}' is not supported by account '{account['AccountId']}' "
            f"(supported: {', '.join(account['SupportedLicenses'])})"
        )


def require_enterprise_account(ctx: RequestContext, account_id: str, operation: str) -> Doc:
    """The tenant's account, which must be an Enterprise one (rooms, bots, retention ...)."""
    account = require_account(ctx, account_id)
    require_account_type(account, ENTERPRISE_TYPES, operation)
    return account
