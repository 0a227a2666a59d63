"""The container recipe works without a Docker engine: its own lines, in a fresh environment.

The Dockerfile is read here (so the test cannot drift from it): the build stage's ``COPY`` lines
assemble the build context (minus ``.dockerignore``), its ``RUN`` line builds the wheel; the
final stage's ``pip install`` line installs it into a fresh virtual environment; its ``ENV``
lines, with ``CHIME_LOCAL_*`` overrides as ``docker run -e`` would give them (a loopback host, a
free port, a temporary /data), configure its ``CMD``, which must answer GetUser; the
``HEALTHCHECK`` command must pass against it. Container paths map into a temporary root. The one
liberty taken: pip's cache stays on (``--no-cache-dir`` is dropped), to keep the test quick.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from chime_local.testing import ServerProcess
from tests.support import sdk_client

ROOT = Path(__file__).parents[2]


@dataclass
class Stage:
    base: str
    steps: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [text for word, text in self.steps if word == keyword]


def read_dockerfile() -> list[Stage]:
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    stages: list[Stage] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.upper() == "FROM":
            stages.append(Stage(rest.split()[0]))
        else:
            stages[-1].steps.append((keyword.upper(), rest.strip()))
    return stages


def env_pairs(stage: Stage) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for text in stage.all("ENV"):
        pairs.update(part.split("=", 1) for part in shlex.split(text))
    return pairs


def exec_form(text: str) -> list[str]:
    words: list[str] = json.loads(text)
    return words


def in_root(root: Path, path: str, workdir: Path) -> Path:
    return root / path.lstrip("/") if path.startswith("/") else workdir / path


def ignored(names: list[str]) -> list[str]:
    patterns = [line.strip().removeprefix("**/") for line in (ROOT / ".dockerignore").open()]
    return [name for name in names if any(fnmatch.fnmatch(name, p) for p in patterns if p)]


def shell_line(text: str, root: Path) -> str:
    """A RUN line with container paths under ``root`` and pip's cache left on."""
    text = text.replace("--no-cache-dir ", "")
    return re.sub(r"(?<=[\s=])/(?=\w)", f"{root}/", text)


def run_stage(stage: Stage, root: Path, env: dict[str, str], only_pip: bool) -> None:
    workdir = root
    for keyword, text in stage.steps:
        if keyword == "WORKDIR":
            workdir = in_root(root, text, workdir)
            workdir.mkdir(parents=True, exist_ok=True)
        elif keyword == "COPY" and not text.startswith("--from"):
            *sources, target = text.split()
            for source in sources:
                destination = in_root(root, target, workdir)
                if (ROOT / source).is_dir():
                    shutil.copytree(ROOT / source, destination, ignore=lambda d, n: ignored(n))
                else:
                    destination.mkdir(parents=True, exist_ok=True)
                    shutil.copy(ROOT / source, destination)
        elif keyword == "RUN" and (not only_pip or "pip install" in text):
            subprocess.run(["bash", "-c", shell_line(text, root)], cwd=workdir, env=env, check=True)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The image's environment: a fresh venv with the wheel the build stage made, installed."""
    root = tmp_path_factory.mktemp("image")
    subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHIME_LOCAL_", "VIRTUAL"))}
    env["PATH"] = f"{root / 'venv' / 'bin'}{os.pathsep}{env['PATH']}"
    build, final = read_dockerfile()
    run_stage(build, root, env, only_pip=False)
    run_stage(final, root, env, only_pip=True)
    return root, env


def test_the_image_serves_get_user(installed: tuple[Path, dict[str, str]]) -> None:
    root, env = installed
    final = read_dockerfile()[-1]
    image_env = env_pairs(final)
    data = root / image_env["CHIME_LOCAL_DB"].lstrip("/")
    data.parent.mkdir(parents=True, exist_ok=True)
    overrides = {  # as `docker run -e` gives them; the test binds loopback only
        **image_env,
        "CHIME_LOCAL_HOST": "127.0.0.1",
        "CHIME_LOCAL_PORT": "0",
        "CHIME_LOCAL_DB": str(data),
        "CHIME_LOCAL_ADMIN_TOKEN": "image-token",
    }
    command = exec_form(final.all("CMD")[-1])
    program = [str(root / "venv" / "bin" / command[0]), *command[1:-1]]
    assert command[-1] == "serve"
    with ServerProcess(host=None, storage=(), program=program, env={**env, **overrides}) as server:
        client = sdk_client(server.endpoint_url)
        account = client.create_account(Name="Containerised")["Account"]
        user = client.create_user(AccountId=account["AccountId"], Email="c@example.com")["User"]
        got = client.get_user(AccountId=account["AccountId"], UserId=user["UserId"])["User"]
        assert got["UserId"] == user["UserId"]
        check = exec_form(final.all("HEALTHCHECK")[-1].split(" CMD ", 1)[1])
        port = server.endpoint_url.rsplit(":", 1)[1]
        probe_env = {**env, **overrides, "CHIME_LOCAL_PORT": port}
        assert subprocess.run(check, env=probe_env, timeout=30).returncode == 0
    assert data.exists()


def test_the_image_can_use_postgresql(installed: tuple[Path, dict[str, str]]) -> None:
    """The image installs the postgres extra: its engine (psycopg, its pool, greenlet) imports."""
    root, env = installed
    python = str(root / "venv" / "bin" / "python")
    done = subprocess.run(
        [python, "-c", "import chime_local.store.postgres"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_the_recipe_has_what_a_service_needs() -> None:
    final = read_dockerfile()[-1]
    assert final.base.startswith("python:") and final.base.endswith("-slim")
    assert final.all("USER") and final.all("USER")[-1] not in ("root", "0")
    assert final.all("VOLUME") == ['["/data"]']
    assert env_pairs(final)["CHIME_LOCAL_DB"].startswith("/data/")
    assert final.all("EXPOSE") == [env_pairs(final)["CHIME_LOCAL_PORT"]]
    assert "/_chime_local/health" in final.all("HEALTHCHECK")[-1]


def test_the_compose_example_uses_the_recipe() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    service = compose["services"]["chime"]
    assert service["build"] == "."
    assert "CHIME_LOCAL_ADMIN_TOKEN" in service["environment"]
    assert all(name.startswith("CHIME_LOCAL_") for name in service["environment"])
    assert any(volume.endswith(":/data") for volume in service["volumes"])
    assert service["ports"] == ["127.0.0.1:8000:8000"]
