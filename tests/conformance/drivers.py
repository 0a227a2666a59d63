"""The three clients that run the scenarios: boto3, the AWS CLI, and the AWS SDK for JavaScript v3.

Each returns ``{scenario name: result}`` where a result is ``{"ok", "status", "output"}`` or
``{"ok": False, "error", "status", "message"}``; timestamps the client parsed as dates appear as
``{"$timestamp": ISO}``. The AWS CLI runs in this process through its own ``clidriver`` (one
driver, credentials switched per scenario), which is the ``aws`` command minus process start-up.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError

from chime_local.protocol.api import load_api

JS_DIR = Path(__file__).parent / "js"
SECRET = "conformance-secret"
REGION = "us-east-1"
LIST_KEYS = {"ListAccounts": "Accounts", "ListUsers": "Users"}
Run = list[dict[str, Any]]  # resolved scenarios: name, operation, params, accessKey, paginate


def typed(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$timestamp": value.isoformat()}
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return value


def run_boto3(endpoint: str, run: Run) -> dict[str, Any]:
    config = Config(retries={"total_max_attempts": 1, "mode": "standard"})
    clients: dict[str, Any] = {}
    results = {}
    for scenario in run:
        key = scenario["accessKey"]
        if key not in clients:
            clients[key] = boto3.client(
                "chime", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=key,
                aws_secret_access_key=SECRET, config=config,
            )  # fmt: skip
        results[scenario["name"]] = _boto3_call(clients[key], scenario)
    return results


def _boto3_call(client: Any, scenario: dict[str, Any]) -> dict[str, Any]:
    method = xform_name(scenario["operation"])
    try:
        if scenario["paginate"]:
            config = {"PageSize": scenario["paginate"]}
            pages = list(
                client.get_paginator(method).paginate(**scenario["params"], PaginationConfig=config)
            )
            items = sum(len(page[LIST_KEYS[scenario["operation"]]]) for page in pages)
            return {"ok": True, "status": None, "output": {}, "pages": len(pages), "items": items}
        response = getattr(client, method)(**scenario["params"])
        return {
            "ok": True,
            "status": response["ResponseMetadata"]["HTTPStatusCode"],
            "output": typed(response),
        }
    except ClientError as error:
        meta = error.response["ResponseMetadata"]
        return {"ok": False, "error": error.response["Error"]["Code"], "status": meta["HTTPStatusCode"],
                "message": error.response["Error"].get("Message")}  # fmt: skip


CLI_ENVIRONMENT = {
    "AWS_RETRY_MODE": "standard",
    "AWS_MAX_ATTEMPTS": "1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_DEFAULT_REGION": REGION,
    "AWS_PAGER": "",
}


def run_cli(endpoint: str, run: Run) -> dict[str, Any]:
    from awscli.clidriver import create_clidriver

    saved = {name: os.environ.get(name) for name in CLI_ENVIRONMENT}
    os.environ.update(CLI_ENVIRONMENT)
    try:
        driver = create_clidriver()
        seen: dict[str, int] = {}
        driver.session.register(
            "after-call", lambda http_response, **_: seen.update(status=http_response.status_code)
        )
        results = {}
        for scenario in run:
            driver.session.set_credentials(scenario["accessKey"], SECRET)
            seen.clear()
            results[scenario["name"]] = _cli_call(driver, scenario, endpoint, seen)
        return results
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _cli_call(
    driver: Any, scenario: dict[str, Any], endpoint: str, seen: dict[str, int]
) -> dict[str, Any]:
    operation = scenario["operation"]
    args = ["chime", xform_name(operation, "-"), "--cli-input-json", json.dumps(scenario["params"]),
            "--endpoint-url", endpoint, "--output", "json"]  # fmt: skip
    # the CLI follows NextToken itself for operations with a paginator unless told not to
    args += (
        ["--page-size", str(scenario["paginate"])] if scenario["paginate"] else ["--no-paginate"]
    )
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = driver.main(args)
    if code != 0:
        match = re.search(r"An error occurred \((\w+)\)", err.getvalue())
        return {"ok": False, "error": match.group(1) if match else err.getvalue().strip(),
                "status": seen.get("status"), "message": err.getvalue().strip()}  # fmt: skip
    output = json.loads(out.getvalue()) if out.getvalue().strip() else {}
    if scenario["paginate"]:
        items = len(output.get(LIST_KEYS[operation], []))
        return {"ok": True, "status": None, "output": {}, "pages": None, "items": items}
    shape = load_api().operations[operation].output_shape
    return {"ok": True, "status": seen.get("status"), "output": _cli_typed(shape, output)}


def _cli_typed(shape: Any, value: Any) -> Any:
    """The CLI prints the dates botocore parsed as ISO strings; mark them as timestamps."""
    if shape is None:
        return value
    if shape.type_name == "timestamp" and isinstance(value, str):
        return {"$timestamp": value}
    if shape.type_name == "structure" and isinstance(value, dict):
        return {k: _cli_typed(shape.members.get(k), v) for k, v in value.items()}
    if shape.type_name == "list" and isinstance(value, list):
        return [_cli_typed(shape.member, v) for v in value]
    return value


def run_js(endpoint: str, run: Run) -> dict[str, Any]:
    payload = {"endpoint": endpoint, "region": REGION, "secret": SECRET, "scenarios": run}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(payload, handle)
    try:
        completed = subprocess.run(
            ["node", str(JS_DIR / "driver.mjs"), handle.name],
            capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
    finally:
        os.unlink(handle.name)
    if completed.returncode != 0:
        raise RuntimeError(f"the JavaScript driver failed:\n{completed.stderr}")
    results: dict[str, Any] = json.loads(completed.stdout)
    return results


CLIENTS = {"boto3": run_boto3, "aws-cli": run_cli, "js-sdk-v3": run_js}
