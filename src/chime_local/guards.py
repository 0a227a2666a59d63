"""Guard rails that fail a call on purpose before its handler runs: throttling and faults.

Both run before the handler's transaction, so a refused call changes nothing.

* :class:`RateLimiter`: a token bucket per access key (``--rate-limit N``: N requests per second,
  burst N); over the limit is ``ThrottledClientException`` (429).
* :class:`FaultInjector`: rules that make matching calls fail with any modeled error, either the
  next ``Count`` calls or each call with a ``Probability`` drawn from a seeded generator, so a
  run is reproducible.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from chime_local.errors import ERRORS_BY_SHAPE, MODELED_ERRORS, ThrottledClientException

FAULT_ERRORS = tuple(sorted(cls.shape for cls in MODELED_ERRORS))


class RateLimiter:
    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_second = per_second
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill time)
        self._lock = threading.Lock()

    def check(self, access_key: str) -> None:
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(access_key, (self.per_second, now))
            elapsed = max(0.0, now - last)  # a clock set back refills nothing, takes nothing
            tokens = min(self.per_second, tokens + elapsed * self.per_second)
            if tokens < 1:
                self._buckets[access_key] = (tokens, now)
                raise ThrottledClientException(
                    f"Rate exceeded: more than {self.per_second:g} requests per second "
                    f"for access key {access_key}"
                )
            self._buckets[access_key] = (tokens - 1, now)


@dataclass
class FaultRule:
    operation: str  # an operation name or "*"
    error: str  # a modeled error shape name
    count: int | None = None  # fail the next N matching calls
    probability: float | None = None  # or fail each matching call with this probability
    access_key: str | None = None
    seed: int = 0
    fired: int = 0
    _random: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def matches(self, operation: str, access_key: str) -> bool:
        if self.operation not in ("*", operation):
            return False
        return self.access_key is None or self.access_key == access_key

    def fires(self) -> bool:
        if self.count is not None:
            if self.fired >= self.count:
                return False
        elif self.probability is None or self._random.random() >= self.probability:
            return False
        self.fired += 1
        return True

    @property
    def spent(self) -> bool:
        return self.count is not None and self.fired >= self.count

    def describe(self) -> dict[str, Any]:
        rule: dict[str, Any] = {"Operation": self.operation, "Error": self.error}
        if self.count is not None:
            rule |= {"Count": self.count, "Remaining": self.count - self.fired}
        else:
            rule |= {"Probability": self.probability, "Seed": self.seed}
        if self.access_key is not None:
            rule["AccessKeyId"] = self.access_key
        return rule | {"Fired": self.fired}


class FaultInjector:
    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def add(self, rule: FaultRule) -> None:
        with self._lock:
            self._rules.append(rule)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return [rule for rule in self._rules if not rule.spent]

    def check(self, operation: str, access_key: str) -> None:
        if not self._rules:
            return
        with self._lock:
            for rule in self._rules:
                if rule.matches(operation, access_key) and rule.fires():
                    raise ERRORS_BY_SHAPE[rule.error](
                        f"Injected fault: {rule.error} for {operation}"
                    )
            self._rules = [rule for rule in self._rules if not rule.spent]


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
        return FaultRule(operation, error, count=int(amount[1:]))
    try:
        probability = float(amount)
    except ValueError:
        probability = -1.0
    if not 0 <= probability <= 1:
        raise ValueError(f"--fault {text!r}: probability must be a number from 0 to 1")
    return FaultRule(operation, error, probability=probability)
