"""`make demo` (the quick duel) N times under a synthetic load: two busy processes on the machine's cores.

    python -m benchmarks.demo_under_load --runs 5

Prints one line per run (wall time, pass/fail, load average at its end) and a total; for
benchmarks/RESULTS.md. Run it on a quiet machine: the figure is about this project, not neighbours.
Each run uses a fresh emulator home and Prefect's temporary server, with no deployment.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _spin() -> None:
    while True:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--busy", type=int, default=2, help="busy processes kept running meanwhile")
    args = parser.parse_args(argv)
    busy = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(args.busy)]
    for process in busy:
        process.start()
    passed = 0
    try:
        for number in range(1, args.runs + 1):
            with tempfile.TemporaryDirectory(prefix="demo-under-load-") as folder:
                env = {
                    **os.environ,
                    "PYTHONPATH": str(REPO),
                    "DUEL_EMULATOR_HOME": f"{folder}/emulator",
                    "PREFECT_HOME": f"{folder}/prefect",
                    "DUEL_DEPLOY_TARGET": os.environ.get("DUEL_DEPLOY_TARGET", "local"),
                }
                started = time.monotonic()
                done = subprocess.run(
                    [sys.executable, "-m", "flows.cli", "run", "--quick", "--temporary-server"],
                    cwd=REPO, env=env, capture_output=True, text=True,
                )  # fmt: skip
                seconds = time.monotonic() - started
            ok = done.returncode == 0
            passed += ok
            load = " ".join(f"{value:.2f}" for value in os.getloadavg())
            print(
                f"run {number}: {seconds:6.1f} s  {'pass' if ok else 'FAIL'}  load average {load}", flush=True
            )
            if not ok:
                print("  " + (done.stderr.strip().splitlines() or ["(no output)"])[-1], flush=True)
    finally:
        for process in busy:
            process.kill()
    print(f"{passed}/{args.runs} passed with {args.busy} busy processes on {os.cpu_count()} cores")
    return 0 if passed == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
