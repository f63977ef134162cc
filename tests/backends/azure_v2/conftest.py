"""The duel's two job messages, built by the tasks from default settings, for the v2 backend's tests."""

from __future__ import annotations

import pytest

from backends import clusters
from backends.messages import DatasetRef
from tasks.automl_job import automl_job
from tasks.hyperdrive_job import sweep_job
from tasks.registered_split import DataRefs
from tasks.settings import DuelSettings


@pytest.fixture
def settings() -> DuelSettings:
    return DuelSettings(automl_allowed_models=["LightGBM", "RandomForest"], automl_timeout_minutes=15.0)


@pytest.fixture
def data() -> DataRefs:
    return DataRefs(
        train=DatasetRef("california-housing-train", 3),
        test=DatasetRef("california-housing-test", 3),
        split_fingerprint="f1ngerpr1nt",
        train_rows=16512,
        test_rows=4128,
    )


@pytest.fixture
def sweep_message(settings, data):
    return sweep_job(settings, data, clusters(settings)["gpu_cluster"])


@pytest.fixture
def automl_message(settings, data):
    return automl_job(settings, data, clusters(settings)["cpu_cluster"])


@pytest.fixture
def azure(monkeypatch):
    """A local Azure ML workspace over HTTP (see fake_workspace.py); its state and requests."""
    from tests.backends.azure_v2.fake_workspace import FakeAzureServer

    server = FakeAzureServer()
    for name, value in server.proxy_environment().items():
        monkeypatch.setenv(name, value)
    yield server.state
    server.close()


@pytest.fixture
def no_wait(monkeypatch):
    """Poll jobs without sleeping between reads (the fake workspace moves on every read)."""
    from backends.azure_v2 import jobs

    monkeypatch.setattr(jobs, "POLL_SECONDS", 0.0)
