"""One temporary Prefect API for the flow tests, and a tiny-budget duel environment."""

from __future__ import annotations

import pytest
from prefect.testing.utilities import prefect_test_harness

from emulator import hook


@pytest.fixture(scope="session")
def prefect_api():
    with prefect_test_harness(server_startup_timeout=90):
        yield


@pytest.fixture
def tiny_duel(monkeypatch, tmp_path, prefect_api):
    """Budgets small enough for two cores: a 2,000-row subset, a few AutoML iterations, two short trials."""
    monkeypatch.setenv("DUEL_EMULATOR_HOME", str(tmp_path / "emulator"))
    monkeypatch.setenv("DUEL_SUBSET", "2000")
    monkeypatch.setenv("DUEL_AUTOML_ITERATIONS", "4")
    monkeypatch.setenv("DUEL_AUTOML_TIMEOUT_MINUTES", "1")
    monkeypatch.setenv("DUEL_AUTOML_ALLOWED_MODELS", "LightGBM,ElasticNet")
    monkeypatch.setenv("DUEL_HYPERDRIVE_MAX_TOTAL_RUNS", "2")
    monkeypatch.setenv("DUEL_HYPERDRIVE_MAX_CONCURRENT_RUNS", "2")
    monkeypatch.setenv("DUEL_HYPERDRIVE_EPOCHS", "4")
    monkeypatch.setenv("DUEL_DEPLOY_TARGET", "local")
    yield tmp_path
    # The flow's backend put the emulator's import hook on, with this test's home.
    hook.uninstall()
