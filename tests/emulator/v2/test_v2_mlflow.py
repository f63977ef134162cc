"""The workspace's MLflow tracking URI works with the real mlflow client: inside a job (logging to the
job's run, as Azure injects it) and outside; v1 and MLflow see each other's metrics."""

from __future__ import annotations

import mlflow
import pytest
from mlflow.exceptions import MlflowException

from emulator.core import Experiment, Run
from emulator.v2 import V2Server
from tests.emulator.v2.conftest import run_client, write_source

_TRAIN = """\
import sys, mlflow
with mlflow.start_run():
    mlflow.log_param("rate", sys.argv[1])
    for step in range(3):
        mlflow.log_metric("rmse", float(sys.argv[1]) + step, step=step)
"""


@pytest.fixture
def tracking(workspace, tmp_path, monkeypatch):
    """An MlflowClient on an in-process v2 server's tracking URI."""
    server = V2Server(workspace, tmp_path / "tls")
    for key, value in server.environment().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("MLFLOW_TRACKING_SERVER_CERT_PATH", str(server.ca_file))
    yield mlflow.MlflowClient(tracking_uri=server.surface.mlflow_tracking_uri)
    server.close()


def test_mlflow_in_a_command_job_logs_to_the_jobs_run(workspace, v2_shell):
    write_source(v2_shell, _TRAIN)
    done = run_client(
        v2_shell,
        """
        import mlflow

        job = command(command="python train.py ${{inputs.rate}}", inputs={"rate": 0.5}, **TRIAL)
        name = ml_client.jobs.create_or_update(job).name
        wait(name)
        mlflow.set_tracking_uri(ml_client.workspaces.get(ml_client.workspace_name).mlflow_tracking_uri)
        history = mlflow.MlflowClient().get_metric_history(name, "rmse")
        print(name, [m.value for m in history], mlflow.get_run(name).data.params)
        """,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "[0.5, 1.5, 2.5] {'rate': '0.5'}" in done.stdout
    name = done.stdout.split()[0]
    assert [row["value"] for row in workspace._store.get_metrics([name], "rmse")] == [0.5, 1.5, 2.5]


def test_a_v1_runs_metrics_are_read_through_mlflow(workspace, tracking):
    run = Experiment(workspace, "v1-side").start_logging()
    run.log("accuracy", 0.75)
    run.complete()
    found = tracking.get_run(run.id)
    assert found.data.metrics == {"accuracy": 0.75}
    assert found.info.status == "FINISHED"


def test_an_mlflow_runs_metrics_are_read_by_v1(workspace, tracking):
    experiment_id = tracking.create_experiment("mlflow-side")
    created = tracking.create_run(experiment_id)
    tracking.log_metric(created.info.run_id, "loss", 0.25)
    tracking.set_terminated(created.info.run_id)
    run = Run.get(workspace, created.info.run_id)
    assert run.get_metrics() == {"loss": 0.25}
    assert run.status == "Completed"


def test_changing_a_logged_param_is_refused(tracking):
    created = tracking.create_run(tracking.create_experiment("params"))
    tracking.log_param(created.info.run_id, "rate", "0.1")
    with pytest.raises(MlflowException, match="Changing param values is not allowed"):
        tracking.log_param(created.info.run_id, "rate", "0.2")
