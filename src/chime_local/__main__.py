"""``python -m chime_local`` is the ``chime-local`` command."""

import sys

from chime_local.cli import main

sys.exit(main())
