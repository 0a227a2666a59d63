"""``python -m bench``: measure chime-local and its peers, write ``bench/RESULTS.md``.

Installs what it needs (wrk from Debian's packages when it is missing and we are root; moto's
server comes with the ``bench`` extra that ``./run bench`` installs), starts and stops every
server itself on loopback, and bounds every load run with wrk's ``-d``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import http_figures, inprocess_figures, postgres_figures, report, scale, split

RAW = Path(__file__).parent / "results.json"

RAW = Path(__file__).parent / "results.json"


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0:
        sys.exit("wrk is needed: install Debian's wrk package (apt-get install wrk)")
    print("installing wrk (apt-get install wrk) ...")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--seconds", type=int, default=5, help="seconds per wrk run (default 5)")
    parser.add_argument("--repeats", type=int, default=2, help="runs per configuration (default 2)")
    parser.add_argument(
        "--scale-users",
        type=int,
        default=1_000_000,
        help="users of the large store (default 1,000,000)",
    )
    parser.add_argument(
        "--report", action="store_true", help="only write RESULTS.md again from bench/results.json"
    )
    args = parser.parse_args()
    if args.report:
        report.from_raw(json.loads(RAW.read_text()))
        print(f"wrote {report.RESULTS}")
        return
    ensure_wrk()
    cpus = (0, 1) if (os.cpu_count() or 1) >= 2 else (None, None)
    print("HTTP figures")
    figures = http_figures.measure((1, 16, 64), args.repeats, args.seconds, cpus)
    print("Where a request's time goes")
    stages = split.measure(args.seconds, cpus)
    print(f"  {stages}")
    print("In-process figures")
    inprocess = inprocess_figures.measure(args.repeats)
    print("Scale figures")
    accounts = max(1, args.scale_users // 1000)
    with tempfile.TemporaryDirectory() as big_dir, tempfile.TemporaryDirectory() as small_dir:
        big = scale.measure_store(Path(big_dir), accounts, 1000, args.seconds, cpus)
        print(
            f"  {big.users:,} users: {big.users_per_second:,.0f} users/s, GetUser p50 {big.get_user.p50_ms:.3f} ms"
        )
        small = scale.measure_store(Path(small_dir), 1, 1000, args.seconds, cpus)
        print(f"  {small.users:,} users: GetUser p50 {small.get_user.p50_ms:.3f} ms")
    print("Workers")
    with tempfile.TemporaryDirectory() as workers_dir:
        workers = scale.measure_workers(Path(workers_dir), args.seconds, args.repeats)
    print("PostgreSQL figures")
    postgres = postgres_figures.measure(args.scale_users, args.seconds)
    for name, value in postgres.items():
        print(f"  {name} {value}")
    command = "python -m bench " + " ".join(sys.argv[1:])
    outcome = report.write(
        command.strip(), args.seconds, figures, inprocess, big, small, workers, stages, postgres
    )
    raw = {
        "command": command.strip(),
        "seconds": args.seconds,
        "http": http_figures.as_dict(figures),
        "inprocess": inprocess,
        "split": stages,
        "scale": {
            "1M": big.__dict__
            | {
                "get_user": big.get_user.__dict__,
                "list_users_email": big.list_users_email.__dict__,
            },
            "1k": small.__dict__
            | {
                "get_user": small.get_user.__dict__,
                "list_users_email": small.list_users_email.__dict__,
            },
        },
        "postgres": postgres,
        "workers": {
            str(w): {str(c): [load.__dict__ for load in loads] for c, loads in by_c.items()}
            for w, by_c in workers.items()
        },
    }
    RAW.write_text(json.dumps(raw, indent=1) + "\n")
    for text, ok in outcome["targets"].items():
        print(f"  {'met    ' if ok else 'NOT MET'} {text}")
    print(f"wrote {report.RESULTS}")


if __name__ == "__main__":
    main()
