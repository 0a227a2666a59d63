"""Batch user operations: update, suspend, unsuspend (decisions 16-17).

Per-user failures go into ``UserErrors`` (``NotFound`` or ``BadRequest``) and the call still
answers 200; only a problem with the account itself fails the whole call.
"""

from __future__ import annotations

from collections.abc import Callable

from chime_local.errors import BadRequestException
from chime_local.model import shapes
from chime_local.service.batches import item_errors
from chime_local.service.context import Handler, RequestContext
from chime_local.service.lookup import (
    ENTERPRISE_LWA,
    TEAM,
    require_account,
    require_account_type,
    user_not_found,
)
from chime_local.service.phone_assignment import release_user_number
from chime_local.service.users import REGISTERED, SUSPENDED, apply_user_update
from chime_local.store.base import Doc


def _for_each_user(
    ctx: RequestContext, account: Doc, user_ids: list[str], action: Callable[[Doc], None]
) -> shapes.BatchUpdateUserResponse:  # the three batch answers have this one shape
    def run(user_id: str, _: None) -> None:
        user = ctx.store.get_user(account["AccountId"], user_id)
        if user is None:
            raise user_not_found(account["AccountId"], user_id)
        action(user)

    return {"UserErrors": item_errors(((user_id, None) for user_id in user_ids), "UserId", run)}


def batch_update_user(
    ctx: RequestContext, params: shapes.BatchUpdateUserRequest
) -> shapes.BatchUpdateUserResponse:
    account = require_account(ctx, params["AccountId"])
    items = {item["UserId"]: item for item in params["UpdateUserRequestItems"]}

    def update(user: Doc) -> None:
        apply_user_update(account, user, items[user["UserId"]])
        ctx.store.save_user(user)

    return _for_each_user(ctx, account, list(items), update)


def batch_suspend_user(
    ctx: RequestContext, params: shapes.BatchSuspendUserRequest
) -> shapes.BatchSuspendUserResponse:
    account = require_account(ctx, params["AccountId"])

    def suspend(user: Doc) -> None:
        if account["AccountType"] == TEAM:
            release_user_number(ctx, user)
            ctx.store.remove_user(user["UserId"])
        elif account["AccountType"] == ENTERPRISE_LWA:
            user["UserRegistrationStatus"] = SUSPENDED
            ctx.store.save_user(user)
        else:
            raise BadRequestException(
                f"Users of account type {account['AccountType']} are suspended in their "
                "directory, not through Amazon Chime"
            )

    return _for_each_user(ctx, account, params["UserIdList"], suspend)


def batch_unsuspend_user(
    ctx: RequestContext, params: shapes.BatchUnsuspendUserRequest
) -> shapes.BatchUnsuspendUserResponse:
    account = require_account(ctx, params["AccountId"])
    require_account_type(account, {ENTERPRISE_LWA}, "BatchUnsuspendUser")

    def unsuspend(user: Doc) -> None:
        if user.get("UserRegistrationStatus") == SUSPENDED:
            user["UserRegistrationStatus"] = REGISTERED
            ctx.store.save_user(user)

    return _for_each_user(ctx, account, params["UserIdList"], unsuspend)


HANDLERS: dict[str, Handler] = {
    "BatchUpdateUser": batch_update_user,
    "BatchSuspendUser": batch_suspend_user,
    "BatchUnsuspendUser": batch_unsuspend_user,
}
