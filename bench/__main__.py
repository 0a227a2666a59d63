"""``python -m bench``: measure chime-local and its peers, write ``bench/RESULTS.md``.

Installs what it needs (wrk from Debian's packages when it is missing and we are root; moto's
server comes with the ``bench`` extra that ``./run bench`` installs), starts and stops every
server itself on loopback, and bounds every load run with wrk's ``-d``.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import chime_local
from bench import http_figures, inprocess_figures, postgres_figures, report, scale, split

RAW = Path(__file__).parent / "results.json"
SECTIONS = ("http", "split", "inprocess", "scale", "workers", "postgres")


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
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help="comma-separated sections to measure (default all: %(default)s); the others keep "
        "their figures from bench/results.json",
    )
    args = parser.parse_args()
    if args.report:
        report.from_raw(json.loads(RAW.read_text()))
        print(f"wrote {report.RESULTS}")
        return
    sections = set(args.sections.split(","))
    if not sections <= set(SECTIONS):
        parser.error(f"--sections takes some of {', '.join(SECTIONS)}")
    ensure_wrk()
    # chime-local's modules as an installed package has them: compiled, not compiled per start
    compileall.compile_dir(Path(chime_local.__file__).parent, quiet=1)
    raw = json.loads(RAW.read_text()) if sections != set(SECTIONS) else {}
    raw["command"] = ("python -m bench " + " ".join(sys.argv[1:])).strip()
    raw["seconds"] = args.seconds
    try:
        measure(sections, args, raw)
    finally:  # what was measured is kept even when a later section fails
        RAW.write_text(json.dumps(raw, indent=1) + "\n")
    outcome = report.from_raw(raw)
    for text, ok in outcome["targets"].items():
        print(f"  {'met    ' if ok else 'NOT MET'} {text}")
    print(f"wrote {report.RESULTS}")


def measure(sections: set[str], args: argparse.Namespace, raw: dict[str, Any]) -> None:
    """Run the chosen sections, each putting its figures into ``raw`` (results.json's form)."""
    cpus = (0, 1) if (os.cpu_count() or 1) >= 2 else (None, None)
    if "http" in sections:
        print("HTTP figures")
        figures = http_figures.measure((1, 16, 64), args.repeats, args.seconds, cpus)
        raw["http"] = http_figures.as_dict(figures)
    if "split" in sections:
        print("Where a request's time goes")
        raw["split"] = split.measure(args.seconds, cpus)
        print(f"  {raw['split']}")
    if "inprocess" in sections:
        print("In-process figures")
        raw["inprocess"] = inprocess_figures.measure(args.repeats)
        raw["inprocess_hook_us"] = inprocess_figures.hook_microseconds()
        print(f"  inside the emulator: {raw['inprocess_hook_us']:.1f} us per call")
    if "scale" in sections:
        print("Scale figures")
        accounts = max(1, args.scale_users // 1000)
        with tempfile.TemporaryDirectory() as big_dir, tempfile.TemporaryDirectory() as small_dir:
            big = scale.measure_store(Path(big_dir), accounts, 1000, args.seconds, cpus)
            print(f"  {big.users:,} users: first request {big.first_request_seconds:.2f} s")
            small = scale.measure_store(Path(small_dir), 1, 1000, args.seconds, cpus)
            print(f"  {small.users:,} users: first request {small.first_request_seconds:.2f} s")
        raw["scale"] = {"1M": _store_dict(big), "1k": _store_dict(small)}
    if "workers" in sections:
        print("Workers")
        with tempfile.TemporaryDirectory() as workers_dir:
            workers = scale.measure_workers(Path(workers_dir), args.seconds, args.repeats)
        raw["workers"] = {
            str(w): {str(c): [load.__dict__ for load in loads] for c, loads in by_c.items()}
            for w, by_c in workers.items()
        }
    if "postgres" in sections:
        print("PostgreSQL figures")
        raw["postgres"] = postgres_figures.measure(args.scale_users, args.seconds)
        for name, value in raw["postgres"].items():
            print(f"  {name} {value}")


def _store_dict(store: scale.StoreFigures) -> dict[str, Any]:
    return store.__dict__ | {
        "get_user": store.get_user.__dict__,
        "list_users_email": store.list_users_email.__dict__,
    }


if __name__ == "__main__":
    main()
