"""The v2 server of a test's workspace, started as a user starts it (``emulator env --v2``), and
stopped by its pid afterwards."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import textwrap

import pytest

from tests.emulator.conftest import REPO


@pytest.fixture
def v2_shell(workspace, tmp_path):
    """``(environment, folder)``: the variables ``emulator env --v2`` printed, and the folder it ran in
    (where it wrote ``.azureml/config.json``)."""
    folder = tmp_path / "project"
    folder.mkdir()
    printed = subprocess.run(
        [sys.executable, "-m", "emulator", "env", "--v2", "--workspace", workspace.name],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    ).stdout
    environment = dict(os.environ, PYTHONPATH=str(REPO))
    for line in printed.splitlines():
        if line.startswith("export "):
            key, _, value = line.removeprefix("export ").partition("=")
            environment[key] = shlex.split(value)[0]
    state = json.loads((workspace._folder / "v2-server.json").read_text())
    yield environment, folder
    os.kill(state["pid"], signal.SIGTERM)


# What every client script starts with: an MLClient from config.json, and a wait for a job's end.
CLIENT = """
import time
from azure.ai.ml import MLClient, command
from azure.identity import DefaultAzureCredential

ml_client = MLClient.from_config(DefaultAzureCredential())
TRIAL = dict(code="./src", environment="azureml:AzureML-sklearn-1.5@latest", compute="cpu-cluster")


def wait(name):
    while (job := ml_client.jobs.get(name)).status not in ("Completed", "Failed", "Canceled"):
        time.sleep(0.5)
    return job
"""


def write_source(v2_shell, code: str) -> None:
    """``code`` as ``src/train.py`` in the v2 shell's folder."""
    _, folder = v2_shell
    (folder / "src").mkdir()
    (folder / "src" / "train.py").write_text(code)


def run_client(v2_shell, code: str) -> subprocess.CompletedProcess:
    """Run ``code`` after :data:`CLIENT` as a plain script in the v2 shell's folder and environment."""
    environment, folder = v2_shell
    return subprocess.run(
        [sys.executable, "-c", CLIENT + textwrap.dedent(code)],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
