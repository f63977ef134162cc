"""Wall time of the duel as its user launches it, per stage.

Runs ``python -m flows.comparison [--quick]`` in a fresh process without the Makefile's Prefect
environment, then reads the task runs back from Prefect and prints where the time went:
interpreter and imports up to the temporary server's start, the server's start up to the first
task, every task (start offset and duration), and the whole run from process start to exit, with
both contestants' test MAE. Targets on 2 cores: ``--quick`` <= 60 s, the full budgets <= the AutoML
budget + 60 s, process start to first task <= 5 s.

The user's ``PREFECT_HOME`` (or ``PREFECT_API_URL``: a running server) is used as it is;
``--fresh`` uses a throwaway one (a first run: Prefect creates its database). Each run gets a new
emulator workspace (so no task result is reused from an earlier run's cache): a throwaway one,
its service deleted at the end, or ``--workspace DIR``, whose service stays up for
``DUEL_EMULATOR_HOME=DIR benchmarks/serving.py``. ``--server`` first starts ``prefect server
start`` (not timed) and points the flow at it: no temporary server per run.

    DUEL_DATA=/path/housing.csv .venv/bin/python benchmarks/flow.py [--full] [--fresh] [--server]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_MAKEFILE_PREFECT = ("PREFECT_SERVER_ANALYTICS_ENABLED", "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS")
_SERVER_LINE = re.compile(r"^(\d\d:\d\d:\d\d\.\d+) \| INFO +\| prefect - Starting temporary server")


def _launch(arguments: list[str], env: dict[str, str]) -> tuple[float, float, list[str], int]:
    started = time.time()
    process = subprocess.run(
        [sys.executable, "-m", "flows.comparison", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    ended = time.time()
    if process.returncode:
        print(process.stdout[-4000:], process.stderr[-4000:], sep="\n")
    return started, ended, (process.stdout + process.stderr).splitlines(), process.returncode


def _verdict(lines: list[str]) -> str:
    """Both contestants' test MAE from the JSON the flow prints last."""
    first = max(i for i, line in enumerate(lines) if line == "{")
    result = json.loads("\n".join(lines[first : lines.index("}", first) + 1]))
    return ", ".join(
        f"{side['name']} ({side['algorithm']}) test MAE {side['mae']:,.0f}"
        for side in (result["winner"], result["loser"])
    )


def _server_start(lines: list[str], started: float) -> float | None:
    """The epoch time of the log line announcing the temporary server (local clock, same day)."""
    for line in lines:
        match = _SERVER_LINE.match(line)
        if match:
            day = dt.datetime.fromtimestamp(started).date()
            clock = dt.datetime.strptime(match.group(1), "%H:%M:%S.%f").time()
            return dt.datetime.combine(day, clock).timestamp()
    return None


def _task_runs() -> list[tuple[str, float, float]]:
    """(name, start, end) of the last flow run's task runs: from the server that ran it, else from
    the Prefect home's database (no second temporary server)."""
    if os.environ.get("PREFECT_API_URL"):
        return asyncio.run(_task_runs_from_api())
    home = Path(os.environ.get("PREFECT_HOME", Path.home() / ".prefect")).expanduser()
    with contextlib.closing(sqlite3.connect(home / "prefect.db")) as db:
        rows = db.execute(
            "SELECT name, start_time, end_time FROM task_run WHERE flow_run_id = "
            "(SELECT id FROM flow_run ORDER BY start_time DESC LIMIT 1) AND end_time IS NOT NULL"
        ).fetchall()
    utc = dt.UTC
    return [
        (
            name.rsplit("-", 1)[0],
            dt.datetime.fromisoformat(start).replace(tzinfo=utc).timestamp(),
            dt.datetime.fromisoformat(end).replace(tzinfo=utc).timestamp(),
        )
        for name, start, end in rows
    ]


async def _task_runs_from_api() -> list[tuple[str, float, float]]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import FlowRunSort

    async with get_client() as client:
        flow_run = (await client.read_flow_runs(sort=FlowRunSort.START_TIME_DESC, limit=1))[0]
        tasks = await client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run.id]))
        )
    return sorted(
        (t.name.rsplit("-", 1)[0], t.start_time.timestamp(), t.end_time.timestamp())
        for t in tasks
        if t.start_time and t.end_time
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the default budgets instead of --quick")
    parser.add_argument("--fresh", action="store_true", help="a throwaway Prefect home")
    parser.add_argument("--workspace", type=Path, help="a new emulator home to keep (default: throwaway)")
    parser.add_argument("--server", action="store_true", help="run against a started Prefect server")
    parser.add_argument("--deploy-target", help="passed to the flow (default: the flow's own, local)")
    args = parser.parse_args()
    # --json: the whole result after the summary, read back for both contestants' test MAE.
    arguments = ["--json"] if args.full else ["--quick", "--json"]
    if args.deploy_target:
        arguments += ["--deploy-target", args.deploy_target]
    print(f"python -m flows.comparison {' '.join(arguments)}; load average before {os.getloadavg()[0]:.1f}")
    # The flow must work without what the Makefile exports: drop it.
    env = {k: v for k, v in os.environ.items() if k not in _MAKEFILE_PREFECT}
    with tempfile.TemporaryDirectory(prefix="duel-flow-bench-") as folder:
        env["DUEL_EMULATOR_HOME"] = str(args.workspace or f"{folder}/emulator")
        if args.fresh:
            env["PREFECT_HOME"] = f"{folder}/prefect"
            env.pop("PREFECT_API_URL", None)
        with _prefect_server(env) if args.server else contextlib.nullcontext():
            started, ended, lines, code = _launch(arguments, env)
            load_after = os.getloadavg()[0]
            if code:
                raise SystemExit(f"the flow failed with exit code {code}")
            os.environ.update(
                {k: env[k] for k in ("PREFECT_HOME", "DUEL_EMULATOR_HOME", "PREFECT_API_URL") if k in env}
            )
            tasks = _task_runs()
        if args.workspace is None:
            _stop_services()
    server = _server_start(lines, started)
    first = min(start for _, start, _ in tasks)
    last = max(end for _, _, end in tasks)
    print(f"{'stage':<28}{'from s':>9}{'took s':>9}")
    if server is not None:
        print(f"{'imports, interpreter':<28}{0:>9.1f}{server - started:>9.1f}")
        print(f"{'temporary server start':<28}{server - started:>9.1f}{first - server:>9.1f}")
    print(f"{'process start to 1st task':<28}{0:>9.1f}{first - started:>9.1f}  (target <= 5 s)")
    for name, start, end in sorted(tasks, key=lambda t: t[1]):
        print(f"{name:<28}{start - started:>9.1f}{end - start:>9.1f}")
    print(f"{'after last task to exit':<28}{last - started:>9.1f}{ended - last:>9.1f}")
    target = "60 s" if not args.full else "the AutoML budget + 60 s"
    print(
        f"total wall {ended - started:.1f} s (target <= {target}); load average at the end {load_after:.1f}"
    )
    print(_verdict(lines))


@contextlib.contextmanager
def _prefect_server(env: dict[str, str]):
    """``prefect server start`` on a free port, healthy, with ``PREFECT_API_URL`` set in ``env``."""
    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{env['PREFECT_API_URL']}/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    try:
        if process.poll() is not None or time.monotonic() >= deadline:
            raise SystemExit("prefect server start did not answer within 300 s")
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def _stop_services() -> None:
    """Delete the service the flow deployed into the throwaway workspace (its server runs on)."""
    subprocess.run(
        [sys.executable, "-m", "emulator", "services", "delete", "housing-price-svc"],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        check=False,
    )


if __name__ == "__main__":
    main()
