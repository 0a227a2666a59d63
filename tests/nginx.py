"""nginx in front of chime-local instances, configured by ``deploy/nginx.conf`` (tests and bench).

The shipped file names its instances and its own port; :class:`Balancer` runs that same file
with the ports of the moment written in (the upstream's ``server`` lines, the ``listen`` line),
from a private prefix folder, in the foreground, and stops it at the end. The binary is Debian's
``nginx`` package, which ``./run test`` installs when it runs as root.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from tests.postgres import free_port

CONFIG = Path(__file__).resolve().parents[1] / "deploy" / "nginx.conf"
_UPSTREAM_SERVER = re.compile(r"^( *)server 127\.0\.0\.1:\d+;\n", re.MULTILINE)
_LISTEN = re.compile(r"listen 127\.0\.0\.1:\d+;")


def nginx_binary() -> str | None:
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")


def configured(ports: list[int], listen: int) -> str:
    """deploy/nginx.conf with its upstream on ``ports`` and its own port ``listen``."""
    text = CONFIG.read_text()
    matches = list(_UPSTREAM_SERVER.finditer(text))
    if not matches or not _LISTEN.search(text):
        raise ValueError(f"{CONFIG} no longer has the upstream and listen lines this reads")
    indent = matches[0].group(1)
    servers = "".join(f"{indent}server 127.0.0.1:{port};\n" for port in ports)
    text = text[: matches[0].start()] + servers + text[matches[-1].end() :]
    return _LISTEN.sub(f"listen 127.0.0.1:{listen};", text)


class Balancer:
    """nginx on a free loopback port, round robin over the instances on ``ports``."""

    def __init__(self, ports: list[int]) -> None:
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx not found (Debian's nginx package)")
        self._binary = binary
        self._ports = ports
        self.port = free_port()
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        self._folder: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Balancer:
        self._folder = Path(tempfile.mkdtemp(prefix="chime-local-nginx-"))
        (self._folder / "nginx.conf").write_text(configured(self._ports, self.port))
        command = [self._binary, "-p", str(self._folder), "-c", "nginx.conf", "-e", "stderr"]
        self._process = subprocess.Popen(command, stderr=subprocess.PIPE)
        self._wait_until_listening(10.0)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.communicate(timeout=10)
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)

    def _wait_until_listening(self, seconds: float) -> None:
        assert self._process is not None
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                _, problem = self._process.communicate()
                raise RuntimeError(f"nginx exited: {problem.decode(errors='replace').strip()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"nginx did not listen on port {self.port} within {seconds:g}s")
