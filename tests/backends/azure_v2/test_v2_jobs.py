"""Submitting and following the v2 jobs against a local workspace that answers as Azure's REST API."""

from __future__ import annotations

import pytest

from backends.azure_v2 import jobs
from backends.credentials import CredentialError
from backends.messages import Progress
from tests.backends.azure_v2.fake_workspace import ARM, StubCredential, route_key


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


TRIALS = (
    ("sweep_0", "Completed", {"val_mae": [41000.0, 36500.0, 35100.0]}),
    ("sweep_1", "Failed", {}),
    ("sweep_2", "Canceled", {"val_mae": [52000.0]}),
    ("sweep_3", "Completed", {"val_mae": [39000.0, 34000.0]}),
)


def test_a_sweep_is_followed_to_its_best_trial_and_a_failed_trial_is_listed_last(
    azure, no_wait, sweep_message
):
    azure.script(["Queued", "Running", "Running", "Completed"], TRIALS, best="sweep_3")
    seen: list[Progress] = []

    outcome = jobs.run_sweep(azure.client(), sweep_message, seen.append)

    assert outcome.best_run_id == "sweep_3"
    assert [row["run"] for row in outcome.leaderboard] == ["sweep_3", "sweep_0", "sweep_2", "sweep_1"]
    assert outcome.leaderboard[0]["val_mae"] == 34000.0
    assert outcome.leaderboard[-1] == {"run": "sweep_1", "status": "Failed", "val_mae": None}
    # The last report counts what the trials did, not the budget as if it had all run.
    assert seen[0].finished == 0 and (seen[-1].finished, seen[-1].failed, seen[-1].ended) == (4, 1, True)
    assert seen[-1].expected == sweep_message.max_total_runs
    # The cluster did not exist: it was created from the settings before the job was submitted.
    (created,) = azure.sent("PUT", rf"^{ARM}/computes/gpu-cluster$")
    scale = created.body["properties"]["properties"]["scaleSettings"]
    assert scale["maxNodeCount"] == sweep_message.compute.max_nodes


def test_automl_is_submitted_as_a_regression_job_and_followed_to_its_best_child(
    azure, no_wait, automl_message
):
    azure.computes.add("cpu-cluster")
    children = (
        ("automl_0", "Completed", {automl_message.primary_metric: [0.08]}),
        ("automl_1", "Completed", {automl_message.primary_metric: [0.05]}),
    )
    azure.script(["Running", "Completed"], children, best="automl_1")

    outcome = jobs.run_automl(azure.client(), automl_message)

    (put,) = azure.sent("PUT", rf"^{ARM}/jobs/")
    body = put.body["properties"]
    assert body["jobType"] == "AutoML" and body["taskDetails"]["taskType"] == "Regression"
    assert body["taskDetails"]["primaryMetric"] == "NormalizedMeanAbsoluteError"
    assert body["taskDetails"]["trainingSettings"]["enableOnnxCompatibleModels"] is True
    assert body["taskDetails"]["limitSettings"]["maxTrials"] == automl_message.iterations
    assert body["taskDetails"]["targetColumnName"] == automl_message.label
    assert outcome.best_run_id == "automl_1"
    assert [row["run"] for row in outcome.leaderboard] == ["automl_1", "automl_0"]


@pytest.mark.parametrize("final", ["Failed", "Canceled", "NotResponding", "Paused"])
def test_every_terminal_state_but_completed_stops_the_duel_naming_the_job(
    azure, no_wait, automl_message, final
):
    azure.computes.add("cpu-cluster")
    azure.script(["Running", final])

    with pytest.raises(jobs.JobFailedError, match=rf"job \S+ ended {final}"):
        jobs.run_automl(azure.client(), automl_message)


def test_a_completed_job_without_a_best_child_is_refused(azure, no_wait, automl_message):
    azure.computes.add("cpu-cluster")
    azure.script(["Completed"])

    with pytest.raises(jobs.JobFailedError, match="without a best child"):
        jobs.run_automl(azure.client(), automl_message)


def test_a_throttled_read_is_retried_after_the_time_azure_asks_for(azure, no_wait, automl_message):
    azure.computes.add("cpu-cluster")
    children = (("automl_0", "Completed", {automl_message.primary_metric: [0.08]}),)
    azure.script(["Completed"], children, best="automl_0")
    azure.throttled[route_key("GET", "job")] = 2

    outcome = jobs.run_automl(azure.client(retry_backoff_factor=0.01), automl_message)

    assert outcome.best_run_id == "automl_0"
    reads = azure.sent("GET", rf"^{ARM}/jobs/")
    assert len(reads) >= 3 and azure.throttled[route_key("GET", "job")] == 0


def test_a_credential_refused_while_a_job_runs_stops_with_one_line(azure, no_wait, automl_message):
    azure.computes.add("cpu-cluster")
    azure.script(["Running", "Running", "Completed"])
    ml_client = azure.client(StubCredential("token-1"))

    def expire_once_submitted(progress):
        azure.expired_tokens.add("token-1")  # the token outlives its validity while the job runs

    with pytest.raises(CredentialError, match=r"Azure refused the credential while following job \S+: "):
        jobs.run_automl(ml_client, automl_message, expire_once_submitted)
