"""AutoMLConfig validation: bad settings fail early with a message naming the problem."""

from __future__ import annotations

import json

import pytest

from emulator.train.automl import AutoMLConfig
from emulator.train.automl.exceptions import ConfigException
from training.schema import LABEL


def _config(data, **overrides):
    settings = {"task": "regression", "training_data": data, "label_column_name": LABEL, **overrides}
    return AutoMLConfig(**settings)


def test_unknown_model_name_is_refused_naming_it(small_housing):
    with pytest.raises(ConfigException, match="allowed_models.*LightGBMM"):
        _config(small_housing, allowed_models=["LightGBMM"])


def test_bad_primary_metric_lists_the_supported_ones(small_housing):
    with pytest.raises(ConfigException, match="primary_metric.*normalized_mean_absolute_error"):
        _config(small_housing, primary_metric="mae")


def test_unknown_task_is_refused(small_housing):
    with pytest.raises(ConfigException, match="task"):
        _config(small_housing, task="clustering")


def test_missing_label_argument_is_refused(small_housing):
    with pytest.raises(ConfigException, match="label_column_name"):
        AutoMLConfig(task="regression", training_data=small_housing)


def test_label_absent_from_data_fails_at_submit_without_a_run(experiment, small_housing):
    config = _config(small_housing, label_column_name="price")
    with pytest.raises(ConfigException, match="'price' was not found"):
        experiment.submit(config)
    assert list(experiment.get_runs()) == []


def test_blocking_every_emulated_model_is_refused(small_housing):
    blocked = ["DecisionTree", "ElasticNet", "ExtremeRandomTrees", "GradientBoosting", "KNN", "LassoLars",
               "LightGBM", "RandomForest", "SGD"]  # fmt: skip
    with pytest.raises(ConfigException, match="leave no model"):
        _config(small_housing, blocked_models=blocked)


def test_timeout_in_minutes_is_kept_in_hours(small_housing):
    config = _config(small_housing, experiment_timeout_minutes=30)
    assert config.user_settings["experiment_timeout_hours"] == 0.5
    with pytest.raises(ConfigException, match="not both"):
        _config(small_housing, experiment_timeout_minutes=30, experiment_timeout_hours=1)


def test_onnx_mode_turns_the_stack_ensemble_off_by_default(small_housing):
    assert (
        _config(small_housing, enable_onnx_compatible_models=True).user_settings["enable_stack_ensemble"]
        is False
    )
    assert _config(small_housing).user_settings["enable_stack_ensemble"] is True


def test_serializable_dict_is_json_and_names_data_instead_of_holding_it(small_housing):
    settings = _config(small_housing, primary_metric="r2_score").as_serializable_dict()
    assert json.loads(json.dumps(settings))["primary_metric"] == "r2_score"
    assert settings["training_data"] == "DataFrame"


def test_x_and_y_become_training_data_with_the_label_named_after_y(small_housing):
    X, y = small_housing.drop(columns=[LABEL]), small_housing[LABEL]
    config = AutoMLConfig(task="regression", X=X, y=y, path="project", enforce_time_on_windows=True)
    training, _ = config._frames()
    assert config.user_settings["label_column_name"] == LABEL
    assert training[LABEL].tolist() == y.tolist()
    # accepted-and-recorded settings the local emulator does not act on
    assert config.user_settings["path"] == "project" and config.user_settings["enforce_time_on_windows"]


def test_x_without_y_or_beside_training_data_is_refused(small_housing):
    X, y = small_housing.drop(columns=[LABEL]), small_housing[LABEL]
    with pytest.raises(ConfigException, match="both X and y"):
        AutoMLConfig(task="regression", X=X, label_column_name=LABEL)
    with pytest.raises(ConfigException, match="not both"):
        AutoMLConfig(task="regression", X=X, y=y, training_data=small_housing, label_column_name=LABEL)
    with pytest.raises(ConfigException, match="rows"):
        AutoMLConfig(task="regression", X=X, y=y.head(10))
