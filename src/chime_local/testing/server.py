"""A real ``chime-local serve`` in a subprocess, on an ephemeral loopback port.

Used by the black-box tests and by the ``chime_server`` pytest fixture. ``start`` waits for the
ready line and reads the bound port from it; ``stop`` sends SIGTERM and waits, and ``kill``
sends SIGKILL (for crash tests). Always stopped by whoever started it (use it as a context
manager).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from types import TracebackType

_READY = re.compile(r"chime-local listening on (http://\S+)")


class ServerProcess:
    def __init__(
        self,
        db: str | Path | None = None,
        extra_args: tuple[str, ...] = (),
        host: str = "127.0.0.1",
        startup_timeout: float = 60.0,  # spawned workers start slowly on a busy machine
        cwd: str | Path | None = None,
        storage: tuple[str, ...] | None = None,
    ) -> None:
        self.db = db
        self.extra_args = extra_args
        self.host = host
        self.startup_timeout = startup_timeout
        self.cwd = cwd
        # storage options: --db DB, or --in-memory without a db; () leaves serve's default
        self.storage = storage
        self.endpoint_url = ""
        self.output: list[str] = []
        self._process: subprocess.Popen[str] | None = None
        self._pump_thread: threading.Thread | None = None

    def command(self) -> list[str]:
        storage = self.storage
        if storage is None:
            storage = ("--db", str(self.db)) if self.db is not None else ("--in-memory",)
        return [
            sys.executable,
            "-m",
            "chime_local",
            "serve",
            "--host",
            self.host,
            "--port",
            "0",
            *storage,
            *self.extra_args,
        ]

    def start(self) -> ServerProcess:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self._process = subprocess.Popen(
            self.command(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            cwd=self.cwd,
        )
        ready = threading.Event()
        self._pump_thread = threading.Thread(target=self._pump, args=(ready,), daemon=True)
        self._pump_thread.start()
        if not ready.wait(self.startup_timeout) or not self.endpoint_url:
            self.kill()
            raise RuntimeError("chime-local did not start:\n" + "".join(self.output))
        return self

    def _pump(self, ready: threading.Event) -> None:
        assert self._process is not None
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self.output.append(line)
            match = _READY.search(line)
            if match and not ready.is_set():
                self.endpoint_url = match.group(1)
                ready.set()
        ready.set()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self, timeout: float = 10.0) -> int | None:
        return self._end(signal.SIGTERM, timeout)

    def kill(self) -> int | None:
        return self._end(signal.SIGKILL, 10.0)

    def _end(self, sig: signal.Signals, timeout: float) -> int | None:
        process = self._process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout)
        if self._pump_thread is not None:
            self._pump_thread.join(timeout)  # everything the server printed is in ``output``
        return process.returncode

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
