"""Wall time of the duel as its user launches it, per stage.

Runs ``python -m flows.cli run [--quick]`` in a fresh process without the Makefile's Prefect
environment, then reads the task runs back from Prefect and prints where the time went: process
start to the first task (interpreter, imports, Prefect's API made ready), every task (start offset
and duration), and the whole run from process start to exit, with both contestants' test MAE.
Targets on 2 cores: ``--quick`` <= 60 s, the full budgets <= the AutoML budget + 60 s, process
start to first task <= 5 s.

The user's ``PREFECT_HOME`` and Prefect port are used as they are: the first run with no Prefect
server running starts the lasting one (flows/lasting_server.py), later runs find it. ``--fresh``
uses a throwaway Prefect home and a free port (a first run ever: Prefect creates its database and
the server starts), stopping that server at the end. ``--runs N`` launches N times in a row, so
``--fresh --runs 2`` measures the first run and the next. Each run gets a new emulator workspace (no
task result is reused from an earlier run's cache): a throwaway one, its service deleted at the
end, or ``--workspace DIR``, whose service stays up for ``DUEL_EMULATOR_HOME=DIR
benchmarks/serving.py``.

    DUEL_DATA=/path/housing.csv .venv/bin/python benchmarks/flow.py [--full] [--fresh] [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from flows import lasting_server

ROOT = Path(__file__).resolve().parents[1]
_MAKEFILE_PREFECT = ("PREFECT_SERVER_ANALYTICS_ENABLED", "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS")


def _launch(arguments: list[str], env: dict[str, str]) -> tuple[float, float, list[str], int]:
    started = time.time()
    process = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", *arguments],
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


async def _task_runs(api_url: str) -> list[tuple[str, float, float]]:
    """(name, start, end) of the newest flow run's task runs, from the server that ran them."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api_url}):
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
    parser.add_argument("--fresh", action="store_true", help="a throwaway Prefect home and port")
    parser.add_argument("--runs", type=int, default=1, help="launches in a row (default 1)")
    parser.add_argument("--workspace", type=Path, help="a new emulator home to keep (default: throwaway)")
    parser.add_argument("--deploy-target", help="passed to the flow (default: the flow's own, local)")
    args = parser.parse_args()
    # --json: the whole result after the summary, read back for both contestants' test MAE.
    arguments = ["--json"] if args.full else ["--quick", "--json"]
    if args.deploy_target:
        arguments += ["--deploy-target", args.deploy_target]
    # The flow must work without what the Makefile exports: drop it.
    env = {k: v for k, v in os.environ.items() if k not in _MAKEFILE_PREFECT}
    with tempfile.TemporaryDirectory(prefix="duel-flow-bench-") as folder:
        if args.fresh:
            from emulator.serving.process import free_port

            env.pop("PREFECT_API_URL", None)
            env.update(PREFECT_HOME=f"{folder}/prefect", PREFECT_SERVER_API_PORT=str(free_port()))
        try:
            for run in range(1, args.runs + 1):
                workspace = Path(folder, f"emulator-{run}")
                if args.workspace:
                    workspace = args.workspace if args.runs == 1 else args.workspace / f"run-{run}"
                env["DUEL_EMULATOR_HOME"] = str(workspace)
                print(f"\nrun {run}: python -m flows.cli run {' '.join(arguments)}", end="")
                print(f"; load average before {os.getloadavg()[0]:.1f}")
                _measure(arguments, env, args.full)
                if args.workspace is None:
                    _stop_services(env)
        finally:
            if args.fresh:
                lasting_server.stop(Path(env["PREFECT_HOME"]))


def _measure(arguments: list[str], env: dict[str, str], full: bool) -> None:
    started, ended, lines, code = _launch(arguments, env)
    load_after = os.getloadavg()[0]
    if code:
        raise SystemExit(f"the flow failed with exit code {code}")
    tasks = asyncio.run(_task_runs(_api_url(env)))
    first = min(start for _, start, _ in tasks)
    last = max(end for _, _, end in tasks)
    print(next((line for line in lines if line.startswith("Prefect: ")), "Prefect: (not said)"))
    print(f"{'stage':<28}{'from s':>9}{'took s':>9}")
    print(f"{'process start to 1st task':<28}{0:>9.1f}{first - started:>9.1f}  (target <= 5 s)")
    for name, start, end in sorted(tasks, key=lambda t: t[1]):
        print(f"{name:<28}{start - started:>9.1f}{end - start:>9.1f}")
    print(f"{'after last task to exit':<28}{last - started:>9.1f}{ended - last:>9.1f}")
    target = "60 s" if not full else "the AutoML budget + 60 s"
    print(
        f"total wall {ended - started:.1f} s (target <= {target}); load average at the end {load_after:.1f}"
    )
    print(_verdict(lines))


def _api_url(env: dict[str, str]) -> str:
    """The API the run used: PREFECT_API_URL, else the server at Prefect's port (which outlives it)."""
    if env.get("PREFECT_API_URL"):
        return env["PREFECT_API_URL"]
    return f"http://127.0.0.1:{env.get('PREFECT_SERVER_API_PORT', '4200')}/api"


def _stop_services(env: dict[str, str]) -> None:
    """Delete the service the flow deployed into the throwaway workspace (its server runs on)."""
    from tasks.settings import DuelSettings

    subprocess.run(
        [sys.executable, "-m", "emulator", "services", "delete", DuelSettings().service_name],
        cwd=ROOT,
        env=env,
        capture_output=True,
        check=False,
    )


if __name__ == "__main__":
    main()
