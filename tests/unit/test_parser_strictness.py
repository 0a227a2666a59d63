"""Query integers as Java parses them, and invalid values echoed cut short."""

from __future__ import annotations

import pytest

from chime_local.errors import BadRequestException
from chime_local.protocol.api import load_api
from chime_local.protocol.parser import parse_request

LIST_ACCOUNTS = load_api().operations["ListAccounts"]


@pytest.mark.parametrize(("raw", "value"), [("5", 5), ("+7", 7), ("-1", -1), ("007", 7)])
def test_ascii_integers_are_parsed(raw: str, value: int) -> None:
    assert parse_request(LIST_ACCOUNTS, {}, {"max-results": raw}, b"") == {"MaxResults": value}


@pytest.mark.parametrize("raw", ["1_0", " 5", "5 ", "\u0663", "\uff15", "1e3", "", "9" * 21])
def test_what_python_alone_would_accept_is_not_a_number(raw: str) -> None:
    with pytest.raises(BadRequestException, match="Member must be a number"):
        parse_request(LIST_ACCOUNTS, {}, {"max-results": raw}, b"")


def test_a_long_invalid_query_value_is_echoed_cut_short() -> None:
    with pytest.raises(BadRequestException) as caught:
        parse_request(LIST_ACCOUNTS, {}, {"max-results": "x" * 50_000}, b"")
    assert "... (50000 characters)' at 'MaxResults'" in caught.value.message
    assert len(caught.value.message) < 500
