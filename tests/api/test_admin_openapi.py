"""The admin API's OpenAPI 3.1 document matches the real routes, both ways."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from chime_local.admin.api import AdminApi
from chime_local.admin.app import PAGE_ROUTES
from chime_local.emulator import Emulator
from chime_local.testing import ServerProcess
from tests.api.raw import call

METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    db = tmp_path_factory.mktemp("openapi") / "chime.db"
    with ServerProcess(db=db, extra_args=("--quiet",)) as process:
        yield process


@pytest.fixture(scope="module")
def document(own_server: ServerProcess) -> dict[str, Any]:
    status, headers, body = call(
        own_server.endpoint_url, "GET", "/_chime_local/openapi.json", signed=False
    )
    assert status == 200
    assert headers["content-type"] == "application/json"
    served: dict[str, Any] = json.loads(body)
    return served


def documented(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method.upper(), path.lstrip("/"))
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    }


def real_routes(tmp_path: Path) -> set[tuple[str, str]]:
    emulator = Emulator()
    try:
        api = AdminApi(emulator)
        return {(method, template) for method, template, _ in api.routes} | set(PAGE_ROUTES)
    finally:
        emulator.close()


def test_it_is_a_valid_openapi_3_1_document(document: dict[str, Any]) -> None:
    validate(document)  # raises on an invalid document
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "/_chime_local"}]
    for item in document["paths"].values():
        for method in (m for m in item if m in METHODS):
            assert item[method]["summary"]
            assert item[method]["responses"]


def test_every_route_is_documented_and_nothing_else(
    document: dict[str, Any], tmp_path: Path
) -> None:
    assert documented(document) == real_routes(tmp_path)


def test_every_documented_route_answers(
    document: dict[str, Any], own_server: ServerProcess
) -> None:
    for method, template in sorted(documented(document)):
        path = "/_chime_local/" + re.sub(r"\{\w+\}", "0", template)
        status, _, body = call(
            own_server.endpoint_url, method, path, b"{}", {"Origin": own_server.endpoint_url},
            signed=False,
        )  # fmt: skip
        assert b"No admin endpoint" not in body, (method, path)
        assert status < 500, (method, path, body)
