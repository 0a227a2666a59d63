"""What a newcomer meets first is true: the README's JavaScript runs as printed, the Node.js
version everywhere is the pinned SDK's, the license is the declared one, the fixtures explain
themselves, ``seed`` reports its whole time, and the server's front door points somewhere."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
import urllib.request
import uuid
from pathlib import Path

import pytest

from chime_local.seed import read_document
from chime_local.testing import ServerProcess
from tests.support import cli, sdk_client

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text()
JS_DIR = ROOT / "tests" / "conformance" / "js"


def readme_block(after_heading: str, language: str) -> str:
    section = README.split(after_heading, 1)[1]
    match = re.search(rf"```{language}\n(.*?)```", section, re.S)
    assert match is not None, f"no {language} block after {after_heading}"
    return match.group(1)


def test_the_readme_javascript_runs_as_printed(chime_server: ServerProcess) -> None:
    code = readme_block("## Using it from the AWS SDK for JavaScript v3", "js")
    assert code.count("http://127.0.0.1:8000") == 1
    script = JS_DIR / f"readme-{uuid.uuid4().hex}.mjs"  # beside node_modules, as after npm install
    script.write_text(code.replace("http://127.0.0.1:8000", chime_server.endpoint_url))
    try:
        result = subprocess.run(
            ["node", str(script)], capture_output=True, text=True, timeout=120, check=False
        )
    finally:
        script.unlink()
    assert result.returncode == 0, result.stderr
    email, user_id = result.stdout.split()
    assert email == "jane@example.com"
    uuid.UUID(user_id)


def test_node_version_is_the_one_the_pinned_sdk_declares() -> None:
    lock = json.loads((JS_DIR / "package-lock.json").read_text())
    declared = lock["packages"]["node_modules/@aws-sdk/client-chime"]["engines"]["node"]
    major = re.fullmatch(r">=(\d+)(?:\.0\.0)?", declared)
    assert major is not None, declared
    ours = json.loads((JS_DIR / "package.json").read_text())["engines"]["node"]
    assert ours == f">={major.group(1)}"
    assert lock["packages"][""]["engines"]["node"] == ours
    assert re.findall(r"Node\.js (\d+) or\s+newer", README) != []
    assert set(re.findall(r"Node\.js (\d+) or\s+newer", README)) == {major.group(1)}
    assert f"NODE_MAJOR={major.group(1)}" in (ROOT / "run").read_text()


def test_the_license_file_is_the_declared_license() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]
    text = (ROOT / "LICENSE").read_text()
    assert declared == "Apache-2.0"
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_every_fixture_has_a_docstring_in_pytest_fixtures() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--fixtures", "-p", "no:cacheprovider", "-q"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    shown = result.stdout.split("fixtures defined from chime_local.testing.pytest_plugin", 1)
    assert len(shown) == 2, result.stdout
    for name in ("chime", "chime_client", "chime_server", "chime_server_session"):
        entry = re.search(rf"^{name}( \[session scope\])? -- .*\n    (\S.*)$", shown[1], re.M)
        assert entry is not None and "no docstring" not in entry.group(2), name


def test_chime_client_is_typed_as_the_stubs_client() -> None:
    from chime_local.testing import pytest_plugin

    annotation = pytest_plugin.chime_client.__wrapped__.__annotations__["return"]
    assert annotation == "ChimeClient"
    assert "from mypy_boto3_chime import ChimeClient" in Path(pytest_plugin.__file__).read_text()


def test_seed_reports_the_whole_time_parsing_included(tmp_path: Path) -> None:
    users = "".join(f"      - email: u{n}@acme.example\n" for n in range(200))
    (tmp_path / "seed.yaml").write_text(f"accounts:\n  - name: Acme\n    users:\n{users}")
    result = cli("seed", str(tmp_path / "seed.yaml"), "--db", str(tmp_path / "x.db"), "--create")
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(
        r"Loaded 1 accounts and 200 users in \d+\.\d\ds, parsing included \([\d,]+ users/s; "
        r"loading alone \d+\.\d\ds\)\.\n",
        result.stdout,
    ), result.stdout


def test_parsing_reports_progress_through_the_whole_file(tmp_path: Path) -> None:
    users = "".join(f"      - email: u{n}@acme.example\n" for n in range(5000))
    path = tmp_path / "big.yaml"
    path.write_text(f"accounts:\n  - name: Acme\n    users:\n{users}")
    seen: list[int] = []
    document = read_document(path, seen.append)
    assert len(document["accounts"][0]["users"]) == 5000
    assert len([n for n in seen if n]) > 1  # several reads, so a bar moves while it parses
    assert sum(seen) == path.stat().st_size


def test_the_front_door_points_to_health_and_the_readme() -> None:
    with ServerProcess(db=None, extra_args=("--admin-token", "front", "--quiet")) as server:
        with urllib.request.urlopen(server.endpoint_url + "/", timeout=10) as answer:
            assert answer.status == 200
            pointer = json.loads(answer.read())
        assert pointer["Health"] == "/_chime_local/health"
        assert "README" in pointer["Documentation"]
        with urllib.request.urlopen(server.endpoint_url + pointer["Health"], timeout=10) as health:
            public = json.loads(health.read())
        assert set(public) == {"Status", "Version", "StoreStatus"}
        assert (public["Status"], public["StoreStatus"]) == ("ok", "ok")
        secured = urllib.request.Request(
            server.endpoint_url + pointer["Health"], headers={"Authorization": "Bearer front"}
        )
        with urllib.request.urlopen(secured, timeout=10) as health:
            assert {"Storage", "UptimeSeconds", "Operations"} <= set(json.loads(health.read()))
        for path in ("requests", "export", "clock", "faults"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(f"{server.endpoint_url}/_chime_local/{path}", timeout=10)
            assert refused.value.code == 401


def test_the_request_log_carries_the_request_id() -> None:
    with ServerProcess(db=None) as server:  # not quiet: one log line per request
        answer = sdk_client(server.endpoint_url).create_account(Name="Traced")
        request_id = answer["ResponseMetadata"]["RequestId"]
        with urllib.request.urlopen(
            server.endpoint_url + "/_chime_local/requests?limit=5", timeout=10
        ) as response:
            calls = json.loads(response.read())["Requests"]
    assert [c["RequestId"] for c in calls if c["Operation"] == "CreateAccount"] == [request_id]
    assert [line for line in server.output if "CreateAccount" in line and request_id in line]
