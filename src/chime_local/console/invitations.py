"""The invitation link of an outbox email: a sign-up page, and accepting it.

``GET /_chime_local/invitations/{token}`` shows who is invited to which account; submitting the
page accepts the invitation through the admin API's accept-invitation handler, so the user ends
exactly as that call leaves them (Registered, registered-on time, a PIN). The token is the
capability: the page needs no admin token (the invitee is not the admin), and the form carries a
value derived from the token so that another site cannot submit it for a token it does not know.
An unknown token is a 404, an expired one (:data:`~chime_local.service.outbox.INVITATION_LIFETIME`
on the server clock) a 410, an accepted one a 409.
"""

from __future__ import annotations

from chime_local.admin.api import ADMIN_PREFIX, AdminApi, AdminError
from chime_local.admin.state import EmulatorState
from chime_local.console.forms import read_form
from chime_local.console.guard import ConsoleGuard
from chime_local.console.render import environment, render
from chime_local.errors import ChimeError
from chime_local.model.enums import InviteStatus
from chime_local.protocol.http import HttpRequest, HttpResponse
from chime_local.service import outbox
from chime_local.store.base import Doc


class InvitationPages:
    def __init__(self, state: EmulatorState, api: AdminApi) -> None:
        self.state = state
        self.api = api
        self.env = environment()
        self.guard = ConsoleGuard(state.store.state.token_secret(), None)

    def handle(self, request: HttpRequest, token: str) -> HttpResponse:
        with self.state.store.transaction(write=False):
            email = outbox.find_email(self.state.store, token)
            user = self._user(email) if email else None
        if email is None or user is None:
            return render(self.env, 404, "invitation.html", state="unknown", email=None)
        if outbox.expired(email, self.state.clock.wire_now()):
            return render(self.env, 410, "invitation.html", state="expired", email=email)
        if user.get("UserInvitationStatus") != InviteStatus.PENDING:
            return render(
                self.env, 409, "invitation.html", state="accepted", email=email, user=user
            )
        if request.method == "POST":
            return self._accept(request, token, email)
        csrf = self.guard.csrf_token(token)
        return render(self.env, 200, "invitation.html", state="open", email=email, csrf=csrf)

    def _user(self, email: Doc) -> Doc | None:
        return self.state.store.get_user(email["AccountId"], email["UserId"])

    def _accept(self, request: HttpRequest, token: str, email: Doc) -> HttpResponse:
        if not self.guard.csrf_valid(token, read_form(request).get("csrf")):
            return render(self.env, 403, "invitation.html", state="refused", email=email)
        path = (
            f"{ADMIN_PREFIX}accounts/{email['AccountId']}/users/{email['UserId']}/accept-invitation"
        )
        try:
            _, answer = self.api.call(HttpRequest("POST", path))
        except (AdminError, ChimeError) as error:
            return render(
                self.env, 409, "invitation.html", state="failed", email=email, message=error.message
            )
        return render(
            self.env, 200, "invitation.html", state="registered", email=email, user=answer["User"]
        )
