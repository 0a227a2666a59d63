"""The server's own state, kept by the store so that every worker and every instance agrees.

Besides the Chime records, a server has state of its own: the clock setting (frozen instant or
offset), the fault rules and how often each has fired, a token bucket per access key for
``--rate-limit``, the request log behind ``GET /_chime_local/requests`` and the secret that signs
pagination tokens. Kept in one process's memory, an admin call reaches one worker only; kept
here, the next request on any worker or instance sees it. :class:`ServerState` is the protocol
an engine implements (``store.state``); the emulator's guards, clock and request log are its
only users.

Reads must stay cheap, because they are on every request's path: :meth:`ServerState.version`
changes whenever the clock or the fault rules change, so a process keeps both cached and re-reads
them only when the number moved. Writes that race between instances are single atomic
statements (a count-limited rule fires at most ``count`` times in total; a token is taken from a
bucket at most once).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol

CallEntry = Any  # one request-log entry: a JSON-able value, bounded by the request log


class LoggedCall(NamedTuple):
    """A request-log entry and when it was recorded (epoch seconds): the log's order, since
    processes write their batches of calls at different times."""

    at: float
    entry: CallEntry


@dataclass(frozen=True, slots=True)
class ClockSetting:
    """The emulator's clock: frozen at ``fixed`` when set, else wall time plus ``offset``."""

    fixed: datetime | None = None
    offset_seconds: float = 0.0

    @property
    def is_wall_clock(self) -> bool:
        return self.fixed is None and not self.offset_seconds


@dataclass(frozen=True, slots=True)
class FaultRule:
    """A rule that fails matching calls: the next ``count`` ones, or each with ``probability``
    (drawn reproducibly from ``seed``). ``operation`` is an operation name or ``*``."""

    operation: str
    error: str  # a modeled error shape name
    count: int | None = None
    probability: float | None = None
    access_key: str | None = None
    seed: int = 0


@dataclass(frozen=True, slots=True)
class StoredFault:
    """A fault rule as stored: its id, and how many matching calls it has failed so far."""

    rule_id: int
    rule: FaultRule
    fired: int = 0

    @property
    def spent(self) -> bool:
        return self.rule.count is not None and self.fired >= self.rule.count


class ServerState(Protocol):
    """Server state shared through the store. Every method is atomic on its own."""

    # -- change detection ---------------------------------------------------------------------

    def version(self) -> int:
        """A number that changes whenever the clock setting or the fault rules change."""
        ...

    # -- clock --------------------------------------------------------------------------------

    def clock(self) -> ClockSetting: ...

    def freeze_clock(self, moment: datetime) -> ClockSetting:
        """Freeze the clock at ``moment`` (UTC)."""
        ...

    def advance_clock(self, seconds: float) -> ClockSetting:
        """Move a frozen clock, or the offset of a running one, by ``seconds`` (atomically);
        ``OverflowError``, and nothing changed, when that leaves the range of dates."""
        ...

    def reset_clock(self) -> None:
        """Back to the wall clock."""
        ...

    # -- fault rules --------------------------------------------------------------------------

    def add_fault(self, rule: FaultRule) -> StoredFault: ...

    def ensure_fault(self, rule: FaultRule) -> StoredFault:
        """``rule`` as stored: added unless a rule of the same definition that can still fire
        is there already (``--fault`` rules given again by a restart, or by another instance
        on the same database, do not pile up)."""
        ...

    def faults(self) -> list[StoredFault]:
        """The rules that can still fire, oldest first."""
        ...

    def clear_faults(self) -> None: ...

    def remove_fault(self, rule_id: int) -> bool:
        """Remove one rule; whether it was there."""
        ...

    def consume_fault(self, rule_id: int) -> bool:
        """Count one firing of a count-limited rule, unless it is spent or gone: whether it
        fires (``UPDATE ... WHERE fired < count RETURNING``)."""
        ...

    def next_fault_draw(self, rule_id: int) -> int | None:
        """Count one matching call of a probability rule: its 1-based ordinal, the input of the
        rule's reproducible draw (``None``: the rule is gone)."""
        ...

    def note_fault_fired(self, rule_id: int) -> None:
        """Count one firing of a probability rule."""
        ...

    # -- rate limiting ------------------------------------------------------------------------

    def take_rate_token(self, access_key: str, per_second: float, now: float) -> bool:
        """Take one token from the key's bucket (burst ``per_second``, refilled at
        ``per_second`` tokens per second of ``now``, epoch seconds): whether one was there."""
        ...

    def expire_rate_buckets(self, idle_since: float) -> int:
        """Drop buckets untouched since ``idle_since`` (they are full again, the same as
        absent): how many were dropped. Keeps the state bounded by the keys recently seen."""
        ...

    def rate_bucket_count(self) -> int: ...

    # -- request log --------------------------------------------------------------------------

    def append_calls(self, calls: Sequence[LoggedCall], keep: int) -> None:
        """Append calls, except those recorded before the log was last cleared (a batch may
        arrive after a reset made through another process), and trim the log to the ``keep``
        last appended every few batches (the engine's ``TRIM_EVERY``; trimming reads the whole
        log, so the log may hold that many batches more)."""
        ...

    def recent_calls(self, limit: int) -> list[CallEntry]:
        """The ``limit`` entries recorded last, newest first."""
        ...

    def clear_calls(self, now: float) -> None:
        """Empty the log; calls recorded before ``now`` (epoch seconds) are not appended."""
        ...

    # -- the rest -----------------------------------------------------------------------------

    def token_secret(self) -> bytes:
        """The secret that signs pagination tokens: one per database, made at its creation."""
        ...

    def reset(self, now: float) -> None:
        """The wall clock, no fault rules, no rate buckets, an empty request log (cleared at
        ``now``)."""
        ...
