"""Configuration by environment: every ``serve`` option as ``CHIME_LOCAL_<OPTION>``.

A server started with variables only serves on the configured port and database and enforces the
configured admin token; a flag wins over its variable; ``--help`` shows each variable; the
client commands read ``CHIME_LOCAL_ENDPOINT`` and ``CHIME_LOCAL_ADMIN_TOKEN``.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from chime_local.cli import build_parser, environment, parse, subcommands
from chime_local.store.state import FaultRule
from chime_local.testing import ServerProcess
from tests.support import sdk_client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def clean_environment(**variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIME_LOCAL_")}
    return {**env, **variables}


def test_a_server_configured_only_by_variables(tmp_path: Path) -> None:
    port, db = free_port(), tmp_path / "from-env.db"
    variables = {
        "CHIME_LOCAL_PORT": str(port),
        "CHIME_LOCAL_DB": str(db),
        "CHIME_LOCAL_ADMIN_TOKEN": "env-token",
        "CHIME_LOCAL_QUIET": "true",
    }
    with ServerProcess(host=None, storage=(), env=variables) as server:
        assert server.endpoint_url == f"http://127.0.0.1:{port}"
        client = sdk_client(server.endpoint_url)
        account = client.create_account(Name="From the environment")["Account"]
        user = client.create_user(AccountId=account["AccountId"], Email="env@example.com")["User"]
        got = client.get_user(AccountId=account["AccountId"], UserId=user["UserId"])["User"]
        assert got["UserId"] == user["UserId"]
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{server.endpoint_url}/_chime_local/export", timeout=10)
        assert refused.value.code == 401
        exported = subprocess.run(
            [sys.executable, "-m", "chime_local", "export"],
            env=clean_environment(
                CHIME_LOCAL_ENDPOINT=server.endpoint_url, CHIME_LOCAL_ADMIN_TOKEN="env-token"
            ),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert exported.returncode == 0, exported.stderr
        assert [a["name"] for a in json.loads(exported.stdout)["accounts"]] == [
            "From the environment"
        ]
        assert not any("GET /accounts" in line for line in server.output)  # quiet
    with sqlite3.connect(db) as connection:
        names = [row[0] for row in connection.execute("SELECT name FROM accounts")]
    connection.close()
    assert names == ["From the environment"]


def namespace(argv: list[str], **variables: str) -> dict[str, object]:
    return vars(parse(argv, variables))


def test_a_flag_wins_over_its_variable() -> None:
    assert namespace(["serve"], CHIME_LOCAL_PORT="9001")["port"] == 9001
    assert namespace(["serve", "--port", "9002"], CHIME_LOCAL_PORT="9001")["port"] == 9002
    assert namespace(["serve", "--port=9003"], CHIME_LOCAL_PORT="9001")["port"] == 9003
    switched = namespace(["serve", "--db", "x.db"], CHIME_LOCAL_IN_MEMORY="1")
    assert (switched["db"], switched["in_memory"]) == ("x.db", False)
    state = namespace(["export", "--db", "x.db"], CHIME_LOCAL_ENDPOINT="http://127.0.0.1:1")
    assert (state["db"], state["endpoint"]) == ("x.db", None)


def test_every_kind_of_option_converts() -> None:
    args = namespace(
        ["serve"],
        CHIME_LOCAL_DURABLE="yes",
        CHIME_LOCAL_WORKERS="3",
        CHIME_LOCAL_RATE_LIMIT="2.5",
        CHIME_LOCAL_FAULT="GetUser=ThrottledClientException:x1 *=ServiceFailureException:0.5",
        CHIME_LOCAL_VERIFY_BOT_ENDPOINTS="off",
    )
    assert args["durable"] is True and args["verify_bot_endpoints"] is False
    assert (args["workers"], args["rate_limit"]) == (3, 2.5)
    assert args["fault"] == [
        FaultRule("GetUser", "ThrottledClientException", count=1),
        FaultRule("*", "ServiceFailureException", probability=0.5),
    ]


def test_client_commands_read_only_the_endpoint_and_the_token() -> None:
    args = namespace(["reset"], CHIME_LOCAL_DB="elsewhere.db", CHIME_LOCAL_PORT="not checked")
    assert args["db"] == "./chime-local.db"


def test_every_serve_option_shows_its_variable_in_help() -> None:
    serve = subcommands(build_parser())["serve"]
    text = serve.format_help()
    actions = environment.configurable(serve)
    assert {action.dest for action in actions} >= {"host", "port", "db", "admin_token"}
    for action in actions:
        assert environment.variable(action) in " ".join(text.split())


def test_variables_of_exclusive_options_are_refused_together() -> None:
    from chime_local.cli.errors import USAGE, CliError

    with pytest.raises(CliError) as refused:
        parse(["serve"], {"CHIME_LOCAL_DB": "x.db", "CHIME_LOCAL_IN_MEMORY": "1"})
    assert refused.value.status == USAGE
    assert "CHIME_LOCAL_DB and CHIME_LOCAL_IN_MEMORY" in refused.value.message
    assert namespace(["serve", "--in-memory"], CHIME_LOCAL_DB="x.db")["in_memory"] is True


@pytest.mark.parametrize(
    "value",
    ["GetUser=Nope", "GetUser=ServiceFailureException:x0", "NoSuchOperation=ConflictException"],
)
def test_a_bad_fault_variable_is_refused_with_its_name(value: str) -> None:
    from chime_local.cli.errors import USAGE, CliError

    with pytest.raises(CliError) as refused:
        parse(["serve"], {"CHIME_LOCAL_FAULT": value})
    assert refused.value.status == USAGE
    assert refused.value.message.startswith(f"CHIME_LOCAL_FAULT: {value!r}")
