"""Account-level extras of Enterprise accounts: retention, sign-in delegate groups, redaction.

Retention: ``PutRetentionSettings`` answers 204 (its modeled output is unreachable), and
``GetRetentionSettings`` returns the settings with ``InitiateDeletionTimestamp`` = the policy's
update time plus the 30-day grace period (``{"RetentionSettings": {}}`` before any put).
Delegate groups are a set: associating a present group or removing an absent one changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from chime_local.clock import wire_time
from chime_local.model import shapes
from chime_local.service.context import Handler, RequestContext, record
from chime_local.service.lookup import require_account, require_enterprise_account
from chime_local.store import kinds
from chime_local.store.base import Doc

RETENTION_KIND = kinds.RETENTION_SETTINGS
GRACE_PERIOD = timedelta(days=30)


def get_retention_settings(
    ctx: RequestContext, params: shapes.GetRetentionSettingsRequest
) -> shapes.GetRetentionSettingsResponse:
    account = require_enterprise_account(ctx, params["AccountId"], "GetRetentionSettings")
    stored = ctx.store.get_record(RETENTION_KIND, account["AccountId"])
    return cast(shapes.GetRetentionSettingsResponse, stored or {"RetentionSettings": {}})


def put_retention_settings(
    ctx: RequestContext, params: shapes.PutRetentionSettingsRequest
) -> shapes.PutRetentionSettingsResponse:
    account = require_enterprise_account(ctx, params["AccountId"], "PutRetentionSettings")
    settings = params["RetentionSettings"]
    document: Doc = {"RetentionSettings": settings}
    if any(section.get("RetentionDays") for section in record(settings).values()):
        document["InitiateDeletionTimestamp"] = wire_time(ctx.moment + GRACE_PERIOD)
    ctx.store.put_record(RETENTION_KIND, account["AccountId"], account["AccountId"], document)
    return cast(shapes.PutRetentionSettingsResponse, document)  # the record is the answer


def associate_signin_delegate_groups_with_account(
    ctx: RequestContext, params: shapes.AssociateSigninDelegateGroupsWithAccountRequest
) -> shapes.AssociateSigninDelegateGroupsWithAccountResponse:
    account = require_enterprise_account(
        ctx, params["AccountId"], "AssociateSigninDelegateGroupsWithAccount"
    )
    names = [group["GroupName"] for group in account["SigninDelegateGroups"]]
    for group in params["SigninDelegateGroups"]:
        if group.get("GroupName") and group["GroupName"] not in names:
            names.append(group["GroupName"])
    account["SigninDelegateGroups"] = [{"GroupName": name} for name in names]
    ctx.store.save_account(account)
    return {}


def disassociate_signin_delegate_groups_from_account(
    ctx: RequestContext, params: shapes.DisassociateSigninDelegateGroupsFromAccountRequest
) -> shapes.DisassociateSigninDelegateGroupsFromAccountResponse:
    account = require_enterprise_account(
        ctx, params["AccountId"], "DisassociateSigninDelegateGroupsFromAccount"
    )
    removed = set(params["GroupNames"])
    account["SigninDelegateGroups"] = [
        group for group in account["SigninDelegateGroups"] if group["GroupName"] not in removed
    ]
    ctx.store.save_account(account)
    return {}


def redact_conversation_message(
    ctx: RequestContext, params: shapes.RedactConversationMessageRequest
) -> shapes.RedactConversationMessageResponse:
    """There is no message store: the account must exist, any conversation and message ID pass."""
    require_account(ctx, params["AccountId"])
    return {}


HANDLERS: dict[str, Handler] = {
    "GetRetentionSettings": get_retention_settings,
    "PutRetentionSettings": put_retention_settings,
    "AssociateSigninDelegateGroupsWithAccount": associate_signin_delegate_groups_with_account,
    "DisassociateSigninDelegateGroupsFromAccount": disassociate_signin_delegate_groups_from_account,
    "RedactConversationMessage": redact_conversation_message,
}
