"""The emulator: the model, the store, the clock and the configuration, and the request pipeline.

Both adapters (the ASGI server and the in-process botocore hook) hand an :class:`HttpRequest` to
:meth:`Emulator.handle` and get an :class:`HttpResponse` back. The pipeline, top to bottom::

    authenticate -> throttle -> route -> authorize -> faults -> parse -> validate
                 -> handler (in one store transaction, checking the state) -> serialize
                 -> request log

The server's own state (clock setting, fault rules, rate buckets, request log) is kept by the
store (``store.state``), so every worker and instance agrees; the clock setting and fault rules
are cached here. The request's transaction reads the state's version (on PostgreSQL with its
first statement, no round trip of its own); when it moved, the caches are re-read and the
request runs again on them, its first answer rolled back. A request that counts something in
the state before its transaction (a rate token, a fault rule's draw) reads the version first.

Any :class:`ChimeError` becomes its wire response in the serializer; anything else is logged with
its traceback and answered as ``ServiceFailureException`` naming the request id. There is no
module-level mutable state: every emulator is independent. The state operations of the admin
API (reset, seed, export, invitations, outbox, clock, request log) are methods here too, so
in-process tests call them directly. The admin API itself is another application
(:mod:`chime_local.admin.app`) that works through these methods; this module does not know it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from chime_local.access_log import AccessLog
from chime_local.auth.authenticator import Authenticator
from chime_local.clock import Clock
from chime_local.config import Config
from chime_local.errors import (
    ChimeError,
    ConflictException,
    NotImplementedOperation,
    ServiceFailureException,
    ServiceUnavailableException,
)
from chime_local.guards import FaultInjector, RateLimiter
from chime_local.protocol.api import Operation, load_api
from chime_local.protocol.codecs import compiled_codecs
from chime_local.protocol.http import HttpRequest, HttpResponse
from chime_local.protocol.parser import parse_request
from chime_local.protocol.serializer import error_response
from chime_local.request_log import Call, RequestLog, loggable
from chime_local.seed import SeedResult, export_state, load_seed
from chime_local.seed.loader import Progress
from chime_local.service import BEFORE_TRANSACTION, HANDLERS, SETTLED_ON_READ
from chime_local.service import outbox as outbox_emails
from chime_local.service.context import Caller, Handler, RequestContext
from chime_local.service.lookup import user_not_found
from chime_local.service.pagination import TokenCodec
from chime_local.service.users import accept_invitation
from chime_local.store import (
    DrawnKeyTaken,
    DuplicateKey,
    ReadAgain,
    RetryTransaction,
    Store,
    StoreBusy,
    StoreError,
    StoreUnavailable,
    open_store,
)
from chime_local.store.base import Doc
from chime_local.version import __version__

log = logging.getLogger("chime_local")
_ANONYMOUS = Caller(access_key="-", tenant="-")
# The version (4) and variant (RFC 4122) bits of a UUIDv4: what is cleared, then what is set.
_UUID4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID4_SET = (0x4000 << 64) | (0x8000 << 48)
# A transaction the database aborted to stay serializable (PostgreSQL), or a read whose write
# found the file locked by another process (SQLite), is run again for at most this long.
_RETRY_SECONDS = 10.0


# A request runs again when the server state (clock, fault rules) moved under it; this many
# attempts at most, the last one answers whatever it found.
_STATE_ATTEMPTS = 3
# An admin write that draws a PIN (accepting an invitation) draws this many times at most
# before a taken one is an error (a Chime request's retries are bounded by _RETRY_SECONDS).
_REDRAWS = 5


class StateMoved(Exception):
    """Another process changed the server state since this process cached it."""

    def __init__(self, version: int) -> None:
        super().__init__(version)
        self.version = version


@dataclass(slots=True)
class _Attempt:
    """One run of the request pipeline: what it found and answered."""

    moment: datetime
    caller: Caller = _ANONYMOUS
    operation: Operation | None = None
    params: dict[str, Any] = field(default_factory=dict)
    response: HttpResponse = field(default=None)  # type: ignore[assignment]
    state_checked: bool = False  # the answer was made on state known to be current
    stale: bool = False  # the state moved: run again
    final: bool = False  # the last attempt: it answers whatever moved


class WouldBlock(Exception):
    """The request must wait on something (the network) and the caller is the event loop: run it
    again where waiting is allowed."""


class Emulator:
    """One independent Chime service: state, clock and configuration."""

    def __init__(self, config: Config | None = None, *, store: Store | None = None) -> None:
        self.config = config or Config()
        self.api = load_api()
        self.store = store or open_store(
            self.config.db_path,
            durable=self.config.durable,
            lock_wait=self.config.lock_wait_seconds,
        )
        self.started = time.monotonic()
        self.authenticator = Authenticator(self.config.default_tenant, self.config.credentials)
        # server state, shared through the store by every worker and instance
        state = self.state = self.store.state
        self._state_version = state.version()
        self.clock = Clock(state)
        self.faults = FaultInjector(state)
        for rule in self.config.faults:  # not again if an earlier start stored it
            self.faults.ensure(rule)
        rate_limit = self.config.rate_limit
        self.rate_limiter = (  # buckets refill on the server clock, which tests can freeze
            RateLimiter(state, rate_limit, clock=lambda: self.clock.now().timestamp())
            if rate_limit
            else None
        )
        codecs = compiled_codecs()  # compiled once per process, shared by every emulator
        self.router = codecs.router
        self.validator = codecs.validator
        self.serializer = codecs.serializer
        self.tokens = TokenCodec(state.token_secret())
        self.handlers: dict[str, Handler] = dict(HANDLERS)
        self.calls = RequestLog(state, self.api.operations, shared=not self.store.in_memory)
        self.access_log = AccessLog() if self.config.log_requests else None
        self._request_bits = random.Random().getrandbits  # seeded from the OS, per emulator
        self._in_flight = 0  # requests being handled now (the request log batches under load)
        self._in_flight_lock = threading.Lock()
        self._multi_statement_reads: set[str] = set()  # operations not run as single reads

    def close(self) -> None:
        if self.access_log is not None:
            self.access_log.flush()
        self.calls.close()
        self.store.close()

    def implemented(self, operation: str) -> bool:
        return operation in self.handlers

    # -- the request pipeline -------------------------------------------------------------------

    def new_request_id(self) -> str:
        """A random UUIDv4 as the request id. It only has to be unique, so its bits come from a
        seeded generator rather than from the OS (``uuid4`` costs a system call per request)."""
        bits = self._request_bits(128) & _UUID4_CLEAR | _UUID4_SET
        digits = f"{bits:032x}"
        return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"

    def handle(self, request: HttpRequest, may_block: bool = True) -> HttpResponse:
        """Answer one request. With ``may_block`` False (the caller is the event loop), a
        write that finds the database locked by another process is not waited for:
        :class:`StoreBusy` propagates so the caller can run the request again on a thread."""
        with self._in_flight_lock:  # requests may run on threads or, bridged, interleave
            self._in_flight += 1
        try:
            return self._handle(request, may_block)
        finally:
            with self._in_flight_lock:
                self._in_flight -= 1

    def _handle(self, request: HttpRequest, may_block: bool) -> HttpResponse:
        if not may_block and self._waits_off_the_database(request):
            raise WouldBlock(request.path)  # before anything is counted (rate, faults, log)
        request_id = self.new_request_id()
        began = time.perf_counter()
        # Counting something in the state before the transaction (a rate token, a fault rule's
        # draw) needs the state current first, so that a second attempt does not count it
        # again (unless the state moves between this read and the transaction's: then a
        # probability rule draws again); otherwise the transaction checks it (see _attempt).
        synced = self.rate_limiter is not None or self.faults.armed()
        self.begin(may_block, sync=synced)
        attempt = self._attempt(request, request_id, may_block, synced=synced)
        for number in range(2, _STATE_ATTEMPTS + 1):
            if not attempt.stale:
                break
            attempt = self._attempt(request, request_id, may_block, number=number, synced=True)
        response = attempt.response
        params = loggable(attempt.params, len(request.body))  # the log keeps no huge request
        error_type = response.headers.get("x-amzn-errortype")
        self.calls.record(
            Call(
                attempt.moment,
                attempt.caller.access_key,
                attempt.operation,
                params,
                response.status,
                error_type,
                request_id,
                response.body,
            ),
            alone=self._in_flight == 1,
        )
        operation = attempt.operation
        self.log_line(request, operation.name if operation else "-", response, began, request_id)
        return response

    def _attempt(
        self,
        request: HttpRequest,
        request_id: str,
        may_block: bool,
        *,
        number: int = 1,
        synced: bool,
    ) -> _Attempt:
        """Run the pipeline once on the cached clock and fault rules (``synced``: just re-read).
        The request's transaction reads the server state's version with its first statement;
        when that shows another process changed the state, or an attempt that did not reach a
        transaction and ran on unchecked caches finds so afterwards, the caches are refreshed
        and the attempt is marked stale: its answer is thrown away (its transaction rolled
        back) and the pipeline runs again. The rate limit is counted on the first attempt only;
        the last one (``_STATE_ATTEMPTS``) answers on the state it just read, whatever moved."""
        attempt = _Attempt(  # self.clock.now(): the attempt's one instant
            self.clock.now(), state_checked=synced, final=number == _STATE_ATTEMPTS
        )
        try:
            attempt.caller = caller = self.authenticator.authenticate(request)
            if self.rate_limiter is not None and number == 1:
                self.rate_limiter.check(caller.access_key)
            query = dict(parse_qsl(request.query, keep_blank_values=True)) if request.query else {}
            match = self.router.route(request.method, request.path, query)
            attempt.operation = operation = match.operation
            self.authenticator.authorize(caller, operation.action, match.labels.get("AccountId"))
            try:
                self.faults.check(operation.name, caller.access_key)
            except ChimeError:  # an injected fault: the log still shows what the call asked
                with contextlib.suppress(ChimeError):
                    attempt.params = parse_request(operation, match.labels, query, request.body)
                raise
            attempt.params = parse_request(operation, match.labels, query, request.body)
            self.validator.validate(operation.input_shape, attempt.params)
            attempt.response = self._run(
                operation, caller, attempt.params, request_id, attempt, may_block
            )
        except StateMoved as moved:
            self._adopt_state(moved.version)
            attempt.stale = True
            return attempt
        except ChimeError as error:
            attempt.response = error_response(error, request_id)
        except StoreError as error:
            if isinstance(error, StoreBusy) and not may_block:
                raise  # the adapter runs it again where waiting is allowed
            attempt.response = error_response(_store_failure(error, request_id), request_id)
            attempt.state_checked = True  # the database is away: serve with what is cached
        except WouldBlock:
            raise
        except Exception:
            log.exception("request %s failed", request_id)
            failure = ServiceFailureException(
                f"An internal error occurred; request id {request_id}"
            )
            attempt.response = error_response(failure, request_id)
        if not attempt.state_checked:
            attempt.stale = self._sync_state()
        return attempt

    def begin(self, may_block: bool, *, sync: bool = True) -> None:
        """What every request does first (the admin application's too): allow or forbid waiting
        on the database, and, unless ``sync`` is off (the health check answers without the
        database), re-read the cached clock and fault rules."""
        self.store.allow_waiting(may_block)  # state writes too (rate buckets, fault counts)
        if sync:
            self._sync_state()

    def _waits_off_the_database(self, request: HttpRequest) -> bool:
        """Whether answering ``request`` waits on the network before its transaction (the bot
        endpoint's HTTPS check, when it is switched on)."""
        if not self.config.verify_bot_endpoints:
            return False
        query = dict(parse_qsl(request.query, keep_blank_values=True)) if request.query else {}
        try:
            operation = self.router.route(request.method, request.path, query).operation
        except ChimeError:
            return False
        return operation.name in BEFORE_TRANSACTION

    def store_failure_response(self, error: StoreError, request_id: str) -> HttpResponse:
        """The modeled answer to a failure of the storage engine."""
        return error_response(_store_failure(error, request_id), request_id)

    def _sync_state(self) -> bool:
        """Re-read the cached clock setting and fault rules if another process changed them:
        whether it did. While the database is away the cached ones stay: the request's own
        transaction will answer 503."""
        try:
            version = self._read_version()
        except StoreError:
            return False
        if version is None or version == self._state_version:
            return False
        self._adopt_state(version)
        return True

    def _read_version(self) -> int | None:
        """The server state's version; None when an error other than the store's kept it from
        being read (the cached state serves). A :class:`StoreError` propagates."""
        try:
            return self.state.version()
        except StoreError:
            raise
        except Exception:  # e.g. SQLite locked too long: serve with what is cached
            log.exception("reading the server state failed; the cached clock and faults serve")
            return None

    def _adopt_state(self, version: int) -> None:
        """Re-read the clock setting and fault rules, which are at ``version`` or later."""
        self.clock.refresh()
        self.faults.refresh()
        self._state_version = version

    def _require_current_state(self, attempt: _Attempt) -> None:
        """In the request's transaction: go on only if the cached state is current (the
        version comes with the transaction's first statement on PostgreSQL)."""
        version = self._read_version()  # a StoreError is the transaction's own: it fails
        if version is not None and version != self._state_version and not attempt.final:
            raise StateMoved(version)
        attempt.state_checked = True

    def _run(
        self,
        operation: Operation,
        caller: Caller,
        params: dict[str, Any],
        request_id: str,
        attempt: _Attempt,
        may_block: bool = True,
    ) -> HttpResponse:
        handler = self.handlers.get(operation.name)
        if handler is None:
            raise NotImplementedOperation(f"{operation.name} is not implemented by chime-local yet")
        ctx = self.context(caller, attempt.moment)
        prepare = BEFORE_TRANSACTION.get(operation.name)
        if prepare is not None:
            self.store.off_loop(prepare, ctx, params)  # an HTTPS check: never on the loop
        writes = operation.writes or operation.name in SETTLED_ON_READ
        result = self._transact(handler, ctx, params, writes, may_block, attempt)
        return self.serializer.success(operation, result, request_id)

    def _transact(
        self,
        handler: Handler,
        ctx: RequestContext,
        params: dict[str, Any],
        writes: bool,
        may_block: bool,
        attempt: _Attempt,
    ) -> Mapping[str, Any] | None:
        """Run the handler in one transaction, again (bounded) when the engine asks for it.
        Its answer, an error included, stands only if the cached state was current
        (:meth:`_require_current_state`); else the transaction rolls back.

        A read runs as a single read (its transaction ends with its first statement: one round
        trip on PostgreSQL) until an answer of its operation, an error aside, needed more than
        one statement; from then on that operation's reads are plain transactions.

        Retries happen only where waiting is allowed: on a worker thread, in-process, or in a
        bridged PostgreSQL request (its pause awaits on the loop). Called on the event loop
        itself, a :class:`StoreBusy` goes up to the adapter, which runs the request again on a
        thread."""
        name = attempt.operation.name if attempt.operation else ""
        single_read = not writes and name not in self._multi_statement_reads
        read_again = False
        deadline = time.monotonic() + _RETRY_SECONDS
        pause = 0.001
        while True:
            try:
                with self.store.transaction(
                    writes, wait=may_block, serialize_on=ctx.tenant, single_read=single_read
                ):
                    try:
                        result = handler(ctx, params)
                    except ChimeError:
                        self._require_current_state(attempt)
                        raise
                    self._require_current_state(attempt)
                if read_again:  # and answered: this operation's answers take more statements
                    self._multi_statement_reads.add(name)
                return result
            except ReadAgain:
                single_read, read_again = False, True
                continue
            except (RetryTransaction, StoreBusy) as error:
                if isinstance(error, StoreBusy) and not may_block:
                    raise
                if time.monotonic() >= deadline:
                    problem = f"gave up retrying for {_RETRY_SECONDS:g}s: {error}"
                    raise StoreUnavailable(problem) from error
            self.store.pause(random.uniform(0, pause))  # never holds up the event loop
            pause = min(pause * 2, 0.05)

    def log_line(
        self, request: HttpRequest, operation: str, response: HttpResponse, began: float, rid: str
    ) -> None:
        if self.access_log is not None:
            millis = (time.perf_counter() - began) * 1000
            self.access_log.add(
                request.method, request.path, operation, response.status, millis, rid
            )

    def context(
        self, caller: Caller | None = None, moment: datetime | None = None
    ) -> RequestContext:
        """A handler context; without a caller, the admin acting in the default tenant; without
        a moment, now."""
        return RequestContext(
            caller=caller or Caller(access_key="admin", tenant=self.config.default_tenant),
            store=self.store,
            config=self.config,
            tokens=self.tokens,
            moment=moment or self.clock.now(),
        )

    # -- state operations (the admin API, as methods) ---------------------------------------------

    def health(self) -> dict[str, Any]:
        return {
            "Status": "ok",
            "Version": __version__,
            "Storage": self.store.describe(),
            "StoreStatus": "ok" if self.store.available else "unavailable",
            "UptimeSeconds": round(time.monotonic() - self.started, 3),
            "ProcessId": os.getpid(),  # tells the workers of --workers apart
            "Operations": {
                "Implemented": sum(1 for name in self.api.operations if self.implemented(name)),
                "Total": len(self.api.operations),
            },
        }

    def reset(self) -> None:
        """Empty state: no records, no fault rules, the wall clock, an empty request log, no
        rate buckets."""
        self.calls.clear()
        with self.store.transaction():
            self.store.clear()
            self.state.reset(time.time())
        self.clock.refresh()
        self.faults.refresh()

    def seed(
        self,
        document: dict[str, Any],
        progress: Progress | None = None,
        *,
        replace: bool = False,
    ) -> SeedResult:
        """Load a seed document, validated whole first: all of it or nothing.

        With ``replace`` the current records are dropped first, in the same transaction.
        """
        with self.store.transaction():
            if replace:
                self.store.clear()
            return load_seed(
                self.store,
                document,
                now=self.clock.wire_now(),
                default_tenant=self.config.default_tenant,
                progress=progress,
            )

    def export(self) -> dict[str, Any]:
        """The whole state as a seed document."""
        return export_state(self.store)

    def accept_invitation(self, account_id: str, user_id: str) -> Doc:
        """Accept a pending invitation: the user becomes Registered with a PIN (decisions 14);
        a drawn PIN that is taken is drawn again, as in a Chime request."""
        for _ in range(_REDRAWS - 1):
            with contextlib.suppress(DrawnKeyTaken):
                return self._accept_invitation(account_id, user_id)
        return self._accept_invitation(account_id, user_id)

    def _accept_invitation(self, account_id: str, user_id: str) -> Doc:
        with self.store.transaction():  # read and write in one transaction
            account = self.store.find_account(account_id)
            user = self.store.get_user(account_id, user_id) if account else None
            if user is None:
                raise user_not_found(account_id, user_id)
            return accept_invitation(self.context(), user)

    def recent_calls(self, limit: int = 100) -> list[dict[str, Any]]:
        return self.calls.recent(limit)

    def outbox(
        self,
        *,
        tenant: str | None = None,
        account_id: str | None = None,
        recipient: str | None = None,
    ) -> list[Doc]:
        """The invitation emails recorded so far, newest first (all of them, unpaginated)."""
        given = {"Tenant": tenant, "AccountId": account_id, "Recipient": recipient}
        filters = {key: value for key, value in given.items() if value is not None}
        with self.store.transaction(write=False):
            emails, _ = outbox_emails.list_emails(self.store, filters, limit=1_000_000)
        return emails


def _store_failure(error: StoreError, request_id: str) -> ChimeError:
    """The modeled answer to a failure of the storage engine (logged: an operator must know)."""
    if isinstance(error, DuplicateKey):  # a concurrent request took the same unique key
        return ConflictException("The resource already exists (a concurrent request created it)")
    log.warning("request %s: store unavailable: %s", request_id, error or "database locked")
    return ServiceUnavailableException(
        f"The service is temporarily unavailable; retry later (request id {request_id})"
    )
