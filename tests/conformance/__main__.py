"""``python -m tests.conformance``: run the suite's scenarios and rewrite the README matrix."""

from __future__ import annotations

import re
from pathlib import Path

from chime_local.testing import ServerProcess
from tests.conformance.harness import matrix, run_all

README = Path(__file__).parents[2] / "README.md"


def main() -> None:
    with ServerProcess(db=None, extra_args=("--quiet",)) as server:
        table = matrix(run_all(server.endpoint_url))
    text = README.read_text()
    marker = re.compile(r"<!-- conformance:start -->\n.*<!-- conformance:end -->", re.S)
    README.write_text(
        marker.sub(lambda _: f"<!-- conformance:start -->\n{table}<!-- conformance:end -->", text)
    )
    print(table, end="")


if __name__ == "__main__":
    main()
