"""Users of a Chime account: create, invite, read, list, update, PIN, logout, settings.

Behaviour follows decisions 13-19: created users are ``Registered`` at once with a PIN; invited
users are ``Unregistered``/``Pending`` with no PIN until the admin API accepts the invitation;
``ListUsers`` never carries ``PersonalPIN``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from chime_local.errors import BadRequestException, ConflictException
from chime_local.model import shapes
from chime_local.model.enums import EmailStatus, InviteStatus, RegistrationStatus, UserType
from chime_local.service import outbox
from chime_local.service.context import Handler, RequestContext, new_id, new_pin, record
from chime_local.service.lookup import (
    TEAM,
    require_account,
    require_account_type,
    require_supported_license,
    require_user,
)
from chime_local.service.pagination import page_scope, paged
from chime_local.store.base import Doc

DEFAULT_PAGE_SIZE = 100
DEFAULT_USER_SETTINGS: Doc = {
    "Telephony": {"InboundCalling": False, "OutboundCalling": False, "SMS": False}
}
REGISTERED, UNREGISTERED, SUSPENDED = (
    RegistrationStatus.REGISTERED,
    RegistrationStatus.UNREGISTERED,
    RegistrationStatus.SUSPENDED,
)


def new_user(account: Doc, email: str, user_type: str = UserType.PRIVATE_USER) -> Doc:
    """The common part of a created or invited user; the caller sets the state fields."""
    return {
        "UserId": new_id(),
        "AccountId": account["AccountId"],
        "PrimaryEmail": email,
        "LicenseType": account["DefaultLicense"],
        "UserType": user_type,
        "AlexaForBusinessMetadata": {"IsAlexaForBusinessEnabled": False},
    }


def register(ctx: RequestContext, user: Doc, display_name: str | None = None) -> None:
    """Make a user a registered member: status, time, display name and a fresh PIN."""
    user["UserRegistrationStatus"] = REGISTERED
    user["RegisteredOn"] = ctx.now
    user["DisplayName"] = (
        display_name or user.get("DisplayName") or local_part(user["PrimaryEmail"])
    )
    user["PersonalPIN"] = new_pin()


def create_user(ctx: RequestContext, params: shapes.CreateUserRequest) -> shapes.CreateUserResponse:
    account = require_account(ctx, params["AccountId"])
    email = params.get("Email")
    if email is None:
        raise BadRequestException(
            "1 validation error detected: Value null at 'Email' failed to satisfy constraint: "
            "Member must not be null"
        )
    if ctx.store.find_user_by_email(account["AccountId"], email) is not None:
        raise ConflictException(
            f"A user with email '{email}' already exists in account '{account['AccountId']}'"
        )
    user = new_user(account, email, params.get("UserType", UserType.PRIVATE_USER))
    register(ctx, user, params.get("Username"))
    ctx.store.insert_user(user, default_user_settings())
    return {"User": user}


def invite_users(
    ctx: RequestContext, params: shapes.InviteUsersRequest
) -> shapes.InviteUsersResponse:
    account = require_account(ctx, params["AccountId"])
    require_account_type(account, {TEAM}, "InviteUsers")
    invites = [
        _invite(ctx, account, email, params.get("UserType", UserType.PRIVATE_USER))
        for email in params["UserEmailList"]
    ]
    return {"Invites": invites}


def _invite(ctx: RequestContext, account: Doc, email: str, user_type: str) -> Doc:
    invite: Doc = {"InviteId": new_id(), "EmailAddress": email}
    existing = ctx.store.find_user_by_email(account["AccountId"], email)
    if existing is not None and existing.get("UserRegistrationStatus") != UNREGISTERED:
        return {**invite, "Status": InviteStatus.FAILED, "EmailStatus": EmailStatus.NOT_SENT}
    if existing is not None:
        user = existing
        user["InvitedOn"] = ctx.now
        ctx.store.save_user(user)
    else:
        user = new_user(account, email, user_type)
        user |= {
            "UserRegistrationStatus": UNREGISTERED,
            "UserInvitationStatus": InviteStatus.PENDING,
            "InvitedOn": ctx.now,
        }
        ctx.store.insert_user(user, default_user_settings())
    outbox.record_invitation(ctx, account, user)
    return {**invite, "Status": InviteStatus.PENDING, "EmailStatus": EmailStatus.SENT}


def accept_invitation(ctx: RequestContext, user: Doc) -> Doc:
    """What happens when an invitee accepts (admin API; decisions 14)."""
    if user.get("UserInvitationStatus") != InviteStatus.PENDING:
        raise ConflictException(f"User '{user['UserId']}' has no pending invitation to accept")
    register(ctx, user)
    user["UserInvitationStatus"] = InviteStatus.ACCEPTED
    ctx.store.save_user(user)
    return user


def get_user(ctx: RequestContext, params: shapes.GetUserRequest) -> shapes.GetUserResponse:
    return {"User": require_user(ctx, params["AccountId"], params["UserId"])}


def list_users(ctx: RequestContext, params: shapes.ListUsersRequest) -> shapes.ListUsersResponse:
    account = require_account(ctx, params["AccountId"])
    email, user_type = params.get("UserEmail"), params.get("UserType")
    scope = page_scope("ListUsers", account["AccountId"], email and email.lower(), user_type)
    page = ctx.store.list_users(
        account["AccountId"],
        after=ctx.tokens.decode(scope, params.get("NextToken")),
        limit=params.get("MaxResults", DEFAULT_PAGE_SIZE),
        email=email,
        user_type=user_type,
    )
    for user in page.items:
        user.pop("PersonalPIN", None)
    answer = paged(ctx.tokens, scope, "Users", page.items, page.last_seq)
    return cast(shapes.ListUsersResponse, answer)


def apply_user_update(account: Doc, user: Doc, changes: Mapping[str, Any]) -> None:
    """Apply the members UpdateUser and BatchUpdateUser accept; checks the license first."""
    if changes.get("LicenseType") is not None:
        require_supported_license(account, "LicenseType", changes["LicenseType"])
    for member in ("LicenseType", "UserType", "AlexaForBusinessMetadata"):
        if changes.get(member) is not None:
            user[member] = changes[member]


def update_user(ctx: RequestContext, params: shapes.UpdateUserRequest) -> shapes.UpdateUserResponse:
    account = require_account(ctx, params["AccountId"])
    user = require_user(ctx, account["AccountId"], params["UserId"])
    apply_user_update(account, user, params)
    ctx.store.save_user(user)
    return {"User": user}


def reset_personal_pin(
    ctx: RequestContext, params: shapes.ResetPersonalPINRequest
) -> shapes.ResetPersonalPINResponse:
    user = require_user(ctx, params["AccountId"], params["UserId"])
    user["PersonalPIN"] = new_pin(previous=user.get("PersonalPIN"))
    ctx.store.save_user(user)
    return {"User": user}


def logout_user(ctx: RequestContext, params: shapes.LogoutUserRequest) -> shapes.LogoutUserResponse:
    user = require_user(ctx, params["AccountId"], params["UserId"])
    private = ctx.store.get_user_private(user["UserId"])
    private["LastLogoutAt"] = ctx.now
    ctx.store.save_user_private(user["UserId"], private)
    return {}


def get_user_settings(
    ctx: RequestContext, params: shapes.GetUserSettingsRequest
) -> shapes.GetUserSettingsResponse:
    user = require_user(ctx, params["AccountId"], params["UserId"])
    return {"UserSettings": ctx.store.get_user_settings(user["UserId"])}


def update_user_settings(ctx: RequestContext, params: shapes.UpdateUserSettingsRequest) -> None:
    user = require_user(ctx, params["AccountId"], params["UserId"])
    ctx.store.save_user_settings(user["UserId"], record(params["UserSettings"]))


def local_part(email: str) -> str:
    """The default display name: what precedes the ``@``."""
    return email.split("@", 1)[0]


def default_user_settings() -> Doc:
    return {"Telephony": dict(DEFAULT_USER_SETTINGS["Telephony"])}


HANDLERS: dict[str, Handler] = {
    "CreateUser": create_user,
    "InviteUsers": invite_users,
    "GetUser": get_user,
    "ListUsers": list_users,
    "UpdateUser": update_user,
    "ResetPersonalPIN": reset_personal_pin,
    "LogoutUser": logout_user,
    "GetUserSettings": get_user_settings,
    "UpdateUserSettings": update_user_settings,
}
