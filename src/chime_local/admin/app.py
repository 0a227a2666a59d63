"""The admin application: everything under ``/_chime_local/`` (and ``GET /``), beside Chime's.

It takes an :class:`HttpRequest` and answers it: the JSON admin API
(:mod:`chime_local.admin.api`), the console's pages (:mod:`chime_local.console`) and the
invitation sign-up pages. The server mounts it at the prefix (:mod:`chime_local.server.asgi`), so
Chime's requests never pass through it. It reaches the emulator through
:class:`~chime_local.admin.state.EmulatorState` only.
"""

from __future__ import annotations

import logging
import time

from chime_local.admin.api import HEALTH_PATH, AdminApi
from chime_local.admin.origin import origin_problem
from chime_local.admin.state import EmulatorState
from chime_local.console.invitations import InvitationPages
from chime_local.console.pages import CONSOLE_PREFIX, Console
from chime_local.console.render import html_response
from chime_local.protocol.http import HttpRequest, HttpResponse
from chime_local.service.outbox import LINK_PREFIX
from chime_local.store import StoreBusy, StoreError

log = logging.getLogger("chime_local")
# The HTML routes beside the JSON API's (AdminApi.routes), as the OpenAPI document lists them.
PAGE_ROUTES = (
    ("GET", "invitations/{token}"),
    ("POST", "invitations/{token}"),
    ("GET", "console/"),
)


class AdminApp:
    def __init__(self, emulator: EmulatorState) -> None:
        self.emulator = emulator
        self.api = AdminApi(emulator)
        self.console = Console(emulator, self.api)
        self.invitations = InvitationPages(emulator, self.api)

    def handle(self, request: HttpRequest, may_block: bool = True) -> HttpResponse:
        """Answer one request; ``may_block`` as for :meth:`Emulator.handle` (a
        :class:`StoreBusy` on the event loop goes up to the adapter, which runs it on a thread)."""
        request_id = self.emulator.new_request_id()
        began = time.perf_counter()
        self.emulator.begin(may_block, sync=request.path != HEALTH_PATH)
        try:
            response = self._answer(request, request_id)
        except StoreError as error:
            if isinstance(error, StoreBusy) and not may_block:
                raise
            response = self.emulator.store_failure_response(error, request_id)
        self.emulator.log_line(request, "-", response, began, request_id)
        return response

    def _answer(self, request: HttpRequest, request_id: str) -> HttpResponse:
        path = request.path
        pages = path.startswith((CONSOLE_PREFIX, LINK_PREFIX)) or path == CONSOLE_PREFIX[:-1]
        if not pages:
            return self.api.handle(request, request_id)
        problem = origin_problem(request, self.emulator.config.admin_hosts, form=True)
        if problem is not None:
            return html_response(403, f"<p>Refused: {problem}</p>".encode())
        try:
            if path.startswith(LINK_PREFIX):
                return self.invitations.handle(request, path[len(LINK_PREFIX) :])
            return self.console.handle(request)
        except StoreError:
            raise
        except Exception:
            log.exception("console request %s failed", request_id)
            return html_response(500, f"<p>Internal error; request id {request_id}</p>".encode())
