"""Throttling and fault rules directly over an in-memory store, with an injected clock."""

from __future__ import annotations

import pytest

from chime_local.errors import ServiceUnavailableException, ThrottledClientException
from chime_local.guards import FaultInjector, FaultRule, RateLimiter, parse_fault_option
from chime_local.protocol.api import load_api
from chime_local.store import open_store


def test_bucket_allows_a_burst_then_refills_with_time() -> None:
    now = [100.0]
    limiter = RateLimiter(open_store(None).state, 3, clock=lambda: now[0])
    for _ in range(3):
        limiter.check("key")
    with pytest.raises(ThrottledClientException):
        limiter.check("key")
    limiter.check("other-key")
    now[0] += 0.34
    limiter.check("key")
    with pytest.raises(ThrottledClientException):
        limiter.check("key")
    now[0] += 10
    for _ in range(3):
        limiter.check("key")


def test_count_rule_fires_n_times_then_is_gone() -> None:
    faults = FaultInjector(open_store(None).state)
    faults.add(FaultRule("GetUser", "ServiceUnavailableException", count=2))
    faults.check("ListUsers", "k")
    for _ in range(2):
        with pytest.raises(ServiceUnavailableException, match="Injected fault"):
            faults.check("GetUser", "k")
    faults.check("GetUser", "k")
    assert faults.rules() == []


def outcomes(seed: int) -> list[bool]:
    faults = FaultInjector(open_store(None).state)
    faults.add(FaultRule("*", "ServiceFailureException", probability=0.5, seed=seed))
    result = []
    for _ in range(40):
        try:
            faults.check("GetUser", "k")
            result.append(False)
        except Exception:
            result.append(True)
    return result


def test_probability_rules_are_reproducible_by_seed() -> None:
    assert outcomes(7) == outcomes(7)
    assert 5 < sum(outcomes(7)) < 35
    assert outcomes(7) != outcomes(8)


def test_access_key_scoped_rule() -> None:
    faults = FaultInjector(open_store(None).state)
    faults.add(FaultRule("*", "ServiceFailureException", count=5, access_key="victim"))
    faults.check("GetUser", "bystander")
    with pytest.raises(Exception, match="Injected"):
        faults.check("GetUser", "victim")


OPERATIONS = load_api().operations


@pytest.mark.parametrize(
    ("text", "count", "probability"),
    [
        ("GetUser=ServiceUnavailableException:0.1", None, 0.1),
        ("*=ThrottledClientException:x3", 3, None),
        ("GetUser=NotFoundException", None, 1.0),
    ],
)
def test_fault_option(text: str, count: int | None, probability: float | None) -> None:
    rule = parse_fault_option(text, OPERATIONS)
    assert (rule.count, rule.probability) == (count, probability)


@pytest.mark.parametrize(
    "text",
    [
        "GetUser",
        "GetUser=Nope",
        "GetUser=ServiceFailureException:2",
        "=ServiceFailureException",
        "GetUsr=ServiceFailureException",
        "GetUser=ServiceFailureException:x0",
    ],
)
def test_bad_fault_options(text: str) -> None:
    with pytest.raises(ValueError, match="--fault"):
        parse_fault_option(text, OPERATIONS)
