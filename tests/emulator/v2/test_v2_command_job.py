"""The real azure-ai-ml client, configured only by ``emulator env --v2``, runs a command job on the
emulator: the job is a v1 run of the same workspace, its metric visible to both SDKs."""

from __future__ import annotations

from emulator.core import Run
from tests.emulator.v2.conftest import run_client, write_source

_TRAIN = "from azureml.core import Run\nimport sys\nRun.get_context().log('rmse', float(sys.argv[1]))\n"


def test_mlclient_from_config_runs_a_command_job_to_completion(workspace, v2_shell):
    write_source(v2_shell, _TRAIN)
    done = run_client(
        v2_shell,
        """
        job = command(command="python train.py ${{inputs.rate}}", inputs={"rate": 0.25},
                      experiment_name="v2-tests", **TRIAL)
        name = ml_client.jobs.create_or_update(job).name
        print(name, wait(name).status.value)
        """,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    name, status = done.stdout.split()[-2:]
    assert status == "Completed"
    run = Run.get(workspace, name)
    assert run.experiment.name == "v2-tests"
    assert run.get_metrics()["rmse"] == 0.25
