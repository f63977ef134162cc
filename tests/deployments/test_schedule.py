"""The nightly schedule fires: a real server's scheduler creates the deployment's upcoming runs.

Reading the YAML proves nothing about this: with SQLAlchemy 2.1 the server's scheduler fails on every
loop and creates no run while the UI shows the schedule as active (see pyproject.toml's pin).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

pytestmark = pytest.mark.slow


def _next_nights(after: datetime, count: int) -> list[datetime]:
    """The next ``count`` 02:00 UTC instants after ``after``: what `0 2 * * *` in UTC means."""
    night = after.astimezone(UTC).replace(hour=2, minute=0, second=0, microsecond=0)
    if night <= after:
        night += timedelta(days=1)
    return [night + timedelta(days=i) for i in range(count)]


def _scheduled_runs(api: str, deployment_id: str) -> list[dict]:
    return httpx.post(
        f"{api}/flow_runs/filter",
        json={"deployments": {"id": {"any_": [deployment_id]}}, "sort": "EXPECTED_START_TIME_ASC"},
        timeout=10,
    ).json()


def test_scheduler_creates_the_nightly_runs_at_two_utc_with_the_deployed_paths(
    prefect_server, prefect_cli, tmp_path
):
    env = {**prefect_server, "DUEL_DATA": "/data/housing.csv", "DUEL_EMULATOR_HOME": "/srv/duel/emulator"}
    api = env["PREFECT_API_URL"]
    prefect_cli(env, "work-pool", "create", "duel-pool", "--type", "process")
    deployed_at = datetime.now(UTC)
    prefect_cli(env, "--no-prompt", "deploy", "--prefect-file", "deployments/prefect.yaml", "--all")
    nightly = httpx.get(f"{api}/deployments/name/nightly-duel/nightly", timeout=10).json()
    paused = httpx.get(f"{api}/deployments/name/nightly-duel/nightly-azure", timeout=10).json()

    # The server's recent-deployments scheduler looks every few seconds; give it a minute.
    deadline = time.monotonic() + 90
    runs = []
    while time.monotonic() < deadline and len(runs) < 3:
        time.sleep(2)
        runs = _scheduled_runs(api, nightly["id"])
    log = (tmp_path / "server.log").read_text()
    assert len(runs) >= 3, f"the scheduler created {len(runs)} runs; server log tail:\n{log[-3000:]}"
    starts = [datetime.fromisoformat(run["expected_start_time"]) for run in runs[:3]]
    assert starts == _next_nights(deployed_at, 3)
    assert {run["state"]["type"] for run in runs} == {"SCHEDULED"}
    # The Azure night is deployed paused: nothing may be scheduled for it.
    assert _scheduled_runs(api, paused["id"]) == []
    assert "Can't evaluate bulk DML statement" not in log
    # The night's data and workspace were fixed by the deploying shell, not left to the worker's.
    assert nightly["job_variables"]["env"] == {
        "DUEL_BACKEND": "emulator",
        "DUEL_DATA": "/data/housing.csv",
        "DUEL_EMULATOR_HOME": "/srv/duel/emulator",
    }
