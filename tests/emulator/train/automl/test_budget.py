"""Probe AutoML's budget (issue 13): the whole job, ensembles, ONNX copy and explanation included, ends within
``experiment_timeout_minutes``; a zero budget is refused up front."""

from __future__ import annotations

import time

import pytest

from emulator import relax
from emulator.train.automl import AutoMLConfig
from emulator.train.automl._budget import Budget, consume_until
from emulator.train.automl._driver import Driver
from emulator.train.automl.exceptions import ConfigException
from training.schema import LABEL

pytestmark = pytest.mark.reliability

BUDGET_SECONDS = 30
# Recording the search's last iterations is never cut short: on an overloaded machine (load 16 on 2
# cores) it spilled 1.7 s past the budget; at ordinary load the run ends before it
# (benchmarks/automl_budget.py measures it).
SPILL_SECONDS = 5


def test_closing_steps_keep_what_finished_and_stop_at_the_deadline():
    def slow():
        yield "voting"
        time.sleep(30)
        yield "stack"

    started = time.monotonic()
    done = []
    assert consume_until(0.5, slow(), done.append) == (1, False)
    assert done == ["voting"] and time.monotonic() - started < 5


def test_a_recording_in_progress_is_never_cut_short():
    recorded = []

    def record(result):
        time.sleep(1.0)  # past the deadline: the limit strikes only once the record is whole
        recorded.append(result)

    assert consume_until(0.3, iter(["voting", "stack"]), record) == (1, False)
    assert recorded == ["voting"]


def test_no_time_left_runs_nothing():
    ran = []

    def step():
        ran.append(True)
        yield 1

    assert consume_until(0.0, step(), print) == (0, False) and ran == []


def test_budget_counts_from_the_runs_creation_not_from_the_drivers_start():
    budget = Budget.of(10, timeout_hours=1 / 60, created=time.time() - 50)
    assert 9 < budget.deadline - time.monotonic() <= 10
    assert budget.deadline - budget.search_deadline == pytest.approx(6.0)  # 10 % of the minute
    short = Budget.of(10, timeout_hours=0.5 / 60, created=time.time())
    assert short.deadline - short.search_deadline == pytest.approx(5.0)  # never less than 5 s
    assert Budget.of(10, timeout_hours=None, created=time.time()).closing_seconds_left() == float("inf")


@pytest.mark.parametrize(
    "settings",
    [
        {"experiment_timeout_minutes": 0},
        {"experiment_timeout_hours": 0},
        {"iteration_timeout_minutes": 0},
        {"experiment_timeout_minutes": float("nan")},
    ],
)
def test_a_zero_budget_is_refused_when_configured(small_housing, settings):
    with pytest.raises(ConfigException, match="timeout"):
        AutoMLConfig(task="regression", training_data=small_housing, label_column_name=LABEL, **settings)


@pytest.mark.slow
def test_whole_experiment_with_ensembles_and_explanation_ends_within_the_budget(
    experiment, small_housing, monkeypatch
):
    # 30 s is below Azure's 15-minute minimum: opt in to the emulator's relaxation, by name.
    monkeypatch.setenv(relax.RELAX_VARIABLE, relax.AUTOML_TIMEOUT)
    config = AutoMLConfig(
        task="regression",
        primary_metric="normalized_mean_absolute_error",
        training_data=small_housing,
        label_column_name=LABEL,
        iterations=1000,  # the budget, not the iteration count, ends the search
        max_concurrent_iterations=2,
        experiment_timeout_minutes=BUDGET_SECONDS / 60,
        enable_early_stopping=False,
        model_explainability=True,
        enable_onnx_compatible_models=True,  # the ONNX copy is written inside the budget too
    )
    submitted = time.time()
    run = experiment.submit(config)
    run.wait_for_completion(show_output=False)
    returned = time.time()
    record = run._record()
    assert record["status"] == "Completed"
    assert record["end_time"] - record["created"] <= BUDGET_SECONDS + SPILL_SECONDS
    # the caller's view, process exit and polling included
    assert returned - submitted <= BUDGET_SECONDS + SPILL_SECONDS + 1
    assert run.get_properties()["onnx_model_run_id"]
    assert run.get_properties()[relax.PROPERTY].startswith(
        "automl-timeout: experiment_timeout_hours=0.008333"
    )
    # the clock ended the search: either it ran out, or no pipeline left fitted in what remained
    assert run.get_properties()["stop_reason"] in {
        "experiment timeout reached",
        "no pipeline left that fits in the remaining time",
    }


def _driver_at(budget: Budget, grace: bool) -> Driver:
    """A driver at the search's start-up decision (its stop rule reads only these fields)."""
    driver = object.__new__(Driver)
    driver.grace = grace
    driver.settings = {"experiment_exit_score": None, "enable_early_stopping": False}
    return driver


def test_first_iteration_grace_starts_the_first_iteration_after_the_search_deadline_only_when_asked():
    # The search's share is spent, the experiment's deadline not yet: Azure starts nothing more.
    budget = Budget(iterations=12, search_deadline=time.monotonic() - 1, deadline=time.monotonic() + 5)
    assert _driver_at(budget, grace=False)._stop_reason(0, budget) == "experiment timeout reached"
    assert _driver_at(budget, grace=True)._stop_reason(0, budget) is None
    # The grace is for the first iteration only, and never starts one after the deadline itself.
    assert _driver_at(budget, grace=True)._stop_reason(1, budget) == "experiment timeout reached"
    late = Budget(iterations=12, search_deadline=time.monotonic() - 5, deadline=time.monotonic() - 1)
    assert _driver_at(late, grace=True)._stop_reason(0, late) == "experiment timeout reached"


def test_an_experiment_submitted_under_the_grace_says_so_on_its_run(experiment, small_housing):
    from emulator import relax

    relax.allow([relax.AUTOML_TIMEOUT, relax.FIRST_ITERATION_GRACE])
    try:
        run = experiment.submit(
            AutoMLConfig(
                task="regression",
                training_data=small_housing,
                label_column_name=LABEL,
                allowed_models=["ElasticNet"],
                iterations=1,
                experiment_timeout_minutes=1,
            )
        )
    finally:
        relax.allow([])
    run.cancel()
    assert "; first-iteration-grace: " in run.get_properties()[relax.PROPERTY]
