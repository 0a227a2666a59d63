"""Who may use the console: the admin token's holder, and never another site's form.

- With an admin token, the console asks for it once (a form) and then keeps a session cookie
  derived from it: ``HttpOnly`` (no script reads it), ``SameSite=Strict`` (no other site's page
  sends it) and scoped to the console's path. Without one, the cookie is a random session id.
- Every state-changing form carries a CSRF token derived from the session (HMAC with the store's
  secret), checked on submission; a form posted from another site has neither.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from http.cookies import SimpleCookie

from chime_local.protocol.http import HttpRequest

COOKIE = "chime_local_console"
COOKIE_PATH = "/_chime_local/console/"


class ConsoleGuard:
    def __init__(self, secret: bytes, admin_token: str | None) -> None:
        self._secret = secret
        self._admin_token = admin_token

    def _sign(self, purpose: str, value: str) -> str:
        return hmac.new(self._secret, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    @property
    def needs_login(self) -> bool:
        return self._admin_token is not None

    def session(self, request: HttpRequest) -> str | None:
        """The request's valid session, or ``None``."""
        cookie = SimpleCookie()
        try:
            cookie.load(request.headers.get("cookie", ""))
        except ValueError:
            return None
        morsel = cookie.get(COOKIE)
        if morsel is None or not morsel.value:
            return None
        if self._admin_token is None:
            return morsel.value
        expected = self._sign("session", self._admin_token)
        return morsel.value if hmac.compare_digest(morsel.value, expected) else None

    def login(self, token: str) -> str | None:
        """A session for the right admin token, else ``None``."""
        if self._admin_token is None or not hmac.compare_digest(
            token.encode(), self._admin_token.encode()
        ):
            return None
        return self._sign("session", self._admin_token)

    def new_session(self) -> str:
        """A session where no token is needed."""
        return secrets.token_urlsafe(24)

    def csrf_token(self, session: str) -> str:
        return self._sign("csrf", session)

    def csrf_valid(self, session: str, given: str) -> bool:
        return hmac.compare_digest(given.encode(), self.csrf_token(session).encode())


def session_cookie(value: str) -> str:
    return f"{COOKIE}={value}; Path={COOKIE_PATH}; HttpOnly; SameSite=Strict"
