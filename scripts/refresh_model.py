"""Refresh chime-local's packaged Chime model from the installed botocore.

    python scripts/refresh_model.py          # report the changes, then rewrite the copy
    python scripts/refresh_model.py --check  # report only; exit 1 if the copy differs

The report lists operations, shapes and members added, removed or changed between the packaged
copy and the installed botocore's model (``documentation`` prose is ignored: it is not kept).
"""

from __future__ import annotations

import argparse
import sys

from chime_local.model.refresh import botocore_version, changes_from_installed, write_copy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report only, change nothing")
    args = parser.parse_args(argv)
    changes = changes_from_installed()
    if changes is None:
        print(f"botocore {botocore_version()} has no chime model; the copy is kept as it is")
        return 1 if args.check else 0
    for line in changes.lines():
        print(line)
    if changes.empty():
        print(f"the copy matches botocore {botocore_version()}'s chime model")
    if args.check:
        return 0 if changes.empty() else 1
    provenance = write_copy()
    print(f"wrote the copy from botocore {provenance['botocore']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
