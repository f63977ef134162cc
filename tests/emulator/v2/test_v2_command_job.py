"""The real azure-ai-ml client, configured only by ``emulator env --v2``, runs a command job on the
emulator: the job is a v1 run of the same workspace, its metric visible to both SDKs."""

from __future__ import annotations

from emulator.core import Run
from tests.emulator.v2.conftest import run_client

_TRAIN = "from azureml.core import Run\nimport sys\nRun.get_context().log('rmse', float(sys.argv[1]))\n"


def test_mlclient_from_config_runs_a_command_job_to_completion(workspace, v2_shell):
    _, folder = v2_shell
    (folder / "src").mkdir()
    (folder / "src" / "train.py").write_text(_TRAIN)
    done = run_client(
        v2_shell,
        """
        import time
        from azure.ai.ml import MLClient, command
        from azure.identity import DefaultAzureCredential

        ml_client = MLClient.from_config(DefaultAzureCredential())
        job = command(code="./src", command="python train.py ${{inputs.rate}}", inputs={"rate": 0.25},
                      environment="azureml:AzureML-sklearn-1.5@latest", compute="cpu-cluster",
                      experiment_name="v2-tests")
        name = ml_client.jobs.create_or_update(job).name
        while ml_client.jobs.get(name).status not in ("Completed", "Failed", "Canceled"):
            time.sleep(0.5)
        print(name, ml_client.jobs.get(name).status.value)
        """,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    name, status = done.stdout.split()[-2:]
    assert status == "Completed"
    run = Run.get(workspace, name)
    assert run.experiment.name == "v2-tests"
    assert run.get_metrics()["rmse"] == 0.25
