"""The nightly-azure-v2 deployment: the nightly flow on the SDK v2 backend, paused until enabled."""

from __future__ import annotations

from pathlib import Path

import yaml

from tasks.settings import DuelSettings

ROOT = Path(__file__).resolve().parents[2]


def test_nightly_azure_v2_runs_the_nightly_flow_on_the_v2_backend_and_is_paused():
    spec = yaml.safe_load((ROOT / "deployments" / "prefect.yaml").read_text())
    deployment = {d["name"]: d for d in spec["deployments"]}["nightly-azure-v2"]

    assert deployment["entrypoint"] == "flows/nightly.py:nightly"
    assert [schedule["active"] for schedule in deployment["schedules"]] == [False]
    env = deployment["work_pool"]["job_variables"]["env"]
    # Every value it sets is one the settings accept.
    settings = DuelSettings(backend=env["DUEL_BACKEND"], **deployment["parameters"])
    assert (settings.backend, settings.deploy_target.value) == ("azure-v2", "managed")
