"""The invitation outbox: the emails the real service would have sent, kept as records.

``InviteUsers`` records one email per invitation it reports ``Sent``: recipient, subject, a
plain-text body, the time on the server clock and a link ``/_chime_local/invitations/{token}``
that chime-local serves (a sign-up page accepting the invitation). The emails live in the store
as records of one kind, scoped by Chime account, so they survive restarts and travel in seed and
export documents.

Tokens expire :data:`INVITATION_LIFETIME` after the email was sent. Amazon Chime's documentation
states no lifetime for its invitation links; 30 days is the common lifetime of emailed
invitations to AWS services and is long enough that no test that does not move the clock meets it.
"""

from __future__ import annotations

import base64
import secrets
from datetime import timedelta
from typing import Any

from chime_local.clock import parse_wire_time, wire_time
from chime_local.errors import BadRequestException
from chime_local.service.context import RequestContext
from chime_local.store import Store, kinds
from chime_local.store.base import Doc

KIND = kinds.OUTBOX_EMAIL
INVITATION_LIFETIME = timedelta(days=30)
LINK_PREFIX = "/_chime_local/invitations/"
FILTERS = ("Tenant", "AccountId", "Recipient")


def record_invitation(ctx: RequestContext, account: Doc, user: Doc) -> Doc:
    """Record the invitation email sent to ``user`` of ``account``; returns it."""
    token = secrets.token_urlsafe(24)
    link = LINK_PREFIX + token
    expires = wire_time(parse_wire_time(ctx.now) + INVITATION_LIFETIME)
    email: Doc = {
        "Token": token,
        "Tenant": ctx.caller.tenant,
        "AccountId": account["AccountId"],
        "UserId": user["UserId"],
        "Recipient": user["PrimaryEmail"],
        "Subject": f"You are invited to join {account['Name']} on Amazon Chime",
        "Body": (
            f"Hello,\n\nYou have been invited to join the Amazon Chime team account "
            f"'{account['Name']}'.\nTo accept, open this link before {expires}:\n\n{link}\n"
        ),
        "SentAt": ctx.now,
        "ExpiresAt": expires,
        "Link": link,
    }
    ctx.store.put_record(KIND, account["AccountId"], token, email)
    return email


def find_email(store: Store, token: str) -> Doc | None:
    return store.get_record(KIND, token)


def expired(email: Doc, now: str) -> bool:
    return parse_wire_time(now) >= parse_wire_time(email["ExpiresAt"])


def list_emails(
    store: Store, filters: dict[str, str], limit: int, next_token: str | None = None
) -> tuple[list[Doc], str | None]:
    """Emails matching every filter, newest first; a page of ``limit`` and the next token."""
    emails = [doc for _, doc in store.kind_records(KIND)]
    emails = [doc for doc in emails if all(doc.get(k) == v for k, v in filters.items())]
    emails.sort(key=_order, reverse=True)
    if next_token is not None:
        after = _decode(next_token)
        emails = [doc for doc in emails if _order(doc) < after]
    page = emails[:limit]
    more = len(emails) > limit
    return page, _encode(_order(page[-1])) if more else None


def clear(store: Store) -> int:
    """Delete every email; returns how many there were."""
    tokens = [doc["Token"] for _, doc in store.kind_records(KIND)]
    for token in tokens:
        store.delete_record(KIND, token)
    return len(tokens)


def _order(doc: Doc) -> tuple[str, str]:
    return (doc["SentAt"], doc["Token"])


def _encode(key: tuple[str, str]) -> str:
    return base64.urlsafe_b64encode("|".join(key).encode()).decode()


def _decode(token: str) -> tuple[str, str]:
    try:
        sent, _, last = base64.urlsafe_b64decode(token.encode()).decode().partition("|")
    except (ValueError, UnicodeDecodeError):
        sent, last = "", ""
    if not sent or not last:
        raise BadRequestException("NextToken: not a token this outbox returned")
    return (sent, last)


def describe(email: Doc, base_url: str) -> dict[str, Any]:
    """An email as the admin API shows it: with the link's full address."""
    return {**email, "Url": base_url + email["Link"]}
