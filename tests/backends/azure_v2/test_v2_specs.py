"""The v2 jobs, built from the flow's messages and reloaded from YAML, say what the SDK v1 configs say."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from azure.ai.ml import load_job

from backends.azure_v2 import environments, specs
from backends.azure_v2.export import AUTOML_FILE, SWEEP_FILE, write_jobs


def _reloaded(job, tmp_path, name):
    path = tmp_path / name
    job.dump(path)
    return load_job(path)


@pytest.fixture
def v1_configs(azureml_emulated, sweep_message, automl_message):
    """The SDK v1 configurations the azure backend submits for the same messages."""
    from backends.sdk_v1 import environments as v1_environments
    from backends.sdk_v1.jobs import automl_config, hyperdrive_config

    environment = v1_environments.definition(v1_environments.TRAINING)
    hyperdrive = hyperdrive_config(sweep_message, sweep_message.compute.name, environment)
    rows = pd.DataFrame({"median_income": [1.0, 2.0], automl_message.label: [1.0, 2.0]})
    automl = automl_config(automl_message, rows, automl_message.compute.name)
    return hyperdrive, automl


def test_the_reloaded_sweep_equals_hyperdrive_element_by_element(tmp_path, sweep_message, v1_configs):
    hyperdrive, _ = v1_configs
    sweep = _reloaded(
        specs.sweep_job(sweep_message, environments.reference(environments.TRAINING)), tmp_path, "s.yml"
    )
    rest = sweep._to_rest_object().properties

    v1_space = hyperdrive._generator_config["parameter_space"]
    # Same expressions and values; only the names lose their dashes (v2 names are identifiers).
    assert rest.search_space == {specs.input_name(name): value for name, value in v1_space.items()}
    assert (
        rest.sampling_algorithm.sampling_algorithm_type.lower()
        == hyperdrive._generator_config["name"].lower()
    )
    policy = hyperdrive._policy_config
    assert policy["name"] == rest.early_termination.policy_type == "Bandit"
    assert policy["properties"] == {
        "evaluation_interval": rest.early_termination.evaluation_interval,
        "delay_evaluation": rest.early_termination.delay_evaluation,
        "slack_factor": rest.early_termination.slack_factor,
    }
    assert hyperdrive._primary_metric_config == {
        "name": rest.objective.primary_metric,
        "goal": rest.objective.goal,
    }
    assert hyperdrive._max_total_runs == rest.limits.max_total_trials
    assert hyperdrive._max_concurrent_runs == rest.limits.max_concurrent_trials
    assert hyperdrive._max_duration_minutes * 60 == rest.limits.timeout.total_seconds()
    assert sweep.compute.removeprefix("azureml:") == sweep_message.compute.name
    assert f"azureml:{sweep.trial.environment}" == environments.reference(environments.TRAINING)
    assert sweep.tags == sweep_message.tags and sweep.experiment_name == sweep_message.experiment


def test_the_trial_gets_the_training_split_as_input_and_every_other_argument(tmp_path, sweep_message):
    sweep = _reloaded(specs.sweep_job(sweep_message, "azureml:duel-training:1"), tmp_path, "s.yml")

    # The SDK drops the asset prefix once loaded; submission resolves the name to the asset's id.
    assert sweep.inputs["train"].path.removeprefix("azureml:") == "california-housing-train:3"
    assert sweep.inputs["train"].type == "mltable"
    command = sweep.trial.command
    assert "--train-data ${{inputs.train}}" in command and "--dataset-name" not in command
    arguments = dict(zip(sweep_message.arguments[::2], sweep_message.arguments[1::2], strict=True))
    assert f"--epochs {arguments['--epochs']} --seed {arguments['--seed']}" in command
    for argument in sweep_message.parameter_space:
        assert f"{argument} ${{{{search_space.{specs.input_name(argument)}}}}}" in command


def test_the_reloaded_automl_job_equals_automl_config(tmp_path, automl_message, v1_configs):
    _, automl = v1_configs
    job = _reloaded(specs.automl_job(automl_message), tmp_path, "a.yml")
    v1 = automl.user_settings

    assert job.task_type.lower() == "regression"
    # v2 spells the metric and the algorithms in CamelCase where v1 uses snake_case for the metric.
    assert job.primary_metric.value == "".join(part.title() for part in v1["primary_metric"].split("_"))
    assert job.target_column_name == v1["label_column_name"]
    assert job.limits.timeout_minutes == round(v1["experiment_timeout_hours"] * 60)
    assert job.limits.max_trials == v1["iterations"]
    assert job.limits.max_concurrent_trials == v1["max_concurrent_iterations"]
    assert job.limits.enable_early_termination is v1["enable_early_stopping"] is True
    assert job.training.enable_onnx_compatible_models is v1["enable_onnx_compatible_models"] is True
    assert [algorithm.value for algorithm in job.training.allowed_training_algorithms] == v1["allowed_models"]
    assert not job.training.blocked_training_algorithms and not v1["blocked_models"]
    assert job.training.enable_vote_ensemble is v1["enable_voting_ensemble"]
    assert job.training.enable_stack_ensemble is v1["enable_stack_ensemble"]
    assert job.featurization.mode == v1["featurization"] == "auto"
    assert job.compute.removeprefix("azureml:") == v1["compute_target"]
    assert job.training_data.path.removeprefix("azureml:") == "california-housing-train:3"


def test_a_fractional_automl_budget_rounds_up_to_whole_minutes(automl_message):
    from dataclasses import replace

    job = specs.automl_job(replace(automl_message, timeout_minutes=4.2))
    assert job.limits.timeout_minutes == 5


@pytest.mark.parametrize(
    ("kind", "values", "rest"),
    [
        ("choice", (1, 2), ["choice", [[1, 2]]]),
        ("randint", (5,), ["randint", [5]]),
        ("uniform", (0.0, 1.0), ["uniform", [0.0, 1.0]]),
        ("quniform", (0.0, 8.0, 2.0), ["quniform", [0.0, 8.0, 2.0]]),
        ("loguniform", (-7.6, -5.8), ["loguniform", [-7.6, -5.8]]),
        ("qloguniform", (0.0, 4.0, 1.0), ["qloguniform", [0.0, 4.0, 1.0]]),
        ("normal", (0.0, 1.0), ["normal", [0.0, 1.0]]),
        ("qnormal", (0.0, 1.0, 0.5), ["qnormal", [0.0, 1.0, 0.5]]),
        ("lognormal", (0.0, 1.0), ["lognormal", [0.0, 1.0]]),
        ("qlognormal", (0.0, 1.0, 0.5), ["qlognormal", [0.0, 1.0, 0.5]]),
    ],
)
def test_every_v1_expression_maps_to_the_v2_space_azure_serialises_as_v1(
    kind, values, rest, azureml_emulated
):
    from azureml.train.hyperdrive import parameter_expressions

    expression = specs.search_expression(kind, values)
    assert expression._to_rest_object() == rest
    assert getattr(parameter_expressions, kind)(*values) == rest


def test_an_unknown_expression_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown parameter expression 'triangular'"):
        specs.search_expression("triangular", (0, 1))


def test_export_writes_both_jobs_that_load_job_reads_back(tmp_path, sweep_message, automl_message):
    sweep_path, automl_path = write_jobs(sweep_message, automl_message, tmp_path / "jobs")

    assert (sweep_path.name, automl_path.name) == (SWEEP_FILE, AUTOML_FILE)
    sweep, automl = load_job(sweep_path), load_job(automl_path)
    assert sweep.inputs["train"].path.removeprefix("azureml:") == "california-housing-train@latest"
    assert automl.training_data.path.removeprefix("azureml:") == "california-housing-train@latest"
    assert sweep.trial.environment.removeprefix("azureml:") == "duel-training@latest"
    # The code folder is the repository's training/, wherever the files are submitted from.
    assert (Path(sweep.trial.code) / "train_mlp.py").is_file() and Path(sweep.trial.code).is_absolute()
