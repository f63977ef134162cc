"""A tiny-budget duel environment for the flow tests (the temporary Prefect API is tests/conftest.py's)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from emulator import hook
from emulator.serving.process import free_port
from flows import lasting_server

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def tiny_duel(monkeypatch, tmp_path, prefect_api):
    """Budgets small enough for two cores: a 2,000-row subset, a few AutoML iterations, two short trials."""
    monkeypatch.setenv("DUEL_EMULATOR_HOME", str(tmp_path / "emulator"))
    monkeypatch.setenv("DUEL_SUBSET", "2000")
    monkeypatch.setenv("DUEL_AUTOML_ITERATIONS", "4")
    monkeypatch.setenv("DUEL_AUTOML_TIMEOUT_MINUTES", "1")
    # A minute is below Azure's 15: the emulator's named relaxation, recorded on the AutoML run.
    monkeypatch.setenv("DUEL_EMULATOR_RELAX", "automl-timeout")
    monkeypatch.setenv("DUEL_AUTOML_ALLOWED_MODELS", "LightGBM,ElasticNet")
    monkeypatch.setenv("DUEL_HYPERDRIVE_MAX_TOTAL_RUNS", "2")
    monkeypatch.setenv("DUEL_HYPERDRIVE_MAX_CONCURRENT_RUNS", "2")
    monkeypatch.setenv("DUEL_HYPERDRIVE_EPOCHS", "4")
    monkeypatch.setenv("DUEL_DEPLOY_TARGET", "local")
    yield tmp_path
    # The flow's backend put the emulator's import hook on, with this test's home.
    hook.uninstall()


class Pane:
    """A real terminal: a detached tmux pane running bash, typed into and read back as a person sees it."""

    def __init__(self, socket: str, columns: int):
        self.tmux = ["tmux", "-L", socket]
        self.columns = columns

    def type(self, command: str) -> None:
        subprocess.run([*self.tmux, "send-keys", "-l", command], check=True)
        subprocess.run([*self.tmux, "send-keys", "Enter"], check=True)

    def run(self, command: str, timeout: float) -> None:
        """Type ``command`` and wait until it has ended."""
        done = f"done-{uuid.uuid4().hex[:8]}"
        self.type(f"{command}; tmux -L {self.tmux[2]} wait-for -S {done}")
        subprocess.run([*self.tmux, "wait-for", done], check=True, timeout=timeout)

    def screen(self, history: bool = True) -> str:
        """What the pane shows (with ``history``, everything it scrolled past), wrapped lines joined."""
        args = ["-S", "-"] if not history else ["-S", "-10000"]
        return subprocess.run(
            [*self.tmux, "capture-pane", "-p", "-J", *args], check=True, capture_output=True, text=True
        ).stdout


@pytest.fixture
def pane():
    """A 160-column tmux pane in this checkout, with it on PYTHONPATH (skips where tmux is not installed)."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    socket = f"duel-{uuid.uuid4().hex[:8]}"
    tmux = ["tmux", "-L", socket]
    subprocess.run(
        [*tmux, "new-session", "-d", "-x", "160", "-y", "50", "-c", str(REPO)]
        + ["-e", f"PYTHONPATH={REPO}", "bash", "--norc"],
        check=True,
    )
    try:
        yield Pane(socket, 160)
    finally:
        subprocess.run([*tmux, "kill-server"], check=False)


@pytest.fixture
def duel_command() -> str:
    """The `duel` console script of this environment on this checkout (else ``python -m flows.cli``)."""
    script = Path(sys.executable).with_name("duel")
    return str(script) if script.is_file() else f"{sys.executable} -m flows.cli"


@pytest.fixture
def user_env(tmp_path):
    """A user's shell: no PREFECT_API_URL, a Prefect home of its own, Prefect's port set to a free one.
    A lasting server started from that home is stopped afterwards."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(
        PREFECT_HOME=str(tmp_path / "prefect"),
        PREFECT_SERVER_API_PORT=str(free_port()),
        PYTHONPATH=str(REPO),
    )
    yield env
    lasting_server.stop(tmp_path / "prefect")


@pytest.fixture
def python_in():
    """``python_in(env, *args)``: ``python *args`` in this checkout with ``env``, its output captured."""

    def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=300
        )

    return run
