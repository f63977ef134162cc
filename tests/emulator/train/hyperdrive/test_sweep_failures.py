"""Probe sweeps as a crash and a careless caller would (issue 13): a killed controller, bounds that
only fail inside the running sweep, policy arguments the SDK refuses."""

from __future__ import annotations

import math
import os
import signal
import time

import psutil
import pytest

from emulator.train.hyperdrive import (
    BanditPolicy,
    HyperDriveConfig,
    HyperDriveConfigException,
    PrimaryMetricGoal,
    RandomParameterSampling,
    lognormal,
    loguniform,
    normal,
    qloguniform,
    uniform,
)

pytestmark = pytest.mark.reliability


def test_trials_of_a_killed_controller_are_cancelled_on_the_next_look(experiment, script_config):
    config = HyperDriveConfig(
        run_config=script_config("--epochs", "600", "--sleep", "0.1"),
        hyperparameter_sampling=RandomParameterSampling({"--quality": uniform(0, 1)}),
        primary_metric_name="score",
        primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
        max_total_runs=4,
        max_concurrent_runs=2,
    )
    sweep = experiment.submit(config)
    deadline = time.monotonic() + 60
    while sum(c.get_status() == "Running" for c in sweep.get_children()) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    trials = list(sweep.get_children())
    trial_pids = [t._record()["pid"] for t in trials]
    assert len(trials) == 2 and all(psutil.pid_exists(pid) for pid in trial_pids)
    controller = sweep._record()["pid"]
    os.kill(controller, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while psutil.pid_exists(controller) and psutil.Process(controller).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline
        time.sleep(0.05)

    assert sweep.get_status() == "Failed"  # the look that reaps the controller ...
    assert [t.get_status() for t in trials] == ["Canceled", "Canceled"]  # ... ends its trials
    for pid in trial_pids:
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: loguniform(math.nan, 1), "finite number"),
        (lambda: loguniform(-1, math.inf), "finite number"),
        (lambda: loguniform(1, 800), "exp"),
        (lambda: qloguniform(0, 1000, 1), "exp"),
        (lambda: uniform(0, math.nan), "finite number"),
        (lambda: normal(0, -1), "sigma"),
        (lambda: lognormal(900, 1), "exp"),
    ],
)
def test_expression_bounds_that_would_fail_inside_the_sweep_are_refused_up_front(make, message):
    with pytest.raises(HyperDriveConfigException, match=message):
        make()


@pytest.mark.parametrize(
    "arguments",
    [
        {"slack_factor": -1},
        {"slack_amount": -0.5},
        {"slack_factor": math.nan},
        {"slack_amount": math.inf},
        {"slack_factor": "0.1"},
    ],
)
def test_bandit_refuses_negative_or_non_finite_slack(arguments):
    with pytest.raises(HyperDriveConfigException, match="slack"):
        BanditPolicy(evaluation_interval=1, **arguments)
