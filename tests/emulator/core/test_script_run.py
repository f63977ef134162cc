"""ScriptRunConfig runs: real subprocesses, captured logs, outputs, cancellation and crash safety."""

from __future__ import annotations

import os
import signal

import psutil
import pytest

from emulator.core import Experiment, Run, ScriptRunConfig, Workspace
from emulator.core.compute import AmlCompute, ComputeTarget
from emulator.exceptions import ActivityFailedException, ComputeTargetException, UserErrorException
from tests.emulator.waiting import wait_for

TRAIN = """
    import argparse, os
    from azureml.core import Run
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float)
    args = parser.parse_args()
    run = Run.get_context()
    for step in range(3):
        run.log("loss", args.lr * (3 - step), step=step)
    os.makedirs("outputs", exist_ok=True)
    with open("outputs/model.txt", "w") as f:
        f.write(f"lr={args.lr}")
    print("training done")
"""

SLEEPER = """
    import time
    from azureml.core import Run
    Run.get_context().log("started", 1)
    print("sleeping", flush=True)
    time.sleep(60)
"""


def test_script_logs_metrics_and_outputs_that_the_parent_reads(experiment, source_dir):
    config = ScriptRunConfig(source_dir("train.py", TRAIN), "train.py", arguments=["--lr", 0.5])
    run = experiment.submit(config, tags={"purpose": "test"})
    details = run.wait_for_completion()
    assert details["status"] == "Completed"
    assert run.get_metrics() == {"loss": [1.5, 1.0, 0.5]}
    assert run.get_tags() == {"purpose": "test"}
    assert run.get_file_names() == [
        "azureml-logs/20_image_build_log.txt",
        "azureml-logs/70_driver_log.txt",
        "outputs/model.txt",
    ]
    log = run.get_details_with_logs()["logFiles"]["azureml-logs/70_driver_log.txt"]
    assert "training done" in log
    assert details["runDefinition"]["arguments"] == ["--lr", "0.5"]


def test_failing_script_records_the_error_and_traceback(experiment, source_dir):
    run = experiment.submit(ScriptRunConfig(source_dir("bad.py", "raise ValueError('no data')"), "bad.py"))
    with pytest.raises(ActivityFailedException, match="ValueError: no data"):
        run.wait_for_completion()
    assert run.get_status() == "Failed"
    assert "Traceback" in run.get_details_with_logs()["logFiles"]["azureml-logs/70_driver_log.txt"]


def test_nonzero_exit_fails_the_run(experiment, source_dir):
    run = experiment.submit(ScriptRunConfig(source_dir("exit.py", "import sys; sys.exit(3)"), "exit.py"))
    run.wait_for_completion(raise_on_error=False)
    assert run.get_details()["error"]["error"]["message"] == "The script exited with code 3"


def test_submit_refuses_a_missing_script(experiment, source_dir):
    with pytest.raises(UserErrorException, match="missing.py was not found"):
        experiment.submit(ScriptRunConfig(source_dir("train.py", TRAIN), "missing.py"))


def test_cancel_kills_the_real_process(experiment, source_dir):
    run = experiment.submit(ScriptRunConfig(source_dir("sleep.py", SLEEPER), "sleep.py"))
    wait_for(lambda: run.get_metrics().get("started") == 1)
    pid = run._record()["pid"]
    assert psutil.pid_exists(pid)
    run.cancel()
    assert run.get_status() == "Canceled"
    wait_for(
        lambda: not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE, timeout=5
    )


def test_run_outlives_the_process_that_submitted_it(workspace, source_dir, run_python):
    folder = source_dir("train.py", TRAIN)
    submitted = run_python(
        f"""
        import os
        from emulator.core import Workspace, Experiment, ScriptRunConfig
        ws = Workspace("s", "rg", {workspace.name!r})
        run = Experiment(ws, "crash").submit(ScriptRunConfig({str(folder)!r}, "train.py", arguments=["--lr", "1"]))
        print(run.id, flush=True)
        os.kill(os.getpid(), 9)
        """,
        check=False,
    )
    assert submitted.returncode == -9
    run = Run.get(workspace, submitted.stdout.strip())
    assert run.wait_for_completion()["status"] == "Completed"
    assert run.get_metrics() == {"loss": [3.0, 2.0, 1.0]}
    assert "outputs/model.txt" in run.get_file_names()


def test_killed_run_process_fails_the_run_and_keeps_its_metrics(experiment, source_dir):
    run = experiment.submit(ScriptRunConfig(source_dir("sleep.py", SLEEPER), "sleep.py"))
    wait_for(lambda: run.get_metrics().get("started") == 1)
    os.kill(run._record()["pid"], signal.SIGKILL)
    wait_for(lambda: run.get_status() == "Failed")
    assert run.get_metrics() == {"started": 1}


def test_interactive_run_of_a_killed_process_fails_on_next_open(workspace, run_python):
    logged = run_python(
        f"""
        import os
        from emulator.core import Workspace, Experiment
        run = Experiment(Workspace("s", "rg", {workspace.name!r}), "interactive").start_logging()
        for i in range(100):
            run.log("m", i)
        print(run.id, flush=True)
        os.kill(os.getpid(), 9)
        """,
        check=False,
    )
    run_id = logged.stdout.strip()
    status = run_python(
        f"""
        from emulator.core import Workspace, Run
        run = Run.get(Workspace("s", "rg", {workspace.name!r}), {run_id!r})
        print(run.get_status(), len(run.get_metrics()["m"]))
        """
    )
    assert status.stdout.split() == ["Failed", "100"]


def test_cluster_max_nodes_bounds_concurrent_runs(workspace, source_dir):
    ComputeTarget.create(
        workspace, "cpu-1", AmlCompute.provisioning_configuration(vm_size="STANDARD_D2_V2", max_nodes=1)
    )
    folder = source_dir("nap.py", "import time; time.sleep(0.5)")
    experiment = Experiment(workspace, "bounded")
    runs = [experiment.submit(ScriptRunConfig(folder, "nap.py", compute_target="cpu-1")) for _ in range(2)]
    records = []
    for run in runs:
        run.wait_for_completion()
        records.append(run._record())
    first, second = sorted(records, key=lambda r: r["start_time"])
    assert second["start_time"] >= first["end_time"] - 0.05


def test_unknown_compute_target_is_refused(experiment, source_dir):
    with pytest.raises(ComputeTargetException, match="not found"):
        experiment.submit(
            ScriptRunConfig(source_dir("train.py", TRAIN), "train.py", compute_target="gpu-cluster")
        )


def test_max_run_duration_cancels_the_run(experiment, source_dir):
    config = ScriptRunConfig(source_dir("sleep.py", SLEEPER), "sleep.py", max_run_duration_seconds=1)
    run = experiment.submit(config)
    run.wait_for_completion(raise_on_error=False)
    assert run.get_status() == "Canceled"
    assert run.get_details()["error"]["error"]["code"] == "RunTimeout"


def test_context_run_inside_the_script_is_the_submitted_run(workspace, experiment, source_dir):
    code = """
        from azureml.core import Run
        run = Run.get_context()
        run.log("seen_id", run.id)
        run.log("workspace", run.experiment.workspace.name)
    """
    run = experiment.submit(ScriptRunConfig(source_dir("ctx.py", code), "ctx.py"))
    run.wait_for_completion()
    assert run.get_metrics() == {"seen_id": run.id, "workspace": workspace.name}
    assert isinstance(Workspace.get(workspace.name), Workspace)
