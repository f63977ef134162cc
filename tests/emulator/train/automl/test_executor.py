"""Iterations run as processes; a timeout kills the process for real."""

from __future__ import annotations

import time

import numpy as np
import pytest

from emulator.train.automl._executor import IterationPool
from emulator.train.automl._worker import IterationTask, _check_converged
from emulator.train.automl.pipeline import PipelineSpec


def _task(tmp_path, iteration: int, spec: PipelineSpec) -> IterationTask:
    rng = np.random.default_rng(0)
    np.save(tmp_path / "X.npy", rng.normal(size=(3000, 8)))
    np.save(tmp_path / "y.npy", rng.normal(size=3000))
    np.save(tmp_path / "folds.npy", np.arange(3000) % 3)
    return IterationTask(iteration, spec, str(tmp_path), str(tmp_path / f"m{iteration}.pkl"),
                         str(tmp_path / f"p{iteration}.npy"), 1, 0, True)  # fmt: skip


def test_iteration_timeout_kills_a_slow_iteration(tmp_path):
    slow = PipelineSpec(
        "RandomForest",
        None,
        {"n_estimators": 5000, "max_depth": 40, "min_samples_leaf": 1, "max_features": 1.0},
    )
    pool = IterationPool(concurrency=1)
    pool.start(_task(tmp_path, 0, slow), timeout=1.0)
    process = pool._active[0].process
    started = time.monotonic()
    finished = []
    while not finished:
        finished = pool.wait(0.2)
    assert finished[0].timed_out and "timeout" in finished[0].error
    assert time.monotonic() - started < 5
    assert not process.is_alive()


def test_a_finished_iteration_reports_metrics_and_writes_its_model(tmp_path):
    pool = IterationPool(concurrency=1)
    pool.start(
        _task(
            tmp_path, 1, PipelineSpec("ElasticNet", "StandardScalerWrapper", {"alpha": 0.1, "l1_ratio": 0.5})
        ),
        None,
    )
    finished = []
    while not finished:
        finished = pool.wait(0.2)
    assert finished[0].error is None
    assert "normalized_mean_absolute_error" in finished[0].result.metrics
    assert (tmp_path / "m1.pkl").exists() and np.isfinite(np.load(tmp_path / "p1.npy")).all()


def test_predictions_far_outside_the_label_range_fail_the_iteration_as_diverged():
    y = np.array([0.0, 1.0, 2.0])
    _check_converged("ElasticNet", np.array([-5.0, 21.0]), y)  # extrapolation within ten label ranges
    with pytest.raises(FloatingPointError, match="SGD.*diverged"):
        _check_converged("SGD", np.array([1.0, 3e8]), y)
    with pytest.raises(FloatingPointError, match="diverged"):
        _check_converged("SGD", np.array([1.0, np.nan]), y)


def test_the_search_learns_the_fits_own_time_not_the_process_start(tmp_path):
    from emulator.train.automl._driver import cost_seconds
    from emulator.train.automl._executor import Finished
    from emulator.train.automl._worker import IterationResult

    task = _task(tmp_path, 0, PipelineSpec("DecisionTree", None, {}))
    # the process took 7 s (it waited for the fork server's imports); the fit itself 1.5 s
    assert cost_seconds(Finished(task, IterationResult({}, 1.5), None, 7.0)) == 1.5
    assert cost_seconds(Finished(task, None, "Iteration timeout reached.", 7.0, timed_out=True)) == 7.0
