"""A v2 sweep job, submitted by the real azure-ai-ml client, runs on the emulator's HyperDrive: each
trial gets its sampled value in its command, and the sweep names its best trial."""

from __future__ import annotations

from emulator.core import Run
from tests.emulator.v2.conftest import run_client, write_source

_TRAIN = "from azureml.core import Run\nimport sys\nRun.get_context().log('rmse', float(sys.argv[1]))\n"


def test_sweep_trials_get_sampled_values_and_the_best_trial_is_named(workspace, v2_shell):
    write_source(v2_shell, _TRAIN)
    done = run_client(
        v2_shell,
        """
        from azure.ai.ml.sweep import BanditPolicy, Choice

        trial = command(command="python train.py ${{inputs.rate}}", inputs={"rate": 0.5}, **TRIAL)
        sweep = trial(rate=Choice([0.3, 0.1, 0.2])).sweep(
            sampling_algorithm="grid", primary_metric="rmse", goal="Minimize", compute="cpu-cluster",
            early_termination_policy=BanditPolicy(evaluation_interval=1, slack_factor=0.2))
        sweep.set_limits(max_total_trials=3, max_concurrent_trials=3, timeout=600)
        sweep.experiment_name = "v2-sweep"
        name = ml_client.jobs.create_or_update(sweep).name
        job = wait(name)
        print(name, job.status.value, job.properties["best_child_run_id"])
        """,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    name, status, best = done.stdout.split()[-3:]
    assert status == "Completed"
    children = Run.get(workspace, name).get_children()
    assert sorted(child.get_metrics()["rmse"] for child in children) == [0.1, 0.2, 0.3]
    assert Run.get(workspace, best).get_metrics()["rmse"] == 0.1
