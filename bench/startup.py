"""``python -m bench.startup``: start-up costs of the Chime model, the packaged copy vs botocore's.

Each figure is the median of fresh processes (nothing cached in memory between runs):

* ``model (packaged)``: read chime-local's copy and build botocore's ``ServiceModel`` from it, as
  ``load_api`` does; ``model (botocore)``: the same model through a botocore session's loader
  (gzipped, with its documentation), as ``load_api`` did before the copy;
* ``load_api``: the packaged model read and all 62 operations compiled;
* ``server to first answer``: from spawning ``chime-local serve --in-memory`` to the first signed
  ``ListAccounts`` answered.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import boto3

from chime_local.testing import ServerProcess

SNIPPETS = {
    "model (packaged)": (
        "from botocore.model import ServiceModel\n"
        "from chime_local.model import load_document\n"
        "start = time.perf_counter()\n"
        "ServiceModel(load_document('service-2.json'), service_name='chime')\n"
    ),
    "model (botocore)": (
        "import botocore.session\n"
        "start = time.perf_counter()\n"
        "botocore.session.get_session().get_service_model('chime')\n"
    ),
    "load_api": (
        "from chime_local.protocol import api\n"
        "api.load_api.cache_clear()\n"
        "start = time.perf_counter()\n"
        "api.load_api()\n"
    ),
}


def in_fresh_process(snippet: str) -> float:
    code = f"import time\n{snippet}print(time.perf_counter() - start)\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout) * 1000


def server_to_first_answer(session: boto3.session.Session) -> float:
    """Spawn to first answer; the client's own set-up is paid before the clock starts."""
    options = {"region_name": "us-east-1", "aws_access_key_id": "AKIASTARTUP000000000",
               "aws_secret_access_key": "startup"}  # fmt: skip
    session.client("chime", endpoint_url="http://127.0.0.1:9", **options)  # warms the loader
    start = time.perf_counter()
    with ServerProcess(db=None, extra_args=("--quiet",)) as server:
        session.client("chime", endpoint_url=server.endpoint_url, **options).list_accounts()
        return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__)
    parser.add_argument("--runs", type=int, default=9, help="fresh processes per figure")
    args = parser.parse_args()
    for name, snippet in SNIPPETS.items():
        samples = [in_fresh_process(snippet) for _ in range(args.runs)]
        print(f"{name:24} median {statistics.median(samples):7.1f} ms")
    session = boto3.session.Session()
    samples = [server_to_first_answer(session) for _ in range(args.runs)]
    print(f"{'server to first answer':24} median {statistics.median(samples):7.1f} ms")


if __name__ == "__main__":
    main()
