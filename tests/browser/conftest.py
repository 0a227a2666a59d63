"""Headless Chromium for the console's end-to-end tests: Debian's ``chromium``, driven by
Playwright through ``executable_path`` (Playwright's own browser download is not used).

Without a Chromium these tests skip with a one-line reason; under ``CI=true`` that is a failure.
The browser lives for one module: Playwright's synchronous API keeps an event loop running on
the thread while it is started, which ``asyncio.run`` in other tests on the worker cannot share.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from chime_local.testing import ServerProcess

CHROMIUM_NAMES = ("chromium", "chromium-browser")


def chromium_path() -> str | None:
    given = os.environ.get("CHIME_LOCAL_CHROMIUM")
    if given:
        return given
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    path = chromium_path()
    if path is None:
        reason = "no chromium on PATH (./run test installs Debian's chromium when run as root)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def console_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server of the module's own: these tests move its clock and add fault rules."""
    db: Path = tmp_path_factory.mktemp("console") / "chime.db"
    with ServerProcess(db=db, extra_args=("--quiet",)) as process:
        yield process
