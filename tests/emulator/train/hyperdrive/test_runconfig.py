"""HyperDriveConfig records the SDK's private configuration and validates like the SDK."""

from __future__ import annotations

import pytest

from emulator.train.hyperdrive import (
    BanditPolicy,
    BayesianParameterSampling,
    HyperDriveConfig,
    HyperDriveConfigException,
    PrimaryMetricGoal,
    RandomParameterSampling,
    choice,
    uniform,
)

RUN_CONFIG = object()  # stands for a ScriptRunConfig: construction does not look inside it


def make(**overrides):
    kwargs = {
        "hyperparameter_sampling": RandomParameterSampling({"--lr": uniform(0, 1)}),
        "primary_metric_name": "MAE",
        "primary_metric_goal": PrimaryMetricGoal.MINIMIZE,
        "max_total_runs": 4,
        "run_config": RUN_CONFIG,
    }
    kwargs.update(overrides)
    return HyperDriveConfig(**kwargs)


def test_config_records_the_sdk_private_fields():
    config = make(policy=BanditPolicy(slack_factor=0.1), max_concurrent_runs=2)
    assert config._primary_metric_config == {"name": "MAE", "goal": "minimize"}
    assert config._generator_config == {"name": "RANDOM", "parameter_space": {"--lr": ["uniform", [0, 1]]}}
    assert config._policy_config["name"] == "Bandit"
    assert (config._max_total_runs, config._max_concurrent_runs, config._max_duration_minutes) == (
        4,
        2,
        10080,
    )


def test_missing_policy_means_no_termination():
    assert make()._policy_config == {"name": "Default"}


def test_goal_must_be_a_primary_metric_goal():
    with pytest.raises(HyperDriveConfigException, match="primary_metric_goal"):
        make(primary_metric_goal="minimize")


@pytest.mark.parametrize("name", ["max_concurrent_runs", "max_duration_minutes"])
def test_limits_must_be_positive_integers(name):
    with pytest.raises(HyperDriveConfigException, match=name):
        make(**{name: 0})


def test_exactly_one_of_estimator_run_config_or_pipeline():
    with pytest.raises(
        HyperDriveConfigException, match="Exactly one of the estimator, run_config or pipeline"
    ):
        make(run_config=None)


def test_at_most_five_sweeps_to_resume_from():
    with pytest.raises(HyperDriveConfigException, match="at most 5"):
        make(resume_from=[object()] * 6)


def test_bayesian_with_a_policy_is_accepted_at_construction_and_refused_at_submit():
    config = make(
        hyperparameter_sampling=BayesianParameterSampling({"--b": choice(1, 2)}),
        policy=BanditPolicy(slack_amount=1),
    )
    with pytest.raises(HyperDriveConfigException, match="No early termination policy is currently supported"):
        config._validate_for_submit()


def test_zero_total_runs_is_refused_at_submit():
    config = make(max_total_runs=0)
    with pytest.raises(HyperDriveConfigException, match="max_total_runs"):
        config._validate_for_submit()
