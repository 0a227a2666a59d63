"""``serve --workers N`` whose workers cannot start ends with its own documented status, 7."""

from __future__ import annotations

from typing import Any

import pytest

from chime_local.cli import main
from chime_local.cli.errors import WORKERS
from chime_local.server import serve as serve_module


def test_workers_that_cannot_start_end_serve_with_status_7(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    def failing(*args: Any, **kwargs: Any) -> None:
        raise serve_module.WorkersFailed("the workers could not start; their log lines say why")

    monkeypatch.setattr(serve_module, "serve", failing)
    status = main(["serve", "--db", str(tmp_path / "state.db"), "--workers", "2"])
    assert status == WORKERS == 7
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["chime-local serve: the workers could not start; their log lines say why"]
