"""ScriptRunConfig(command=...) runs: a shell line in the snapshot, its Python logging into the run."""

from __future__ import annotations

import json

import psutil
import pytest

from emulator.core import ScriptRunConfig
from emulator.exceptions import UserErrorException
from emulator.train.hyperdrive import GridParameterSampling, HyperDriveConfig, PrimaryMetricGoal, choice
from tests.emulator.waiting import wait_for

TRAIN = """
    import argparse, os
    from azureml.core import Run
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float)
    args = parser.parse_args()
    run = Run.get_context()
    run.log("loss", args.lr * 2)
    os.makedirs("outputs", exist_ok=True)
    open("outputs/model.txt", "w").write(f"lr={args.lr}")
    print("training done")
"""

SLEEPER = """
    import os, time
    from azureml.core import Run
    Run.get_context().log("pid", os.getpid())
    time.sleep(60)
"""


def test_a_command_run_logs_what_the_python_it_starts_logs(experiment, source_dir):
    folder = source_dir("train.py", TRAIN)
    run = experiment.submit(ScriptRunConfig(folder, command=["python", "train.py", "--lr", 0.5]))
    details = run.wait_for_completion()
    assert details["status"] == "Completed"
    assert details["runDefinition"]["command"] == "python train.py --lr 0.5"
    assert run.get_metrics() == {"loss": 1.0}
    assert "outputs/model.txt" in run.get_file_names()
    assert "training done" in run.get_details_with_logs()["logFiles"]["azureml-logs/70_driver_log.txt"]


def test_a_command_that_exits_non_zero_fails_the_run_with_its_code(experiment, source_dir):
    run = experiment.submit(ScriptRunConfig(source_dir("train.py", TRAIN), command="echo trying; exit 4"))
    run.wait_for_completion(raise_on_error=False)
    assert run.get_status() == "Failed"
    assert run.get_details()["error"]["error"]["message"] == "The command exited with code 4"


def test_a_command_with_a_script_is_refused_at_submit(experiment, source_dir):
    config = ScriptRunConfig(source_dir("train.py", TRAIN), "train.py", command="python train.py")
    with pytest.raises(UserErrorException, match="either command or script and arguments, not both"):
        experiment.submit(config)


def test_cancel_ends_the_processes_a_command_started(experiment, source_dir):
    run = experiment.submit(ScriptRunConfig(source_dir("sleep.py", SLEEPER), command="python sleep.py"))
    wait_for(lambda: "pid" in run.get_metrics(), timeout=30)
    pid = int(run.get_metrics()["pid"])
    run.cancel()
    assert run.get_status() == "Canceled"
    # The command's python ends with the canceled run (gone, or a zombie nobody reaped yet).
    wait_for(
        lambda: not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE, timeout=10
    )


def test_a_sweep_appends_each_trials_hyperparameters_to_the_command(experiment, source_dir):
    folder = source_dir("train.py", TRAIN)
    sweep = experiment.submit(
        HyperDriveConfig(
            run_config=ScriptRunConfig(folder, command="python train.py"),
            hyperparameter_sampling=GridParameterSampling({"--lr": choice(0.1, 0.3)}),
            primary_metric_name="loss",
            primary_metric_goal=PrimaryMetricGoal.MINIMIZE,
            max_total_runs=2,
            max_concurrent_runs=2,
        )
    )
    sweep.wait_for_completion()
    children = {c.id: c for c in sweep.get_children()}
    assert {c.get_details()["runDefinition"]["command"] for c in children.values()} == {
        "python train.py --lr 0.1",
        "python train.py --lr 0.3",
    }
    best = sweep.get_best_run_by_primary_metric()
    assert json.loads(sweep.get_hyperparameters()[best.id]) == {"--lr": 0.1}
    assert best.get_metrics() == {"loss": 0.2}


SPAWNING = """
    import multiprocessing
    from azureml.core import Run

    def log_from_worker(value):
        from azureml.core import Run
        Run.get_context().log("from_worker", value)

    if __name__ == "__main__":
        # spawn: a fresh interpreter that re-imports this script, azureml import included
        worker = multiprocessing.get_context("spawn").Process(target=log_from_worker, args=(7,))
        worker.start()
        worker.join()
        assert worker.exitcode == 0, worker.exitcode
"""


def test_a_script_runs_spawned_python_imports_azureml_from_the_emulator(experiment, source_dir):
    run = experiment.submit(ScriptRunConfig(source_dir("spawn.py", SPAWNING), "spawn.py"))
    assert run.wait_for_completion(raise_on_error=False)["status"] == "Completed", run.get_details_with_logs()
    assert run.get_metrics() == {"from_worker": 7}
