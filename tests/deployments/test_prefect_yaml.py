"""deployments/prefect.yaml against a real Prefect server: deploy, `prefect deployment run`, a worker runs it.

This is the path users take (`prefect deploy`, `prefect deployment run '<flow>/<deployment>'`, a
process worker), run offline against a `prefect server start` of our own on a free port.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).with_name("prefect"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def prefect_server(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_UI_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    log = open(tmp_path / "server.log", "w")
    server = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail(f"prefect server did not start: {(tmp_path / 'server.log').read_text()[-2000:]}")
        yield env
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _prefect(env, *args, timeout=300) -> str:
    out = subprocess.run([PREFECT, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, (
        f"prefect {' '.join(args)} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    )
    return out.stdout + out.stderr


def test_prefect_yaml_declares_the_nightly_schedule():
    spec = yaml.safe_load((ROOT / "deployments" / "prefect.yaml").read_text())
    deployments = {d["name"]: d for d in spec["deployments"]}
    assert deployments["nightly"]["entrypoint"] == "flows/nightly.py:nightly"
    assert deployments["nightly"]["schedules"][0]["cron"] == "0 2 * * *"
    for deployment in deployments.values():
        path, _, name = deployment["entrypoint"].partition(":")
        assert f"def {name}(" in (ROOT / path).read_text()


def test_deployment_runs_to_completion_through_a_worker(prefect_server, tmp_path):
    env = prefect_server
    _prefect(env, "work-pool", "create", "duel-pool", "--type", "process")
    _prefect(env, "--no-prompt", "deploy", "--prefect-file", "deployments/prefect.yaml", "--all")
    started = _prefect(env, "deployment", "run", "automl-duel/offline-full")
    flow_run_id = re.search(r"UUID: ([0-9a-f-]{36})", started).group(1)
    # Tiny budgets for the worker's flow run: the deployment's own env only sets the backend.
    worker_env = {
        **env,
        "DUEL_EMULATOR_HOME": str(tmp_path / "emulator"),
        "DUEL_SUBSET": "1500",
        "DUEL_AUTOML_ITERATIONS": "3",
        "DUEL_AUTOML_TIMEOUT_MINUTES": "1",
        "DUEL_AUTOML_ALLOWED_MODELS": "ElasticNet,LightGBM",
        "DUEL_HYPERDRIVE_MAX_TOTAL_RUNS": "1",
        "DUEL_HYPERDRIVE_EPOCHS": "3",
        "DUEL_DEPLOY_TARGET": "none",
    }
    _prefect(worker_env, "worker", "start", "--pool", "duel-pool", "--run-once", timeout=600)
    api = env["PREFECT_API_URL"]
    state = httpx.get(f"{api}/flow_runs/{flow_run_id}", timeout=10).json()["state"]
    logs = httpx.post(
        f"{api}/logs/filter",
        json={"logs": {"flow_run_id": {"any_": [flow_run_id]}}, "limit": 200},
        timeout=10,
    ).json()
    assert state["type"] == "COMPLETED", (state["message"], [entry["message"] for entry in logs][-15:])
