"""Submitting and following the v2 jobs against a local workspace that answers as Azure's REST API."""

from __future__ import annotations

import pytest

from backends.azure_v2 import jobs
from backends.messages import Progress
from tests.backends.azure_v2.fake_workspace import ARM, StubCredential, route_key


def _sweep_state(azure, name_hint: str = "") -> None:
    azure.computes.add("gpu-cluster")


def test_the_sweep_is_submitted_with_the_job_json_azure_receives(azure, no_wait, sweep_message):
    azure.computes.add("gpu-cluster")
    ml_client = azure.client()
    name = jobs.submit(ml_client, jobs.specs.sweep_job(sweep_message, "azureml:duel-training:1"), "exp")

    (put,) = azure.sent("PUT", rf"^{ARM}/jobs/{name}$")
    body = put.body["properties"]
    assert body["jobType"] == "Sweep" and body["experimentName"] == "exp"
    assert body["searchSpace"]["hidden_1"] == ["choice", [[256, 512]]]
    assert body["objective"] == {"goal": "minimize", "primaryMetric": "val_mae"}
    assert body["earlyTermination"]["policyType"] == "Bandit"
    assert body["limits"]["maxTotalTrials"] == sweep_message.max_total_runs
    assert body["computeId"] == f"{ARM}/computes/gpu-cluster"
    assert body["trial"]["environmentId"].endswith("/environments/duel-training/versions/1")
    # The code went up first: its blobs, then its version, then the job that names it.
    assert any(path.endswith("/train_mlp.py") for path in azure.blobs)
    (code,) = azure.sent("PUT", rf"^{ARM}/codes/")
    assert body["trial"]["codeId"].endswith(code.path)
