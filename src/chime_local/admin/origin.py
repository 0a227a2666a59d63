"""Who may call the admin API: its own address only, and never a web page of another site.

On a loopback bind the admin API needs no token, so a web page open in the user's browser is the
one caller to keep out. Two checks do it, before any admin handler runs:

- DNS rebinding: a page of ``evil.example`` that re-resolves its name to 127.0.0.1 sends
  ``Host: evil.example``. When the server knows the addresses it serves
  (``Config.admin_hosts``, set by ``serve`` on a loopback bind), any other ``Host`` is refused.
- Cross-site requests: a browser sends a cross-site ``POST`` without asking first only with a
  form or text content type and no custom header. A state change therefore needs
  ``Content-Type: application/json``, an ``X-Chime-Local`` header or an ``Authorization``
  header, and a request whose ``Origin`` is not the server's own is refused.

Chime's own API is not affected: SigV4 already makes its requests impossible to forge from a page.
"""

from __future__ import annotations

from chime_local.protocol.http import HttpRequest

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CUSTOM_HEADER = "x-chime-local"


def served_hosts(host: str, port: int) -> frozenset[str]:
    """The ``Host`` values of a server bound to loopback ``host``:``port``."""
    shown = f"[{host}]" if ":" in host else host
    names = {shown, "127.0.0.1", "localhost", "[::1]"}
    return frozenset(f"{name}:{port}" for name in names)


def origin_problem(
    request: HttpRequest, allowed_hosts: frozenset[str] | None, *, form: bool = False
) -> str | None:
    """Why the admin API refuses this request, or ``None`` when it may proceed.

    With ``form`` (the console's and the invitation page's HTML forms) any content type passes:
    those forms carry a CSRF token instead.
    """
    headers = request.headers
    host = headers.get("host", "")
    if allowed_hosts is not None and host.lower() not in allowed_hosts:
        return f"Host: '{host[:100]}' is not an address of this server"
    origin = headers.get("origin")
    if origin is not None and origin.lower() != f"http://{host.lower()}":
        return f"Origin: '{origin[:100]}' is another site; the admin API answers only its own"
    if request.method in READ_METHODS or form:
        return None
    content_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    if content_type == "application/json" or CUSTOM_HEADER in headers:
        return None
    if "authorization" in headers:
        return None
    return (
        "Content-Type: a state change needs 'application/json' or an 'X-Chime-Local' header "
        "(a browser cannot send either from another site)"
    )
