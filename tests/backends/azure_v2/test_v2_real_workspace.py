"""The v2 backend on a real Azure ML workspace: runs only where one is configured, else skips saying why.

Needs DUEL_AZURE_CONFIG (a workspace config.json) and a credential (a service principal in
AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET, a managed identity, or `az login`). It
creates the clusters if missing (scaled to zero when idle) and runs a two-iteration AutoML job.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from backends import clusters, credentials
from backends.azure_v2 import jobs, specs
from backends.azure_v2.workspace import open_azure_v2
from backends.messages import DatasetUpload

pytestmark = [pytest.mark.azure, pytest.mark.slow]


@pytest.fixture
def workspace_config() -> Path:
    config = os.environ.get("DUEL_AZURE_CONFIG")
    if not config or not Path(config).exists():
        pytest.skip("no Azure workspace: set DUEL_AZURE_CONFIG to its config.json (and a credential) to run")
    try:
        credentials.credential(os.environ.get("DUEL_AZURE_AUTH", "auto"))
    except credentials.CredentialError as exc:
        pytest.skip(str(exc))
    return Path(config)


def test_the_duels_jobs_are_accepted_and_a_small_automl_job_runs_to_its_best_child(
    workspace_config, settings, sweep_message, automl_message, housing, tmp_path
):
    backend = open_azure_v2(workspace_config, os.environ.get("DUEL_AZURE_AUTH", "auto"), **clusters(settings))
    ml_client = backend.workspace
    for job in (
        specs.sweep_job(sweep_message, "azureml:duel-training@latest"),
        specs.automl_job(automl_message),
    ):
        assert ml_client.jobs.validate(job).passed

    rows = tmp_path / "california-housing-train.csv"
    housing.sample(n=2000, random_state=0).to_csv(rows, index=False)
    train = backend.register_dataset(
        DatasetUpload(str(rows), automl_message.training.name, "azure-v2 test", {})
    )
    small = dataclasses.replace(automl_message, training=train, iterations=2, timeout_minutes=15.0)
    outcome = jobs.run_automl(ml_client, small)

    assert outcome.best_run_id and outcome.leaderboard
