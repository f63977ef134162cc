"""pytest fixtures for code written against the azureml SDK v1, registered as a pytest plugin.

With automl-duel installed, any project's tests can ask for them::

    def test_training_script_logs_mae(azureml_emulated, emulator_workspace):
        from azureml.core import Experiment  # the emulator's, inside this test
        run = Experiment(emulator_workspace, "unit").start_logging()
"""

from __future__ import annotations

import pytest

from emulator import hook


@pytest.fixture
def azureml_emulated():
    """``import azureml.core`` (and the other mirrored modules) resolve to the emulator inside the test."""
    with hook.azureml_emulated():
        yield


@pytest.fixture
def emulator_workspace(tmp_path, monkeypatch):
    """A fresh emulated workspace in a temporary ``DUEL_EMULATOR_HOME`` (seen by processes it starts)."""
    from emulator.core import Workspace

    monkeypatch.setenv("DUEL_EMULATOR_HOME", str(tmp_path / "emulator-home"))
    return Workspace("00000000-0000-0000-0000-000000000000", "test-rg", "test-ws")
