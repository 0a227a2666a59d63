"""The emulator: the model, the store, the clock and the configuration, and the request pipeline.

Both adapters (the ASGI server and the in-process botocore hook) hand an :class:`HttpRequest` to
:meth:`Emulator.handle` and get an :class:`HttpResponse` back. The pipeline, top to bottom::

    admin? -> authenticate -> throttle -> route -> authorize -> faults -> parse -> validate
           -> handler (in one store transaction) -> serialize

Any :class:`ChimeError` becomes its wire response in the serializer; anything else is logged with
its traceback and answered as ``ServiceFailureException`` naming the request id. There is no
module-level mutable state: every emulator is independent.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl

from chime_local.admin.api import ADMIN_PREFIX, AdminApi
from chime_local.auth.authenticator import Authenticator
from chime_local.clock import Clock
from chime_local.config import Config
from chime_local.errors import ChimeError, NotImplementedOperation, ServiceFailureException
from chime_local.guards import FaultInjector, RateLimiter
from chime_local.protocol.api import Operation, load_api
from chime_local.protocol.http import HttpRequest, HttpResponse
from chime_local.protocol.parser import parse_request
from chime_local.protocol.router import Router
from chime_local.protocol.serializer import Serializer, error_response
from chime_local.protocol.validator import Validator
from chime_local.service import HANDLERS
from chime_local.service.context import Handler, RequestContext
from chime_local.service.pagination import TokenCodec
from chime_local.store import Store

log = logging.getLogger("chime_local")
request_log = logging.getLogger("chime_local.requests")


class Emulator:
    """One independent Chime service: state, clock and configuration."""

    def __init__(self, config: Config | None = None, *, store: Store | None = None) -> None:
        self.config = config or Config()
        self.api = load_api()
        self.store = store or Store(self.config.db_path, durable=self.config.durable)
        self.clock = Clock()
        self.started = time.monotonic()
        self.authenticator = Authenticator(self.config.default_tenant, self.config.credentials)
        self.rate_limiter = RateLimiter(self.config.rate_limit) if self.config.rate_limit else None
        self.faults = FaultInjector()
        for rule in self.config.faults:
            self.faults.add(rule)
        self.router = Router(self.api.operations.values())
        self.validator = Validator()
        self.serializer = Serializer()
        self.tokens = TokenCodec(self.store.token_secret())
        self.handlers: dict[str, Handler] = dict(HANDLERS)
        self.admin = AdminApi(self)

    def close(self) -> None:
        self.store.close()

    def implemented(self, operation: str) -> bool:
        return operation in self.handlers

    def handle(self, request: HttpRequest) -> HttpResponse:
        request_id = str(uuid.uuid4())
        began = time.perf_counter()
        operation: Operation | None = None
        try:
            if request.path.startswith(ADMIN_PREFIX):
                response = self.admin.handle(request, request_id)
            else:
                operation, response = self._call(request, request_id)
        except ChimeError as error:
            response = error_response(error, request_id)
        except Exception:
            log.exception("request %s failed", request_id)
            failure = ServiceFailureException(
                f"An internal error occurred; request id {request_id}"
            )
            response = error_response(failure, request_id)
        if self.config.log_requests:
            request_log.info(
                "%s %s %s %d %.2fms %s",
                request.method,
                request.path,
                operation.name if operation else "-",
                response.status,
                (time.perf_counter() - began) * 1000,
                request_id,
            )
        return response

    def _call(self, request: HttpRequest, request_id: str) -> tuple[Operation | None, HttpResponse]:
        caller = self.authenticator.authenticate(request)
        if self.rate_limiter is not None:
            self.rate_limiter.check(caller.access_key)
        query = dict(parse_qsl(request.query, keep_blank_values=True)) if request.query else {}
        match = self.router.route(request.method, request.path, query)
        operation = match.operation
        try:
            self.authenticator.authorize(caller, operation.action, match.labels.get("AccountId"))
            self.faults.check(operation.name, caller.access_key)
            params = parse_request(operation, match.labels, query, request.body)
            self.validator.validate(operation.input_shape, params)
            handler = self.handlers.get(operation.name)
            if handler is None:
                raise NotImplementedOperation(
                    f"{operation.name} is not implemented by chime-local yet"
                )
            ctx = RequestContext(
                caller=caller,
                store=self.store,
                clock=self.clock,
                config=self.config,
                tokens=self.tokens,
                now=self.clock.wire_now(),
            )
            with self.store.transaction(write=operation.writes):
                result = handler(ctx, params)
            return operation, self.serializer.success(operation, result, request_id)
        except ChimeError as error:
            return operation, error_response(error, request_id)

    def context(self, tenant: str | None = None) -> RequestContext:
        """A context for admin operations acting as the given tenant (default: the default one)."""
        from chime_local.service.context import Caller

        caller = Caller(access_key="admin", tenant=tenant or self.config.default_tenant)
        return RequestContext(
            caller=caller,
            store=self.store,
            clock=self.clock,
            config=self.config,
            tokens=self.tokens,
            now=self.clock.wire_now(),
        )

    def health(self) -> dict[str, Any]:
        from chime_local.version import __version__

        return {
            "Status": "ok",
            "Version": __version__,
            "Storage": "memory" if self.store.in_memory else f"sqlite:{self.store.path}",
            "UptimeSeconds": round(time.monotonic() - self.started, 3),
            "Operations": {
                "Implemented": sum(1 for name in self.api.operations if self.implemented(name)),
                "Total": len(self.api.operations),
            },
        }
