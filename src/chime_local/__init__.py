"""chime-local: a self-hostable emulator of the Amazon Chime administration API.

The public surface is small: :class:`Emulator` (the core, usable directly), the ``chime-local``
command line, and the testing helpers in :mod:`chime_local.testing`.
"""

from chime_local.emulator import Emulator
from chime_local.version import __version__

__all__ = ["Emulator", "__version__"]
