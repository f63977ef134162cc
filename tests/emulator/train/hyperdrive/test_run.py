"""Real sweeps: every trial a child process of the toy script, observed through the store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import psutil
import pytest

from emulator.core import Run
from emulator.train.hyperdrive import (
    BanditPolicy,
    BayesianParameterSampling,
    GridParameterSampling,
    HyperDriveConfig,
    HyperDriveConfigException,
    HyperDriveRun,
    MedianStoppingPolicy,
    PrimaryMetricGoal,
    RandomParameterSampling,
    TruncationSelectionPolicy,
    choice,
    uniform,
)
from emulator.train.hyperdrive.exceptions import HyperDriveNotImplementedException


def sweep_config(run_config, sampling, metric="score", goal=PrimaryMetricGoal.MAXIMIZE, **kwargs):
    kwargs.setdefault("max_total_runs", 3)
    return HyperDriveConfig(
        run_config=run_config,
        hyperparameter_sampling=sampling,
        primary_metric_name=metric,
        primary_metric_goal=goal,
        **kwargs,
    )


def max_overlap(records):
    events = sorted(
        [(r["start_time"], 1) for r in records if r["start_time"]]
        + [(r["end_time"], -1) for r in records if r["end_time"]]
    )
    running = peak = 0
    for _, change in events:
        running += change
        peak = max(peak, running)
    return peak


def test_grid_sweep_runs_each_point_as_a_child_and_picks_the_best_for_both_goals(experiment, script_config):
    sampling = GridParameterSampling({"--quality": choice(1, 2, 3)})
    maximize = experiment.submit(
        sweep_config(script_config("--epochs", "3"), sampling, max_concurrent_runs=2)
    )
    minimize = experiment.submit(
        sweep_config(script_config("--epochs", "3"), sampling, metric="loss", goal=PrimaryMetricGoal.MINIMIZE)
    )
    assert isinstance(maximize, HyperDriveRun)
    maximize.wait_for_completion()
    minimize.wait_for_completion()

    children = list(maximize.get_children())
    assert len(children) == 3 and all(c.get_status() == "Completed" for c in children)
    assert sorted(c.id for c in children) == [f"{maximize.id}_{n}" for n in range(3)]
    assert maximize.id.startswith("HD_")
    # each trial received its sampled value after the config's own arguments
    args = {c.id: c.get_details()["runDefinition"]["arguments"] for c in children}
    assert all(a[:2] == ["--epochs", "3"] and a[2] == "--quality" for a in args.values())

    hyperparameters = maximize.get_hyperparameters()
    best_max = maximize.get_best_run_by_primary_metric()
    best_min = minimize.get_best_run_by_primary_metric()
    assert json.loads(hyperparameters[best_max.id]) == {"--quality": 3}
    assert json.loads(minimize.get_hyperparameters()[best_min.id]) == {"--quality": 2}

    ranked = maximize.get_children_sorted_by_primary_metric()
    assert [r["best_primary_metric"] for r in ranked] == [9.0, 6.0, 3.0]
    assert [
        r["best_primary_metric"] for r in maximize.get_children_sorted_by_primary_metric(reverse=True)
    ] == [
        3.0,
        6.0,
        9.0,
    ]
    assert len(maximize.get_children_sorted_by_primary_metric(top=1)) == 1
    assert set(maximize.get_metrics()) == {c.id for c in children}

    properties = maximize.get_properties()
    assert json.loads(properties["primary_metric_config"]) == {"name": "score", "goal": "maximize"}
    assert json.loads(properties["generator_config"])["name"] == "GRID"
    assert properties["best_child_run_id"] == best_max.id
    assert maximize.get_status() == "Completed"


def test_concurrency_never_exceeds_the_limit_and_total_runs_are_capped(experiment, script_config):
    sampling = RandomParameterSampling({"--quality": uniform(0, 1)}, properties={"rndseed": 1})
    config = sweep_config(
        script_config("--epochs", "3", "--sleep", "0.2"), sampling, max_total_runs=5, max_concurrent_runs=2
    )
    sweep = experiment.submit(config)
    sweep.wait_for_completion()
    records = [c._record() for c in sweep.get_children()]
    assert len(records) == 5
    assert max_overlap(records) == 2


@pytest.mark.parametrize(
    "policy",
    [
        BanditPolicy(evaluation_interval=1, slack_amount=1.0, delay_evaluation=2),
        MedianStoppingPolicy(evaluation_interval=1, delay_evaluation=2),
        TruncationSelectionPolicy(50, evaluation_interval=1, delay_evaluation=2),
    ],
    ids=["bandit", "median", "truncation"],
)
def test_policy_cancels_the_poor_running_trial_and_its_process_is_gone(experiment, script_config, policy):
    sampling = GridParameterSampling({"--quality": choice(10, 1)})
    config = sweep_config(
        # 6 s per trial: long enough that a trial started late on a loaded machine still overlaps the other.
        script_config("--epochs", "60", "--sleep", "0.1"),
        sampling,
        policy=policy,
        max_total_runs=2,
        max_concurrent_runs=2,
    )
    sweep = experiment.submit(config)
    sweep.wait_for_completion()
    by_quality = {json.loads(p)["--quality"]: rid for rid, p in sweep.get_hyperparameters().items()}
    good, bad = Run(experiment, by_quality[10]), Run(experiment, by_quality[1])
    assert good.get_status() == "Completed"
    assert bad.get_status() == "Canceled"
    # cancelled early, for real: fewer intervals than the script would log, and no process left
    assert len(bad.get_metrics()["score"]) < 60
    pid = bad._record()["pid"]
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert f"{policy._name} policy cancels {bad.id}" in _controller_log(sweep)


def test_bayesian_sampling_with_a_policy_is_refused_at_submit(experiment, script_config):
    config = sweep_config(
        script_config(),
        BayesianParameterSampling({"--quality": uniform(0, 1)}),
        policy=BanditPolicy(slack_factor=0.1),
    )
    with pytest.raises(HyperDriveConfigException, match="No early termination policy"):
        experiment.submit(config)
    assert list(experiment.get_runs()) == []


def test_cancel_stops_the_sweep_and_its_running_trials(experiment, script_config):
    config = sweep_config(
        script_config("--epochs", "200", "--sleep", "0.1"),
        RandomParameterSampling({"--quality": uniform(0, 1)}),
        max_total_runs=4,
        max_concurrent_runs=2,
    )
    sweep = experiment.submit(config)
    deadline = time.monotonic() + 30
    while sum(c.get_status() == "Running" for c in sweep.get_children()) < 2:
        if time.monotonic() > deadline:
            pytest.fail("two trials were not running 30 s after the sweep was submitted")
        time.sleep(0.1)
    sweep.cancel()
    assert sweep.get_status() == "Canceled"
    children = list(sweep.get_children())
    assert len(children) == 2 and all(c.get_status() == "Canceled" for c in children)


def test_resume_from_counts_prior_trials_and_skips_grid_points_already_run(experiment, script_config):
    first = experiment.submit(
        sweep_config(
            script_config("--epochs", "2"), GridParameterSampling({"--quality": choice(5)}), max_total_runs=1
        )
    )
    first.wait_for_completion()
    resumed = experiment.submit(
        sweep_config(
            script_config("--epochs", "2"),
            GridParameterSampling({"--quality": choice(5, 1, 2)}),
            max_total_runs=3,
            resume_from=[first],
        )
    )
    resumed.wait_for_completion()
    ran = sorted(json.loads(p)["--quality"] for p in resumed.get_hyperparameters().values())
    assert ran == [1, 2]
    assert resumed.get_best_run_by_primary_metric().id == first.get_best_run_by_primary_metric().id
    own_best = resumed.get_best_run_by_primary_metric(include_resume_from_runs=False)
    assert json.loads(resumed.get_hyperparameters()[own_best.id]) == {"--quality": 2}


def test_resume_child_runs_reruns_a_trial_with_its_hyperparameters(experiment, script_config):
    first = experiment.submit(
        sweep_config(
            script_config("--epochs", "1"), GridParameterSampling({"--quality": choice(7)}), max_total_runs=1
        )
    )
    first.wait_for_completion()
    (child,) = first.get_children()
    again = experiment.submit(
        sweep_config(
            script_config("--epochs", "1"),
            GridParameterSampling({"--quality": choice(1)}),
            max_total_runs=1,
            resume_child_runs=[child],
        )
    )
    again.wait_for_completion()
    assert [json.loads(p) for p in again.get_hyperparameters().values()] == [{"--quality": 7}]


def test_bayesian_sweep_warm_started_from_an_earlier_sweep_completes(experiment, script_config):
    first = experiment.submit(
        sweep_config(
            script_config("--epochs", "1"),
            GridParameterSampling({"--quality": choice(1, 3)}),
            max_total_runs=2,
        )
    )
    first.wait_for_completion()
    sampling = BayesianParameterSampling({"--quality": choice(1, 2, 3)}, properties={"rndseed": 0})
    bayes = experiment.submit(
        sweep_config(
            script_config("--epochs", "1"),
            sampling,
            max_total_runs=2,
            max_concurrent_runs=1,
            resume_from=[first],
        )
    )
    bayes.wait_for_completion()
    assert "warm start: 2 trials" in _controller_log(bayes)
    assert [c.get_status() for c in bayes.get_children()] == ["Completed", "Completed"]
    assert json.loads(bayes.get_properties()["generator_config"])["name"] == "BayesianOptimization"


def test_wait_for_completion_with_show_output_draws_a_progress_bar(experiment, script_config, capsys):
    sweep = experiment.submit(
        sweep_config(
            script_config("--epochs", "1"),
            GridParameterSampling({"--quality": choice(1, 2)}),
            max_total_runs=2,
        )
    )
    sweep.wait_for_completion(show_output=True)
    assert "2/2" in capsys.readouterr().err


def test_trials_run_on_a_dask_cluster(experiment, script_config):
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    Client, LocalCluster = distributed.Client, distributed.LocalCluster

    from emulator.train.hyperdrive._executors import _DaskExecutor

    with LocalCluster(processes=True, n_workers=1, threads_per_worker=2, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            worker_pids = set(client.run(os.getpid).values())
        config = sweep_config(
            script_config("--epochs", "2"),
            GridParameterSampling({"--quality": choice(1, 2)}),
            max_total_runs=2,
        )
        sweep = experiment.submit(config, _trial_executor=_DaskExecutor(cluster.scheduler_address))
        sweep.wait_for_completion()
    children = list(sweep.get_children())
    assert [c.get_status() for c in children] == ["Completed", "Completed"]
    assert {c.get_metrics()["parent_pid"] for c in children} <= worker_pids
    assert sweep.get_best_run_by_primary_metric() is not None


def test_sweep_goes_on_after_the_submitting_process_exits(experiment, toy_source):
    submitter = f"""
from emulator.core import Experiment, ScriptRunConfig, Workspace
from emulator.train.hyperdrive import GridParameterSampling, HyperDriveConfig, PrimaryMetricGoal, choice
experiment = Experiment(Workspace("sub", "rg", "hyperdrive-tests"), "sweep")
config = HyperDriveConfig(
    run_config=ScriptRunConfig(source_directory={str(toy_source)!r}, script="toy.py", arguments=["--epochs", "3"]),
    hyperparameter_sampling=GridParameterSampling({{"--quality": choice(1, 2)}}),
    primary_metric_name="score", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE, max_total_runs=2,
    max_concurrent_runs=1,
)
print(experiment.submit(config).id)
"""
    done = subprocess.run(
        [sys.executable, "-c", submitter], capture_output=True, text=True, check=True, timeout=60
    )
    sweep = Run.get(experiment.workspace, done.stdout.strip())
    assert isinstance(sweep, HyperDriveRun)
    sweep.wait_for_completion()
    assert [c.get_status() for c in sweep.get_children()] == ["Completed", "Completed"]


def _controller_log(sweep) -> str:
    """The sweep's controller log, where a user reads it: the run's azureml-logs/hyperdrive.txt."""
    return sweep.get_details_with_logs()["logFiles"]["azureml-logs/hyperdrive.txt"]


def test_get_diagnostics_and_fail_are_not_supported_on_a_sweep_as_in_the_sdk(experiment, script_config):
    sweep = experiment.submit(
        sweep_config(script_config("--epochs", "1"), GridParameterSampling({"--quality": choice(1)}))
    )
    sweep.wait_for_completion()
    with pytest.raises(HyperDriveNotImplementedException, match="Get diagnostics is not implemented"):
        sweep.get_diagnostics()
    with pytest.raises(HyperDriveNotImplementedException, match="Fail is not implemented"):
        sweep.fail()
    assert sweep.get_status() == "Completed"
