"""Page load of the studio for a workspace of 1,000 runs x 100 metrics.

The workspace holds 10 sweeps of 100 trials (HyperDrive parent records with a primary metric, as
the sweep controller records them); every trial logged 100 scalar metrics, its primary metric over
10 steps. The store is filled through its own interface (``log_batch``), then ``emulator studio`` is
started as a real process and the page is fetched as the browser fetches it: the HTML, its script,
style and chart library, then the JSON the runs view asks for (the workspace, twice: header and view;
the runs, from which the primary metric's chart is drawn). Opening the metric picker and charting
another metric come after the load and are timed apart. Target: under 1 s.

    python benchmarks/studio.py [RUNS] [METRICS]
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

REPO = Path(__file__).resolve().parents[1]
SWEEPS = 10


def fill(home: Path, runs: int, metrics: int) -> None:
    os.environ["DUEL_EMULATOR_HOME"] = str(home)
    from emulator.core import Workspace
    from emulator.store import Metric

    store = Workspace("bench", "bench", "bench")._store
    config = json.dumps({"name": "score", "goal": "maximize"})
    now = time.time()
    per_sweep = runs // SWEEPS
    for s in range(SWEEPS):
        parent = f"HD_bench{s}"
        store.create_run(
            {
                "run_id": parent,
                "experiment": f"sweep-{s % 3}",
                "type": "hyperdrive",
                "status": "Completed",
                "start_time": now,
                "end_time": now + 60,
                "properties": {"primary_metric_config": config},
                "tags": {
                    f"_aml_system_{parent}_{t}": json.dumps({"--lr": 0.01 * t}) for t in range(per_sweep)
                },
            }
        )
        for t in range(per_sweep):
            run_id = f"{parent}_{t}"
            store.create_run(
                {
                    "run_id": run_id,
                    "experiment": f"sweep-{s % 3}",
                    "parent_id": parent,
                    "type": "azureml.scriptrun",
                    "status": "Completed",
                    "start_time": now,
                    "end_time": now + 5,
                    "tags": {"trial": str(t)},
                }
            )
            rows = [Metric("score", t * 0.01 + step * 0.001, step=step) for step in range(10)]
            rows += [Metric(f"metric_{m:03d}", float(m * t), step=None) for m in range(metrics - 1)]
            store.log_batch(run_id, rows)


def page_load(client: httpx.Client, spent: dict[str, list[float]]) -> float:
    """The requests the page makes, in its order (the header and the runs view each ask for the workspace)."""
    started = time.perf_counter()

    def get(path: str, **params) -> httpx.Response:
        begin = time.perf_counter()
        response = client.get(path, params=params)
        response.raise_for_status()
        spent.setdefault(path, []).append(time.perf_counter() - begin)
        return response

    for path in (
        "/",
        "/static/base.js",
        "/static/panels.js",
        "/static/studio.js",
        "/static/studio.css",
        "/static/vendor/chart.umd.min.js",
    ):
        get(path)
    get("/api/workspace")
    get("/api/workspace")
    get("/api/runs")  # the chart of the primary metric across runs is drawn from these rows
    return time.perf_counter() - started


def picker(client: httpx.Client) -> tuple[float, float]:
    """After the load: opening the metric picker, then charting another metric across runs."""
    started = time.perf_counter()
    client.get("/api/metric-names").raise_for_status()
    opened = time.perf_counter()
    client.get("/api/metric", params={"name": "metric_050"}).raise_for_status()
    return opened - started, time.perf_counter() - opened


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    metrics = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        started = time.perf_counter()
        fill(home, runs, metrics)
        print(
            f"workspace: {runs} runs x {metrics} metrics (+{SWEEPS} sweep parents) in {time.perf_counter() - started:.1f} s"
        )
        env = {**os.environ, "DUEL_EMULATOR_HOME": str(home), "PYTHONPATH": str(REPO)}
        process = subprocess.Popen(
            [sys.executable, "-m", "emulator", "studio", "--workspace", "bench", "--port", "0"],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            url = re.search(r"http://\S+/", process.stdout.readline())[0]
            with httpx.Client(base_url=url, timeout=60) as client:
                for _ in range(100):
                    try:
                        client.get("/api/workspace")
                        break
                    except httpx.TransportError:
                        time.sleep(0.1)
                server = psutil.Process(process.pid)
                spent: dict[str, list[float]] = {}
                first = page_load(client, {})
                cpu_before = sum(server.cpu_times()[:2])
                timings = [page_load(client, spent) for _ in range(5)]
                cpu = (sum(server.cpu_times()[:2]) - cpu_before) / len(timings)
                body = len(client.get("/api/runs").content)
                names, other = zip(*(picker(client) for _ in range(3)), strict=True)
        finally:
            process.terminate()
            process.wait(timeout=10)
    median = statistics.median(timings)
    print(f"page load (HTML, assets, workspace, runs table and primary-metric chart): first {first:.3f} s")
    print(f"page load, warm: median {median:.3f} s, best {min(timings):.3f} s, worst {max(timings):.3f} s")
    print(f"server CPU per page load: {cpu:.3f} s (what one free core needs, whatever the load)")
    print(f"runs JSON: {body / 1e6:.2f} MB")
    print(
        "warm median per request: "
        + ", ".join(f"{p} {statistics.median(t) * 1000:.0f} ms" for p, t in spent.items())
    )
    print(
        f"after the load: metric picker {statistics.median(names):.3f} s, "
        f"another metric across runs {statistics.median(other):.3f} s (medians)"
    )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} (cores: {os.cpu_count()})")
    print(f"target: under 1 s: {'met' if max(first, median) < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
