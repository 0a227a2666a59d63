"""The console's routes: the pages people read, the token form, and the actions they submit.

Reading pages never changes state (but for settling phone numbers on the clock, as the API's
reads do). Actions are form posts checked for the session's CSRF token and performed by the admin
API's own handlers (:mod:`chime_local.console.actions`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, unquote

from chime_local.admin.api import AdminApi
from chime_local.admin.state import EmulatorState
from chime_local.console import views
from chime_local.console.actions import ACTIONS, ActionResult
from chime_local.console.forms import read_form
from chime_local.console.guard import ConsoleGuard, session_cookie
from chime_local.console.render import environment, html_response, redirect, render
from chime_local.guards import FAULT_ERRORS
from chime_local.jsonio import dumps
from chime_local.protocol.http import HttpRequest, HttpResponse

CONSOLE_PREFIX = "/_chime_local/console/"
Page = Callable[[dict[str, str], dict[str, str]], tuple[str, dict[str, Any]]]


class Console:
    def __init__(self, state: EmulatorState, api: AdminApi) -> None:
        self.state = state
        self.api = api
        self.env = environment()
        self.guard = ConsoleGuard(state.store.state.token_secret(), state.config.admin_token)
        self._pages: list[tuple[re.Pattern[str], Page]] = [
            (re.compile(r""), self.home),
            (re.compile(r"accounts/(?P<account>[^/]+)"), self.account),
            (re.compile(r"accounts/(?P<account>[^/]+)/users/(?P<user>[^/]+)"), self.user),
            (re.compile(r"phone-numbers"), self.phone_numbers),
            (re.compile(r"log"), self.log),
            (re.compile(r"outbox"), self.outbox),
            (re.compile(r"controls"), self.controls),
        ]

    def handle(self, request: HttpRequest) -> HttpResponse:
        tail = request.path[len(CONSOLE_PREFIX) :] if request.path != CONSOLE_PREFIX[:-1] else ""
        if tail.startswith("static/") and request.method == "GET":
            return self._static(tail[len("static/") :])
        session = self.guard.session(request)
        if tail == "login":
            return self._login(request)
        if session is None:
            if self.guard.needs_login:
                return redirect(CONSOLE_PREFIX + "login")
            session = self.guard.new_session()
            return redirect(request.path + _query_suffix(request), _cookie(session))
        if request.method == "POST" and tail.startswith("actions/"):
            return self._action(request, session, tail[len("actions/") :])
        if request.method != "GET":
            return html_response(405, b"<p>Method not allowed</p>")
        return self._page(request, session, tail)

    def _page(self, request: HttpRequest, session: str, tail: str) -> HttpResponse:
        query = dict(parse_qsl(request.query))
        if tail == "log.json":
            body = dumps({"Requests": views.request_log(self.state, query)})
            return HttpResponse(
                200, {"content-type": "application/json", "cache-control": "no-store"}, body
            )
        if tail == "export.json":
            _, document = self.api.call(HttpRequest("GET", "/_chime_local/export"))
            disposition = 'attachment; filename="chime-local-export.json"'
            headers = {"content-type": "application/json", "content-disposition": disposition}
            return HttpResponse(200, headers, dumps(document))
        for pattern, page in self._pages:
            match = pattern.fullmatch(tail)
            if match:
                groups = {k: unquote(v) for k, v in match.groupdict().items()}
                template, context = page(groups, query)
                if not context.get("found", True):
                    return render(self.env, 404, "missing.html", **self._common(session))
                return render(self.env, 200, template, **context, **self._common(session))
        return render(self.env, 404, "missing.html", **self._common(session))

    def _common(self, session: str) -> dict[str, Any]:
        clock = self.state.clock
        return {
            "csrf": self.guard.csrf_token(session),
            "now": clock.wire_now(),
            "wall_clock": clock.is_wall_clock,
            "prefix": CONSOLE_PREFIX,
            "flash": None,
        }

    def _login(self, request: HttpRequest) -> HttpResponse:
        if not self.guard.needs_login:
            return redirect(CONSOLE_PREFIX)
        if request.method == "POST":
            session = self.guard.login(read_form(request).get("token"))
            if session is not None:
                return redirect(CONSOLE_PREFIX, _cookie(session))
            return render(self.env, 401, "login.html", prefix=CONSOLE_PREFIX, failed=True)
        return render(self.env, 200, "login.html", prefix=CONSOLE_PREFIX, failed=False)

    def _action(self, request: HttpRequest, session: str, name: str) -> HttpResponse:
        form = read_form(request)
        action = ACTIONS.get(name)
        if action is None:
            return html_response(404, b"<p>No such action</p>")
        if not self.guard.csrf_valid(session, form.get("csrf")):
            return html_response(403, b"<p>Refused: the form's CSRF token is missing or stale</p>")
        result: ActionResult = action(self.api, form)
        context = {**self._common(session), "flash": result.message, "flash_ok": result.ok}
        template, page_context = self.controls({}, {})
        if result.back == "outbox":
            template, page_context = self.outbox({}, {})
        return render(self.env, 200 if result.ok else 400, template, **page_context, **context)

    def _static(self, name: str) -> HttpResponse:
        if name not in ("console.css", "log.js"):
            return html_response(404, b"<p>Not found</p>")
        data = resources.files("chime_local.console").joinpath("static", name).read_bytes()
        kind = "text/css" if name.endswith(".css") else "text/javascript"
        return HttpResponse(
            200, {"content-type": f"{kind}; charset=utf-8", "cache-control": "max-age=300"}, data
        )

    # -- pages: (template, context) ------------------------------------------------------------

    def home(self, groups: dict[str, str], query: dict[str, str]) -> tuple[str, dict[str, Any]]:
        _, counts = self.api.call(HttpRequest("GET", "/_chime_local/resources"))
        return "home.html", {"tenants": views.tenants(self.state), "counts": counts["Resources"]}

    def account(self, groups: dict[str, str], query: dict[str, str]) -> tuple[str, dict[str, Any]]:
        found = views.account(self.state, groups["account"], query)
        filters = {key: query.get(key, "") for key in views.USER_FILTERS}
        return "account.html", {**found, "found": bool(found), "filters": filters}

    def user(self, groups: dict[str, str], query: dict[str, str]) -> tuple[str, dict[str, Any]]:
        found = views.user(self.state, groups["account"], groups["user"])
        return "user.html", {**found, "found": bool(found), "account_id": groups["account"]}

    def phone_numbers(
        self, groups: dict[str, str], query: dict[str, str]
    ) -> tuple[str, dict[str, Any]]:
        return "phone_numbers.html", views.phone_inventory(self.state)

    def log(self, groups: dict[str, str], query: dict[str, str]) -> tuple[str, dict[str, Any]]:
        filters = {key: query.get(key, "") for key in ("operation", "status", "access_key")}
        calls = views.request_log(self.state, query)
        return "log.html", {"calls": calls, "filters": filters}

    def outbox(self, groups: dict[str, str], query: dict[str, str]) -> tuple[str, dict[str, Any]]:
        _, document = self.api.call(HttpRequest("GET", "/_chime_local/outbox", "limit=1000"))
        return "outbox.html", {"emails": document["Emails"]}

    def controls(self, groups: dict[str, str], query: dict[str, str]) -> tuple[str, dict[str, Any]]:
        _, faults = self.api.call(HttpRequest("GET", "/_chime_local/faults"))
        return "controls.html", {
            "faults": faults["Faults"],
            "operations": sorted(self.state.api.operations),
            "errors": FAULT_ERRORS,
        }


def _cookie(session: str) -> dict[str, str]:
    return {"set-cookie": session_cookie(session)}


def _query_suffix(request: HttpRequest) -> str:
    return f"?{request.query}" if request.query else ""
