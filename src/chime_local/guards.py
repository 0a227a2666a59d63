"""Guard rails that fail a call on purpose before its handler runs: throttling and faults.

Both run before the handler's transaction, so a refused call changes nothing. Their state (token
buckets, fault rules and how often each fired) is server state kept by the store
(:class:`ServerState`), so a limit or a rule holds across every worker and instance.

* :class:`RateLimiter`: a token bucket per access key (``--rate-limit N``: N requests per second,
  burst N, or 1 below one per second); over the limit is ``ThrottledClientException`` (429).
  Buckets idle long enough to be full again are dropped, so the state stays bounded by the keys
  seen in the last seconds.
* :class:`FaultInjector`: rules that make matching calls fail with any modeled error, either the
  next ``Count`` calls (counted atomically, across instances) or each call with a
  ``Probability``, drawn from the rule's ``Seed`` and the call's ordinal, so a run is
  reproducible. The rules are cached in this process and re-read when the state's version moves.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Collection
from typing import Any

from chime_local.errors import ERRORS_BY_SHAPE, MODELED_ERRORS, ThrottledClientException
from chime_local.store.state import FaultRule, ServerState, StoredFault

__all__ = ["FAULT_ERRORS", "FaultInjector", "FaultRule", "RateLimiter", "parse_fault_option"]

FAULT_ERRORS = tuple(sorted(cls.shape for cls in MODELED_ERRORS))
_SWEEP_EVERY = 1.0  # seconds between two sweeps of idle buckets, per process


class RateLimiter:
    def __init__(
        self, state: ServerState, per_second: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.per_second = per_second
        self._state = state
        self._clock = clock  # epoch seconds: shared by every instance, unlike a monotonic clock
        self._refill_seconds = max(1.0, per_second) / per_second  # empty to full
        self._next_sweep = 0.0

    def check(self, access_key: str) -> None:
        now = self._clock()
        if not self._next_sweep - _SWEEP_EVERY <= now < self._next_sweep:  # due, or clock set back
            self._next_sweep = now + _SWEEP_EVERY
            self._state.expire_rate_buckets(idle_since=now - self._refill_seconds)
        if not self._state.take_rate_token(access_key, self.per_second, now):
            raise ThrottledClientException(
                f"Rate exceeded: more than {self.per_second:g} requests per second "
                f"for access key {access_key}"
            )


def draw(seed: int, ordinal: int) -> float:
    """The reproducible draw of a probability rule's ``ordinal``-th matching call, in [0, 1)."""
    return random.Random(f"{seed}:{ordinal}").random()


def describe_fault(stored: StoredFault) -> dict[str, Any]:
    rule = stored.rule
    described: dict[str, Any] = {"Operation": rule.operation, "Error": rule.error}
    if rule.count is not None:
        described |= {"Count": rule.count, "Remaining": rule.count - stored.fired}
    else:
        described |= {"Probability": rule.probability, "Seed": rule.seed}
    if rule.access_key is not None:
        described["AccessKeyId"] = rule.access_key
    return described | {"Fired": stored.fired}


class FaultInjector:
    def __init__(self, state: ServerState) -> None:
        self._state = state
        self._cached = state.faults()

    def refresh(self) -> None:
        self._cached = self._state.faults()

    def add(self, rule: FaultRule) -> StoredFault:
        stored = self._state.add_fault(rule)
        self._cached = [*self._cached, stored]
        return stored

    def ensure(self, rule: FaultRule) -> StoredFault:
        """Add ``rule`` unless the same one, not used up, is stored (a ``--fault`` rule)."""
        stored = self._state.ensure_fault(rule)
        self.refresh()
        return stored

    def clear(self) -> None:
        self._state.clear_faults()
        self._cached = []

    def remove(self, index: int) -> bool:
        """Remove the rule at ``index`` of :meth:`rules`; ``False`` when there is none."""
        rules = self.rules()
        if index >= len(rules) or not self._state.remove_fault(rules[index].rule_id):
            return False
        self._cached = [kept for kept in self._cached if kept.rule_id != rules[index].rule_id]
        return True

    def armed(self) -> bool:
        """Whether any cached rule may fire (checking a call then counts it in the state)."""
        return bool(self._cached)

    def rules(self) -> list[StoredFault]:
        """The rules that can still fire, as stored now."""
        return self._state.faults()

    def check(self, operation: str, access_key: str) -> None:
        for stored in self._cached:
            rule = stored.rule
            if rule.operation not in ("*", operation):
                continue
            if rule.access_key not in (None, access_key):
                continue
            if self._fires(stored):
                raise ERRORS_BY_SHAPE[rule.error](f"Injected fault: {rule.error} for {operation}")

    def _fires(self, stored: StoredFault) -> bool:
        rule, rule_id, state = stored.rule, stored.rule_id, self._state
        if rule.count is not None:
            if state.consume_fault(rule_id):
                return True
        else:
            ordinal = state.next_fault_draw(rule_id)
            if ordinal is not None:
                if draw(rule.seed, ordinal) >= (rule.probability or 0.0):
                    return False
                state.note_fault_fired(rule_id)
                return True
        # spent or removed (perhaps through another instance): forget it until the next refresh
        self._cached = [kept for kept in self._cached if kept.rule_id != rule_id]
        return False


def parse_fault_option(text: str, operations: Collection[str]) -> FaultRule:
    """Parse ``--fault OPERATION=ERROR[:PROBABILITY | :xCOUNT]``; OPERATION is one of
    ``operations`` or ``*``, as in the admin API."""
    operation, sep, rest = text.partition("=")
    error, _, amount = rest.partition(":")
    if not sep or not operation or error not in FAULT_ERRORS:
        raise ValueError(
            f"--fault {text!r}: expected OPERATION=ERROR[:PROBABILITY|:xCOUNT], ERROR one of "
            + ", ".join(FAULT_ERRORS)
        )
    if operation != "*" and operation not in operations:
        raise ValueError(f"--fault {text!r}: {operation} is not an operation of the Chime API")
    if not amount:
        return FaultRule(operation, error, probability=1.0)
    if amount.startswith("x") and amount[1:].isdigit():
        if int(amount[1:]) < 1:
            raise ValueError(f"--fault {text!r}: the count must be a whole number of at least 1")
        return FaultRule(operation, error, count=int(amount[1:]))
    try:
        probability = float(amount)
    except ValueError:
        probability = -1.0
    if not 0 <= probability <= 1:
        raise ValueError(f"--fault {text!r}: probability must be a number from 0 to 1")
    return FaultRule(operation, error, probability=probability)
