"""``AutoMLConfig``: the settings of a regression AutoML experiment, validated as the SDK does.

Settings are checked at construction where the SDK checks them (task, metric, model names,
ranges) and the data at submit (label present, enough rows). The emulator runs regression only.
"""

from __future__ import annotations

import logging
import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from emulator import relax
from emulator.train.automl.exceptions import ConfigException, invalid_argument
from emulator.train.automl.featurization import FeaturizationConfig
from emulator.train.automl.metrics import PRIMARY_METRICS, SPEARMAN
from emulator.train.automl.models import FAMILIES, SDK_REGRESSION_MODELS

_TASKS = ("classification", "regression", "forecasting")
_DEFAULT_ITERATIONS = 1000
_MIN_ROWS = 50
_DATA_KEYS = ("training_data", "validation_data", "compute_target")
# AutoMLBaseSettings.MIN_EXPTIMEOUT_MINUTES and MAXIMUM_EXPERIMENT_TIMEOUT_MINUTES of the SDK, which
# refuses a budget outside them when the experiment is submitted, on any compute target.
_MIN_TIMEOUT_HOURS = 15 / 60
_MAX_TIMEOUT_HOURS = 525600 / 60

__all__ = ["AutoMLConfig"]


def _check_range(name: str, value, low, high=None, integer=True, above=False) -> None:
    """``low <= value <= high`` (``low < value`` when ``above``); ``None`` means not set."""
    if value is None:
        return
    kind = int if integer else (int, float)
    if (
        isinstance(value, bool)
        or not isinstance(value, kind)
        or not math.isfinite(value)
        or value < low
        or (above and value == low)
        or (high is not None and value > high)
    ):
        bound = (
            f"between {low} and {high}" if high is not None else f"{'above' if above else 'at least'} {low}"
        )
        raise ConfigException(
            f"Invalid argument '{name}': expected {'an integer' if integer else 'a number'} {bound}, got {value!r}."
        )


def _frame(data, role: str) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    if hasattr(data, "to_pandas_dataframe"):
        return data.to_pandas_dataframe()
    raise ConfigException(
        f"{role} must be a pandas DataFrame or a TabularDataset, got {type(data).__name__}."
    )


def _join_arrays(X, y, data, label: str | None, suffix: str) -> tuple[Any, str | None]:
    """``X``/``y`` (the SDK's older arguments) as one frame holding the label, or ``data`` unchanged."""
    if X is None and y is None:
        return data, label
    if X is None or y is None:
        raise ConfigException(f"Pass both X{suffix} and y{suffix}, or neither.")
    if data is not None:
        role = "validation_data" if suffix else "training_data"
        raise ConfigException(f"Pass X{suffix}/y{suffix} or {role}, not both.")
    frame = X.reset_index(drop=True) if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
    frame.columns = [str(c) for c in frame.columns]
    label = label or str(getattr(y, "name", None) or "y")
    if label in frame.columns:
        raise ConfigException(f"X{suffix} already has a column named '{label}', the label's name.")
    values = np.asarray(y, dtype=float).reshape(-1)
    if len(values) != len(frame):
        raise ConfigException(f"X{suffix} has {len(frame)} rows but y{suffix} has {len(values)}.")
    return frame.assign(**{label: values}), label


class AutoMLConfig:
    """An automated ML experiment; submit it with ``Experiment.submit``."""

    def __init__(
        self,
        task: str,
        path=None,
        iterations=None,
        primary_metric=None,
        positive_label=None,
        compute_target=None,
        spark_context=None,
        X=None,
        y=None,
        sample_weight=None,
        X_valid=None,
        y_valid=None,
        sample_weight_valid=None,
        cv_splits_indices=None,
        validation_size=None,
        n_cross_validations=None,
        y_min=None,
        y_max=None,
        num_classes=None,
        featurization="auto",
        max_cores_per_iteration=1,
        max_concurrent_iterations=1,
        iteration_timeout_minutes=None,
        mem_in_mb=None,
        enforce_time_on_windows=False,
        experiment_timeout_hours=None,
        experiment_exit_score=None,
        enable_early_stopping=True,
        blocked_models=None,
        blacklist_models=None,
        exclude_nan_labels=True,
        verbosity=logging.INFO,
        enable_tf=False,
        model_explainability=True,
        allowed_models=None,
        whitelist_models=None,
        enable_onnx_compatible_models=False,
        enable_voting_ensemble=True,
        enable_stack_ensemble=None,
        debug_log="automl.log",
        training_data=None,
        validation_data=None,
        test_data=None,
        test_size=None,
        label_column_name=None,
        weight_column_name=None,
        cv_split_column_names=None,
        enable_local_managed=False,
        enable_dnn=None,
        forecasting_parameters=None,
        **kwargs,
    ):
        if task not in _TASKS:
            raise invalid_argument("task", task, ", ".join(_TASKS))
        if task != "regression":
            raise ConfigException(f"The emulator runs task='regression' only; task='{task}' needs Azure.")
        primary_metric = primary_metric or SPEARMAN
        if primary_metric not in PRIMARY_METRICS:
            raise invalid_argument("primary_metric", primary_metric, ", ".join(PRIMARY_METRICS))
        training_data, label_column_name = _join_arrays(X, y, training_data, label_column_name, "")
        validation_data, _ = _join_arrays(X_valid, y_valid, validation_data, label_column_name, "_valid")
        if training_data is None:
            raise ConfigException("Missing argument 'training_data': AutoML needs training data.")
        if not label_column_name:
            raise ConfigException("Missing argument 'label_column_name': name the column to predict.")
        minutes = kwargs.pop("experiment_timeout_minutes", None)
        if minutes is not None and experiment_timeout_hours is not None:
            raise ConfigException("Pass experiment_timeout_hours or experiment_timeout_minutes, not both.")
        if minutes is not None:
            _check_range("experiment_timeout_minutes", minutes, 0, integer=False, above=True)
            experiment_timeout_hours = minutes / 60
        if kwargs:
            raise ConfigException(f"Unknown argument(s) to AutoMLConfig: {', '.join(sorted(kwargs))}.")
        _check_range("iterations", iterations, 1)
        _check_range("max_concurrent_iterations", max_concurrent_iterations, 1)
        _check_range("max_cores_per_iteration", max_cores_per_iteration, -1)
        _check_range("n_cross_validations", n_cross_validations, 2)
        # A zero budget would only fail later, with "No iteration completed".
        _check_range("iteration_timeout_minutes", iteration_timeout_minutes, 0, integer=False, above=True)
        _check_range("experiment_timeout_hours", experiment_timeout_hours, 0, integer=False, above=True)
        _check_range("validation_size", validation_size, 0.0, 1.0, integer=False)
        if validation_data is not None and (n_cross_validations or validation_size):
            raise ConfigException(
                "validation_data cannot be combined with n_cross_validations or validation_size."
            )
        if n_cross_validations and validation_size:
            raise ConfigException("n_cross_validations and validation_size cannot both be set.")
        if not (featurization in ("auto", "off") or isinstance(featurization, FeaturizationConfig)):
            raise invalid_argument("featurization", featurization, "auto, off, FeaturizationConfig")
        allowed = self._model_list("allowed_models", allowed_models or whitelist_models)
        blocked = self._model_list("blocked_models", blocked_models or blacklist_models)
        candidates = [m for m in (allowed or FAMILIES) if m not in blocked]
        skipped = [m for m in candidates if m not in FAMILIES]
        if skipped:
            warnings.warn(
                f"The emulator does not train {', '.join(skipped)}; those models are skipped.", stacklevel=2
            )
        self._models = [m for m in FAMILIES if m in candidates]
        if not self._models:
            raise ConfigException("allowed_models and blocked_models leave no model the emulator can train.")
        if enable_stack_ensemble is None:
            # As in the SDK: the stack is off in ONNX-compatible mode.
            enable_stack_ensemble = not enable_onnx_compatible_models
        self._training_data = training_data
        self._validation_data = validation_data
        self._compute_target = compute_target
        self.user_settings: dict[str, Any] = {
            "task_type": task,
            "primary_metric": primary_metric,
            "iterations": iterations or _DEFAULT_ITERATIONS,
            "label_column_name": label_column_name,
            "validation_size": validation_size,
            "n_cross_validations": n_cross_validations,
            "featurization": featurization._to_dict()
            if isinstance(featurization, FeaturizationConfig)
            else featurization,
            "max_cores_per_iteration": max_cores_per_iteration,
            "max_concurrent_iterations": max_concurrent_iterations,
            "iteration_timeout_minutes": iteration_timeout_minutes,
            "experiment_timeout_hours": experiment_timeout_hours,
            "experiment_exit_score": experiment_exit_score,
            "enable_early_stopping": enable_early_stopping,
            "allowed_models": allowed,
            "blocked_models": blocked,
            "enable_onnx_compatible_models": enable_onnx_compatible_models,
            "enable_voting_ensemble": enable_voting_ensemble,
            "enable_stack_ensemble": enable_stack_ensemble,
            "model_explainability": model_explainability,
            "exclude_nan_labels": exclude_nan_labels,
            "verbosity": verbosity,
            "compute_target": getattr(compute_target, "name", compute_target) or "local",
            # Accepted as the SDK accepts them and recorded; local runs do not act on them.
            "path": path,
            "spark_context": None if spark_context is None else type(spark_context).__name__,
            "enforce_time_on_windows": enforce_time_on_windows,
            "mem_in_mb": mem_in_mb,
            "enable_tf": enable_tf,
            "enable_dnn": enable_dnn,
            "debug_log": debug_log,
        }
        self._featurization = featurization

    @staticmethod
    def _model_list(name: str, models) -> list[str]:
        if models is None:
            return []
        models = [models] if isinstance(models, str) else list(models)
        unknown = [m for m in models if m not in SDK_REGRESSION_MODELS]
        if unknown:
            raise invalid_argument(name, unknown, ", ".join(SDK_REGRESSION_MODELS))
        return models

    def as_serializable_dict(self) -> dict[str, Any]:
        """The settings as plain JSON-able values (data sets by name, not by value)."""
        settings = dict(self.user_settings)
        for key in _DATA_KEYS:
            value = getattr(self, f"_{key}")
            if value is not None and key != "compute_target":
                settings[key] = getattr(value, "name", None) or type(value).__name__
        return settings

    def _frames(self) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """Training and validation frames, checked against the label (raises ConfigException)."""
        label = self.user_settings["label_column_name"]
        frames = [_frame(self._training_data, "training_data")]
        if self._validation_data is not None:
            frames.append(_frame(self._validation_data, "validation_data"))
        for role, frame in zip(("training_data", "validation_data"), frames, strict=False):
            if label not in frame.columns:
                raise ConfigException(
                    f"Label column '{label}' was not found in {role}. Columns: {', '.join(map(str, frame.columns))}."
                )
            if not pd.api.types.is_numeric_dtype(frame[label]):
                raise ConfigException(f"Label column '{label}' must be numeric for regression.")
        if frames[0][label].notna().sum() < _MIN_ROWS:
            raise ConfigException(
                f"training_data has fewer than {_MIN_ROWS} rows with a label: too few to train on."
            )
        return frames[0], frames[1] if len(frames) > 1 else None

    def _service_limits(self) -> dict[str, str]:
        """Refuse a budget outside the SDK's range as ``AzureAutoMLSettings`` does at submit;
        returns the run properties of a relaxation that let a shorter budget through."""
        hours = self.user_settings["experiment_timeout_hours"]
        if hours is None or _MIN_TIMEOUT_HOURS <= hours <= _MAX_TIMEOUT_HOURS:
            return {}
        if hours < _MIN_TIMEOUT_HOURS and relax.AUTOML_TIMEOUT in relax.allowed():
            return relax.note(relax.AUTOML_TIMEOUT, f"experiment_timeout_hours={hours:.4g}")
        raise ConfigException(
            "Value for argument [experiment_timeout_hours] is out of range "
            f"(Range: [{_MIN_TIMEOUT_HOURS} - {_MAX_TIMEOUT_HOURS}])."
        )

    def _submit_to(self, experiment, tags=None, show_output=False, **kwargs):
        """Start the experiment as a parent run driven by its own process (``Experiment.submit``)."""
        from emulator.train.automl.run import AutoMLRun

        run = AutoMLRun._start(experiment, self, tags=tags, properties=self._service_limits())
        if show_output:
            run.wait_for_completion(show_output=True)
        return run
