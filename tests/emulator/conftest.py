"""Fixtures for emulator tests: every test gets its own emulator home and workspace."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from emulator.core import Experiment, Workspace

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def emulator_home(tmp_path, monkeypatch) -> Path:
    """An empty ``DUEL_EMULATOR_HOME`` for this test (also seen by processes it starts)."""
    home = tmp_path / "emulator-home"
    monkeypatch.setenv("DUEL_EMULATOR_HOME", str(home))
    monkeypatch.delenv("AZUREML_RUN_ID", raising=False)
    return home


@pytest.fixture
def workspace(emulator_home) -> Workspace:
    return Workspace("00000000-0000-0000-0000-000000000000", "duel-rg", "duel-ws")


@pytest.fixture
def experiment(workspace) -> Experiment:
    return Experiment(workspace, "tests")


@pytest.fixture
def source_dir(tmp_path):
    """Write a script into a fresh source directory: ``source_dir("train.py", code)`` returns the folder."""
    folder = tmp_path / "src"
    folder.mkdir()

    def write(name: str, code: str) -> Path:
        (folder / name).write_text(textwrap.dedent(code))
        return folder

    return write


def _run_python(code: str, *args: str, check: bool = True, **kwargs):
    import subprocess

    kwargs.setdefault("cwd", REPO)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        check=check,
        timeout=120,
        **kwargs,
    )


@pytest.fixture
def run_python():
    """``run_python(code, *args, check=True, cwd=...)`` runs code in a fresh interpreter sharing the emulator home."""
    return _run_python


@pytest.fixture(scope="module")
def docker_engine():
    try:
        from emulator.serving.docker_host import docker_client

        return docker_client()
    except Exception as exc:  # no SDK, no socket, engine down: all mean "no engine here"
        pytest.skip(f"no Docker engine reachable (start one with .ci/docker.sh): {exc}")
