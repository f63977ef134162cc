"""``python -m flows.cli`` needs none of the Makefile's Prefect environment."""

from __future__ import annotations

import os
import subprocess
import sys

_READ_SETTINGS = (
    "import flows\n"
    "from prefect.settings import PREFECT_SERVER_ANALYTICS_ENABLED as a, "
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS as t\n"
    "print(a.value(), t.value())"
)


def _settings_seen_by_the_flow(**environment: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_SERVER_")}
    env.update(environment)
    out = subprocess.run(
        [sys.executable, "-c", _READ_SETTINGS],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return out.stdout.split()


def test_flows_default_to_no_telemetry_and_a_patient_server_start():
    # Prefect's own defaults are analytics on and a 20 s start, too short on two loaded cores.
    assert _settings_seen_by_the_flow() == ["False", "120"]


def test_the_users_prefect_settings_win_over_the_flows_defaults():
    seen = _settings_seen_by_the_flow(
        PREFECT_SERVER_ANALYTICS_ENABLED="true", PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="7"
    )
    assert seen == ["True", "7"]
