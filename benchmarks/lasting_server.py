"""How long the lasting Prefect server takes from start to healthy, by the way it is started.

The 5 s first-task target is about a server already running; how the server starts matters to the
first run after a boot only. Each round starts a server in a Prefect home whose database exists
(the state after any first run), from the same free port, by each variant in turn, and stops it:

* ``uvicorn``: Prefect's app factory under uvicorn (``PREFECT__SERVER_FINAL``), as
  ``prefect server start --background`` itself does, with its output in ``server.log``;
* ``cli``: the public ``prefect server start`` (foreground), in a session of its own, output in
  ``server.log``;
* ``cli-background``: ``prefect server start --background``, as a person types it.

    .venv/bin/python benchmarks/lasting_server.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

VARIANTS = ("uvicorn", "cli", "cli-background")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _command(variant: str, port: int) -> list[str]:
    where = ["--host", "127.0.0.1", "--port", str(port)]
    if variant == "uvicorn":
        return [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app", *where]
    background = ["--background"] if variant == "cli-background" else []
    return [sys.executable, "-m", "prefect", "server", "start", *where, *background]


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=0.5).text.strip() == "true"
    except httpx.HTTPError:
        return False


def _time_start(variant: str, home: Path) -> float:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_UI_API_URL": url}
    if variant == "uvicorn":
        env["PREFECT__SERVER_FINAL"] = "1"
    started = time.monotonic()
    with (home / "server.log").open("ab") as log:
        process = subprocess.Popen(
            _command(variant, port),
            cwd=home,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    while not _healthy(url):
        if time.monotonic() - started > 300:
            raise RuntimeError(f"{variant}: no answer in 300 s; see {home / 'server.log'}")
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    if variant == "cli-background":
        process.wait(timeout=60)
        subprocess.run(
            [sys.executable, "-m", "prefect", "server", "stop"], env=env, check=True, capture_output=True
        )
    else:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lasting-server-bench-") as folder:
        home = Path(folder)
        _time_start("uvicorn", home)  # creates the database: every timed start finds one
        times: dict[str, list[float]] = {v: [] for v in VARIANTS}
        for _ in range(args.rounds):
            for variant in VARIANTS:
                load = os.getloadavg()[0]
                times[variant].append(_time_start(variant, home))
                print(
                    f"{variant:15} {times[variant][-1]:6.2f} s  (load average before {load:.2f})", flush=True
                )
    print(f"\nmedian start to healthy over {args.rounds} rounds, load average now {os.getloadavg()[0]:.2f}:")
    for variant, seconds in times.items():
        print(f"{variant:15} {sorted(seconds)[len(seconds) // 2]:6.2f} s")


if __name__ == "__main__":
    main()
