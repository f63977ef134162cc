"""deployments/prefect.yaml against a real Prefect server: deploy, `prefect deployment run`, a worker runs it.

This is the path users take (`prefect deploy`, `prefect deployment run '<flow>/<deployment>'`, a
process worker), run offline against a `prefect server start` of our own on a free port.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
import yaml

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_prefect_yaml_declares_the_nightly_schedule():
    spec = yaml.safe_load((ROOT / "deployments" / "prefect.yaml").read_text())
    deployments = {d["name"]: d for d in spec["deployments"]}
    assert deployments["nightly"]["entrypoint"] == "flows/nightly.py:nightly"
    assert deployments["nightly"]["schedules"][0]["cron"] == "0 2 * * *"
    for deployment in deployments.values():
        path, _, name = deployment["entrypoint"].partition(":")
        assert f"def {name}(" in (ROOT / path).read_text()


def test_deployment_runs_to_completion_through_a_worker(prefect_server, prefect_cli, tmp_path, housing_path):
    # The deploying shell names the data and the workspace; the deployment carries them to the worker.
    env = {**prefect_server, "DUEL_DATA": str(housing_path), "DUEL_EMULATOR_HOME": str(tmp_path / "emulator")}
    prefect_cli(env, "work-pool", "create", "duel-pool", "--type", "process")
    prefect_cli(env, "--no-prompt", "deploy", "--prefect-file", "deployments/prefect.yaml", "--all")
    started = prefect_cli(env, "deployment", "run", "automl-duel/offline-full")
    flow_run_id = re.search(r"UUID: ([0-9a-f-]{36})", started).group(1)
    # Tiny budgets for the worker's flow run; its shell's own workspace must not be the one used.
    worker_env = {
        **prefect_server,
        "DUEL_EMULATOR_HOME": str(tmp_path / "elsewhere"),
        "DUEL_SUBSET": "1500",
        "DUEL_AUTOML_ITERATIONS": "3",
        "DUEL_AUTOML_TIMEOUT_MINUTES": "1",
        "DUEL_EMULATOR_RELAX": "automl-timeout",  # a minute is below Azure's 15: relaxed by name
        "DUEL_AUTOML_ALLOWED_MODELS": "ElasticNet,LightGBM",
        "DUEL_HYPERDRIVE_MAX_TOTAL_RUNS": "1",
        "DUEL_HYPERDRIVE_EPOCHS": "3",
        "DUEL_DEPLOY_TARGET": "none",
    }
    prefect_cli(worker_env, "worker", "start", "--pool", "duel-pool", "--run-once", timeout=600)
    api = env["PREFECT_API_URL"]
    state = httpx.get(f"{api}/flow_runs/{flow_run_id}", timeout=10).json()["state"]
    logs = httpx.post(
        f"{api}/logs/filter",
        json={"logs": {"flow_run_id": {"any_": [flow_run_id]}}, "limit": 200},
        timeout=10,
    ).json()
    assert state["type"] == "COMPLETED", (state["message"], [entry["message"] for entry in logs][-15:])
    assert (tmp_path / "emulator").is_dir() and not (tmp_path / "elsewhere").exists()
