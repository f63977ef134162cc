"""Backend messages survive the JSON round trip a step in another process needs."""

from __future__ import annotations

from backends.messages import (
    Bandit,
    ClusterSpec,
    JobOutcome,
    Progress,
    RegisteredModel,
    RunRef,
    SweepJob,
    from_json,
    to_json,
)


def test_a_sweep_job_comes_back_equal_with_its_tuples():
    job = SweepJob(
        experiment="duel-hyperdrive",
        source_directory="/src/training",
        script="train_mlp.py",
        arguments=("--epochs", "4"),
        compute=ClusterSpec("gpu-cluster", "STANDARD_NC4AS_T4_V3", 4),
        parameter_space={"--lr": ("loguniform", (-7.6, -5.8)), "--loss": ("choice", ("l1", "huber"))},
        policy=Bandit(evaluation_interval=1, slack_factor=0.03, delay_evaluation=10),
        primary_metric="val_mae",
        max_total_runs=4,
        max_concurrent_runs=1,
        max_duration_minutes=30,
        tags={"split": "abc"},
    )
    assert from_json(SweepJob, to_json(job)) == job


def test_an_outcome_keeps_its_leaderboard_rows_and_run_reference():
    outcome = JobOutcome(RunRef("duel-automl", "AutoML_1"), "AutoML_1_3", ({"iteration": "3", "mae": 1.5},))
    assert from_json(JobOutcome, to_json(outcome)) == outcome


def test_a_registered_model_names_its_version_as_name_colon_version():
    model = RegisteredModel("housing-price", 3, "housing-price:3", {"champion": "true"})
    assert model.ref == "housing-price:3"
    assert from_json(RegisteredModel, to_json(model)) == model


def test_progress_is_a_share_of_the_budget_capped_at_one_hundred():
    assert Progress("r", 1, 4).percent == 25.0
    assert Progress("r", 9, 4).percent == 100.0
    assert Progress("r", 0, 0).percent == 0.0


def test_a_progress_from_an_older_sender_reads_with_the_new_fields_at_their_defaults():
    from backends.messages import Progress

    old = from_json(Progress, '{"run_id": "HD_1", "finished": 1, "expected": 4}')
    assert old == Progress("HD_1", 1, 4) and old.best is None and old.percent == 25.0
    assert old.describe() == "1/4 finished, 0 s"
    new = Progress(
        "HD_1",
        2,
        4,
        started=3,
        canceled=1,
        best=31_234.5,
        metric="val_mae",
        elapsed_seconds=61,
        budget_seconds=1800,
    )
    assert from_json(Progress, to_json(new)) == new
    assert (
        new.describe() == "2/4 finished, 3 started, 1 cancelled, best val_mae 31,234, 61 s of 1,800 s budget"
    )


def test_a_job_that_ended_early_says_what_ran_failed_was_cut_and_never_started():
    ended = Progress("AutoML_1", 3, 12, started=3, canceled=1, failed=1, ended=True, budget_seconds=30)
    assert (
        ended.describe()
        == "3/12 finished, 3 started, 1 cancelled, 1 failed, 9 not started, 0 s of 30 s budget"
    )
