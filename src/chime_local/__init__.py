"""chime-local: a self-hostable emulator of the Amazon Chime administration API.

The public surface is small: :class:`Emulator` (the core, usable directly), the ``chime-local``
command line, and the in-process mode :func:`mock_chime`, and the pytest fixtures in
:mod:`chime_local.testing`.
"""

from chime_local.emulator import Emulator
from chime_local.testing.inprocess import mock_chime
from chime_local.version import __version__

__all__ = ["Emulator", "__version__", "mock_chime"]
