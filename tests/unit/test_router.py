"""Routing rules of decisions.md 1: fixed query dispatch, unknown operations, empty labels."""

from __future__ import annotations

import pytest

from chime_local.errors import BadRequestException, UnknownOperationException
from chime_local.protocol.api import load_api
from chime_local.protocol.router import Router

ROUTER = Router(load_api().operations.values())


@pytest.mark.parametrize(
    ("method", "path", "query", "expected"),
    [
        ("POST", "/accounts/a/users", {}, "BatchUpdateUser"),
        ("POST", "/accounts/a/users", {"operation": "create"}, "CreateUser"),
        ("POST", "/accounts/a/users", {"operation": "add"}, "InviteUsers"),
        ("POST", "/accounts/a/users", {"operation": "suspend"}, "BatchSuspendUser"),
        ("POST", "/accounts/a/users/u", {}, "UpdateUser"),
        ("POST", "/accounts/a/users/u", {"operation": "logout"}, "LogoutUser"),
        ("GET", "/accounts", {}, "ListAccounts"),
        ("GET", "/accounts/a", {}, "GetAccount"),
        (
            "GET",
            "/search",
            {"type": "phone-numbers", "area-code": "206"},
            "SearchAvailablePhoneNumbers",
        ),
        ("POST", "/phone-numbers/%2B12065550100", {"operation": "restore"}, "RestorePhoneNumber"),
    ],
)
def test_dispatch(method: str, path: str, query: dict[str, str], expected: str) -> None:
    assert ROUTER.route(method, path, query).operation.name == expected


def test_unknown_operation_value_is_unknown_not_the_bare_operation() -> None:
    with pytest.raises(UnknownOperationException, match="operation=frobnicate"):
        ROUTER.route("POST", "/accounts/a/users", {"operation": "frobnicate"})


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/nothing"), ("PATCH", "/accounts"), ("GET", "/")]
)
def test_unmatched_paths_are_unknown(method: str, path: str) -> None:
    with pytest.raises(UnknownOperationException):
        ROUTER.route(method, path, {})


def test_search_without_its_type_is_unknown() -> None:
    with pytest.raises(UnknownOperationException):
        ROUTER.route("GET", "/search", {})


@pytest.mark.parametrize(
    ("path", "member"),
    [
        ("/accounts/", "AccountId"),
        ("/accounts/a/users/", "UserId"),
        ("/accounts//users/u", "AccountId"),
    ],
)
def test_empty_label_is_bad_request_naming_the_member(path: str, member: str) -> None:
    with pytest.raises(BadRequestException, match=f"'{member}'"):
        ROUTER.route("GET", path, {})


def test_labels_are_percent_decoded_exactly_once() -> None:
    match = ROUTER.route("GET", "/phone-numbers/%252B12065550100", {})
    assert match.labels == {"PhoneNumberId": "%2B12065550100"}
    match = ROUTER.route("GET", "/accounts/a%20b/users/%E2%9C%93", {})
    assert match.labels == {"AccountId": "a b", "UserId": "\u2713"}
