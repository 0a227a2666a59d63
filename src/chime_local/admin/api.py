"""The admin API: health, and the state controls Chime's own API does not offer.

Endpoints live under ``/_chime_local/`` and answer plain JSON. Bad input is a 400 whose
``Message`` names the field; an unknown endpoint is a 404. They are never part of Chime's routing.
Each route is a path template (``accounts/{account}/...``); :meth:`AdminApi.call` runs one
without the token check, which is how the console performs its actions through the same code.
The handlers reach the emulator only through :class:`~chime_local.admin.state.EmulatorState`.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, unquote

from chime_local.admin.openapi import openapi_document
from chime_local.admin.origin import origin_problem
from chime_local.admin.resources import RESOURCES, list_resource, resource_counts
from chime_local.admin.state import EmulatorState
from chime_local.clock import parse_wire_time
from chime_local.errors import BadRequestException, ChimeError
from chime_local.guards import FAULT_ERRORS, FaultRule, describe_fault
from chime_local.jsonio import loads
from chime_local.protocol.http import HttpRequest, HttpResponse
from chime_local.protocol.serializer import json_response
from chime_local.seed import SeedError
from chime_local.service import outbox
from chime_local.service.accounts import new_account
from chime_local.service.context import Caller
from chime_local.service.lookup import ACCOUNT_TYPES

ADMIN_PREFIX = "/_chime_local/"
HEALTH_PATH = ADMIN_PREFIX + "health"  # answered without the database (probes)
# What GET / answers: where to look, instead of a signature error for a browser or a probe.
ROOT_POINTER = {
    "Service": "chime-local, an emulator of the Amazon Chime administration API",
    "Health": "/_chime_local/health",
    "Documentation": "README.md of chime-local (also the package's description)",
}
# What health tells a caller without the admin token: liveness, version, the store's state.
PUBLIC_HEALTH = ("Status", "Version", "StoreStatus")
CLOCK_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
CLOCK_LATEST = datetime(9000, 1, 1, tzinfo=UTC)


class AdminError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def field_error(field: str, problem: str) -> AdminError:
    return AdminError(400, f"{field}: {problem}")


AdminHandler = Callable[[HttpRequest, dict[str, str]], tuple[int, Any]]


def route_pattern(template: str) -> re.Pattern[str]:
    """``accounts/{account}`` as a regular expression with a named group per segment."""
    return re.compile(re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template))


class AdminApi:
    def __init__(self, emulator: EmulatorState) -> None:
        self.emulator = emulator
        self.routes: list[tuple[str, str, AdminHandler]] = [
            ("GET", "health", self.get_health),
            ("GET", "openapi.json", self.get_openapi),
            ("POST", "accounts", self.post_account),
            ("GET", "faults", self.get_faults),
            ("POST", "faults", self.post_fault),
            ("DELETE", "faults", self.delete_faults),
            ("DELETE", "faults/{index}", self.delete_fault),
            ("POST", "reset", self.post_reset),
            ("POST", "seed", self.post_seed),
            ("GET", "export", self.get_export),
            (
                "POST",
                "accounts/{account}/users/{user}/accept-invitation",
                self.post_accept_invitation,
            ),
            ("GET", "outbox", self.get_outbox),
            ("DELETE", "outbox", self.delete_outbox),
            ("GET", "clock", self.get_clock),
            ("PUT", "clock", self.put_clock),
            ("DELETE", "clock", self.delete_clock),
            ("GET", "requests", self.get_requests),
            ("GET", "resources", self.get_resource_counts),
            ("GET", "resources/{name}", self.get_resource),
            ("GET", "openapi/chime.json", self.get_chime_openapi),
        ]
        self._compiled = [
            (method, route_pattern(template), handler) for method, template, handler in self.routes
        ]

    def handle(self, request: HttpRequest, request_id: str) -> HttpResponse:
        if request.path == "/":
            return json_response(200, ROOT_POINTER, request_id)
        tail = request.path[len(ADMIN_PREFIX) :].rstrip("/")
        try:
            problem = origin_problem(request, self.emulator.config.admin_hosts)
            if problem is not None:
                raise AdminError(403, problem)
            if not (request.method == "GET" and tail == "health"):  # probes carry no token
                self._check_token(request)
            status, document = self.call(request)
            return json_response(status, document, request_id)
        except AdminError as error:
            return json_response(error.status, {"Message": error.message}, request_id)
        except SeedError as error:
            return json_response(
                400, {"Message": str(error), "Problems": error.problems}, request_id
            )
        except ChimeError as error:
            return json_response(error.status, {"Message": error.message}, request_id)

    def call(self, request: HttpRequest) -> tuple[int, Any]:
        """Run the endpoint a request names (no origin or token check): status and document.

        Raises :class:`AdminError`, :class:`SeedError` or :class:`ChimeError` for bad input.
        """
        tail = request.path[len(ADMIN_PREFIX) :].rstrip("/")
        for method, pattern, handler in self._compiled:
            match = pattern.fullmatch(tail)
            if match and method == request.method:
                return handler(request, {k: unquote(v) for k, v in match.groupdict().items()})
        raise AdminError(404, f"No admin endpoint {request.method} {request.path}")

    def _check_token(self, request: HttpRequest) -> None:
        if not self._authorized(request):
            raise AdminError(401, "Authorization: the admin API needs 'Bearer <admin token>'")

    def _authorized(self, request: HttpRequest) -> bool:
        token = self.emulator.config.admin_token
        if token is None:
            return True
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())

    def get_chime_openapi(self, request: HttpRequest, groups: dict[str, str]) -> tuple[int, Any]:
        from chime_local.protocol.openapi import openapi_document  # not needed to start serving

        return 200, openapi_document()

    def get_faults(self, request: HttpRequest, groups: dict[str, str]) -> tuple[int, Any]:
        return 200, {"Faults": [describe_fault(rule) for rule in self.emulator.faults.rules()]}

    def post_fault(self, request: HttpRequest, groups: dict[str, str]) -> tuple[int, Any]:
        rule = fault_rule(read_json_object(request), set(self.emulator.api.operations))
        return 201, {"Fault": describe_fault(self.emulator.faults.add(rule))}

    def delete_faults(self, request: HttpRequest, groups: dict[str, str]) -> tuple[int, Any]:
        self.emulator.faults.clear()
        return 200, {"Faults": []}

    def delete_fault(self, request: HttpRequest, groups: dict[str, str]) -> tuple[int, Any]:
        index = groups["index"]
        if not (index.isascii() and index.isdigit()) or not self.emulator.faults.remove(int(index)):
            raise AdminError(404, f"index: no fault rule at position '{index[:20]}'")
        return self.get_faults(request, groups)

    def get_openapi(self, request: HttpRequest, groups: dict[str, str]) -> tuple[int, Any]:
        return 200, openapi_document()

    def get_outbox(self, request: HttpRequest, groups: dict[str, str]) -> tuple[int, Any]:
        query = dict(parse_qsl(request.query))
        filters = {key: query[key] for key in outbox.FILTERS if key in query}
        store = self.emulator.store
        with store.transaction(write=False):
            emails, next_token = outbox.list_emails(
                store, filters, _limit(request), query.get("NextToken")
            )
        base = f"http://{request.headers.get('host', 'localhost')}"
        document: dict[str, Any] = {"Emails": [outbox.describe(e, base) for e in emails]}
        if next_token:
            document["NextToken"] = next_token
        return 200, document

    def delete_outbox(self, request: HttpRequest, groups: dict[str, str]) -> tuple[int, Any]:
        with self.emulator.store.transaction():
            deleted = outbox.clear(self.emulator.store)
        return 200, {"Deleted": deleted}

    def post_reset(self, request: HttpRequest, groups: dict[str, str]) -> tuple[int, Any]:
        self.emulator.reset()
        return 200, {"Reset": True}

    def post_seed(self, request: HttpRequest, groups: dict[str, str]) -> tuple[int, Any]:
        replace = dict(parse_qsl(request.query)).get("replace") == "true"
        result = self.emulator.seed(read_json_object(request), replace=replace)
        return 201, {"Accounts": result.accounts, "Users": result.users}

    def get_export(self, request: HttpRequest, groups: dict[str, str]) -> tuple[int, Any]:
        return 200, self.emulator.export()

    def post_accept_invitation(
        self, request: HttpRequest, groups: dict[str, str]
    ) -> tuple[int, Any]:
        user = self.emulator.accept_invitation(groups["account"], groups["user"])
        return 200, {"User": user}

    def get_clock(self, request: HttpRequest, groups: dict[str, str]) -> tuple[int, Any]:
        clock = self.emulator.clock
        return 200, {"Now": clock.wire_now(), "WallClock": clock.is_wall_clock}

    def put_clock(self, request: HttpRequest, groups: dict[str, str]) -> tuple[int, Any]:
        body = read_json_object(request)
        if ("Now" in body) == ("Advance" in body):
            raise field_error("Now", "give exactly one of Now (ISO 8601) and Advance (seconds)")
        if "Now" in body:
            try:
                moment = parse_wire_time(body["Now"])
            except (TypeError, ValueError, AttributeError):
                raise field_error("Now", "must be an ISO 8601 timestamp") from None
            _check_clock_range("Now", moment)
            self.emulator.clock.set(moment)
        else:
            advance = body["Advance"]
            if not isinstance(advance, int | float) or isinstance(advance, bool):
                raise field_error("Advance", "must be a number of seconds")
            try:
                moment = self.emulator.clock.now() + timedelta(seconds=advance)
            except (OverflowError, ValueError):  # beyond datetime's range, or NaN
                moment = None
            _check_clock_range("Advance", moment)
            self.emulator.clock.advance(advance)
        return self.get_clock(request, groups)

    def delete_clock(self, request: HttpRequest, groups: dict[str, str]) -> tuple[int, Any]:
        self.emulator.clock.reset()
        return self.get_clock(request, groups)

    def get_requests(self, request: HttpRequest, groups: dict[str, str]) -> tuple[int, Any]:
        return 200, {"Requests": self.emulator.recent_calls(_limit(request))}

    def get_resource_counts(self, request: HttpRequest, groups: dict[str, str]) -> tuple[int, Any]:
        emulator = self.emulator
        return 200, {"Resources": resource_counts(emulator.store, emulator.clock.wire_now())}

    def get_resource(self, request: HttpRequest, groups: dict[str, str]) -> tuple[int, Any]:
        name = groups["name"]
        if name not in RESOURCES:
            raise AdminError(404, f"resource: unknown '{name}'; one of {', '.join(RESOURCES)}")
        emulator = self.emulator
        items = list_resource(emulator.store, name, emulator.clock.wire_now(), _limit(request))
        return 200, {"Items": items}

    def get_health(self, request: HttpRequest, groups: dict[str, str]) -> tuple[int, Any]:
        health = self.emulator.health()
        if not self._authorized(request):
            return 200, {key: health[key] for key in PUBLIC_HEALTH}
        return 200, health

    def post_account(self, request: HttpRequest, groups: dict[str, str]) -> tuple[int, Any]:
        body = read_json_object(request)
        emulator = self.emulator
        create_account = emulator.api.operations["CreateAccount"]
        name: Any = body.get("Name")
        try:  # the name as CreateAccount's model constrains it
            emulator.validator.validate(create_account.input_shape, {"Name": name})
        except BadRequestException as error:
            raise field_error("Name", error.message) from None
        account_type = body.get("AccountType", "Team")
        if account_type not in ACCOUNT_TYPES:
            raise field_error("AccountType", f"must be one of {', '.join(ACCOUNT_TYPES)}")
        tenant = body.get("AwsAccountId", self.emulator.config.default_tenant)
        if not isinstance(tenant, str) or not re.fullmatch(r"\d{12}", tenant):
            raise field_error("AwsAccountId", "must be 12 digits")
        domains = body.get("Domains", [])
        if not isinstance(domains, list) or not all(isinstance(d, str) and d for d in domains):
            raise field_error("Domains", "must be a list of domain names")
        ctx = emulator.context(Caller(access_key="admin", tenant=tenant))
        with emulator.store.transaction():
            account = new_account(ctx, name, account_type, domains)
        return 201, emulator.serializer.document(create_account, {"Account": account})


def fault_rule(body: dict[str, Any], operations: set[str]) -> FaultRule:
    operation = body.get("Operation")
    if operation != "*" and operation not in operations:
        raise field_error("Operation", "must be an operation name of the Chime API or '*'")
    error = body.get("Error")
    if error not in FAULT_ERRORS:
        raise field_error("Error", f"must be one of {', '.join(FAULT_ERRORS)}")
    count, probability = body.get("Count"), body.get("Probability")
    if (count is None) == (probability is None):
        raise field_error("Count", "give exactly one of Count and Probability")
    if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 1):
        raise field_error("Count", "must be a whole number of at least 1")
    if probability is not None and (
        not isinstance(probability, int | float)
        or isinstance(probability, bool)
        or not 0 <= probability <= 1
    ):
        raise field_error("Probability", "must be a number from 0 to 1")
    access_key = body.get("AccessKeyId")
    if access_key is not None and (not isinstance(access_key, str) or not access_key):
        raise field_error("AccessKeyId", "must be an access key id")
    seed = body.get("Seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise field_error("Seed", "must be a whole number")
    return FaultRule(operation, error, count, probability, access_key, seed)


def _check_clock_range(field: str, moment: datetime | None) -> None:
    """The server's clock stays where every timestamp and 7-day transition can be computed."""
    if moment is None or not CLOCK_EARLIEST <= moment <= CLOCK_LATEST:
        raise field_error(
            field,
            f"the clock must stay between {CLOCK_EARLIEST:%Y-%m-%d} and {CLOCK_LATEST:%Y-%m-%d}",
        )


def _limit(request: HttpRequest) -> int:
    raw = dict(parse_qsl(request.query)).get("limit", "100")
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 1000:
        raise field_error("limit", "must be a whole number from 1 to 1000")
    return int(raw)


def read_json_object(request: HttpRequest) -> dict[str, Any]:
    if not request.body.strip():
        return {}
    try:
        document = loads(request.body)
    except ValueError as exc:
        raise AdminError(400, f"body: not valid JSON ({exc})") from None
    if not isinstance(document, dict):
        raise AdminError(400, "body: must be a JSON object")
    return document
