"""chime-local: a self-hostable emulator of the Amazon Chime administration API.

The public surface is small: :class:`Emulator` (the core, usable directly), the ``chime-local``
command line, and the in-process mode :func:`mock_chime`, and the pytest fixtures in
:mod:`chime_local.testing`. ``Emulator`` and ``mock_chime`` are imported on first use, so the
command line (``chime-local serve``) loads only what it runs.
"""

from typing import TYPE_CHECKING, Any

from chime_local.version import __version__

if TYPE_CHECKING:
    from chime_local.emulator import Emulator
    from chime_local.testing.inprocess import mock_chime

__all__ = ["Emulator", "__version__", "mock_chime"]


def __getattr__(name: str) -> Any:
    if name == "Emulator":
        from chime_local.emulator import Emulator

        return Emulator
    if name == "mock_chime":
        from chime_local.testing.inprocess import mock_chime

        return mock_chime
    raise AttributeError(f"module 'chime_local' has no attribute {name!r}")
