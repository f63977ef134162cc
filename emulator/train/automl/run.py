"""``AutoMLRun``: the parent run of an AutoML experiment, its best model and its reports."""

from __future__ import annotations

import io
import json
import logging
import tempfile
import uuid
from importlib import metadata
from pathlib import Path

import joblib
import onnx
import pandas as pd

from emulator import relax
from emulator.core._launch import _child_environment, start_run_process
from emulator.core.run import Run
from emulator.exceptions import UserErrorException
from emulator.train.automl._paths import GUARDRAILS, INPUTS, MODEL, ONNX_MODEL
from emulator.train.automl.exceptions import ConfigException
from emulator.train.automl.metrics import SCALAR_METRICS, is_maximized

_SETTINGS_PROPERTY = "AMLSettingsJsonString"
_DEPENDENCIES_PROPERTY = "dependencies_versions"
# What an iteration's fit and ONNX copy depend on: the emulator's stand-in for the AutoML SDK packages.
_DEPENDENCIES = ("joblib", "lightgbm", "numpy", "onnx", "onnxruntime", "pandas", "scikit-learn", "skl2onnx")
_NO_ONNX = "Requested an ONNX compatible model but the run has ONNX compatibility disabled."


class AutoMLRun(Run):
    """An AutoML experiment's parent run; its children are the iterations."""

    def __init__(self, experiment, run_id, **kwargs):
        super().__init__(experiment, run_id, **kwargs)
        self.model_id = None

    # -- starting
    @classmethod
    def _start(cls, experiment, config, tags=None, properties=None, run_id=None) -> AutoMLRun:
        """Create the parent run (``run_id``: a v2 job's name), stage its inputs, start its driver."""
        training, validation = config._frames()
        settings = config.as_serializable_dict()
        allowed = relax.allowed()
        if relax.FIRST_ITERATION_GRACE in allowed:
            properties = relax.note(
                relax.FIRST_ITERATION_GRACE,
                "the first iteration may finish past experiment_timeout",
                properties,
            )
        run = cls._create(
            experiment,
            run_type="automl",
            run_id=run_id or f"AutoML_{uuid.uuid4()}",
            status="NotStarted",
            tags=tags,
            properties={
                _SETTINGS_PROPERTY: json.dumps(settings),
                "primary_metric": settings["primary_metric"],
                _DEPENDENCIES_PROPERTY: json.dumps(_installed_versions()),
                **(properties or {}),
            },
            details={"target": settings["compute_target"]},
        )
        inputs = {
            "settings": config.user_settings,
            "models": config._models,
            "featurization": config._featurization,
            "training": training,
            "validation": validation,
            "relaxations": tuple(sorted(allowed)),
        }
        buffer = io.BytesIO()
        joblib.dump(inputs, buffer)
        buffer.seek(0)
        run.upload_file(INPUTS, buffer)
        run._launch_driver()
        return run

    def _launch_driver(self) -> None:
        env = _child_environment(self.experiment.workspace, self, {"gpu": False}, {})
        start_run_process(self, ["-m", "emulator.train.automl._driver"], env=env)

    # -- settings
    @property
    def _settings(self) -> dict:
        return json.loads(self.get_properties().get(_SETTINGS_PROPERTY, "{}"))

    @property
    def primary_metric(self) -> str:
        return self._settings.get("primary_metric")

    # -- children and models
    def _scored_children(self, metric: str) -> list[tuple[float, Run]]:
        scored = []
        for child in self.get_children():
            value = child.get_metrics(name=metric).get(metric)
            if child.get_status() == "Completed" and isinstance(value, int | float):
                scored.append((value, child))
        scored.sort(key=lambda pair: pair[0], reverse=is_maximized(metric))
        return scored

    def get_best_child(self, metric=None, onnx_compatible=False, **kwargs):
        """The completed child with the best value of ``metric`` (default: the primary metric);
        with ``onnx_compatible``, the best one that has ``outputs/model.onnx``."""
        metric = metric or self.primary_metric
        if metric not in SCALAR_METRICS:
            raise ConfigException(
                f"Invalid argument(s) 'metric' specified. Supported value(s): '{', '.join(SCALAR_METRICS)}'."
            )
        if onnx_compatible and not self._settings.get("enable_onnx_compatible_models"):
            raise ConfigException(_NO_ONNX)
        scored = self._scored_children(metric)
        if not scored:
            raise UserErrorException(f"Run {self.id} has no completed iteration with metric '{metric}'.")
        if onnx_compatible:
            # The iterations whose ONNX copy was written (outputs/model.onnx), as Azure keeps them.
            scored = [(value, child) for value, child in scored if ONNX_MODEL in child.get_file_names()]
            if not scored:
                raise UserErrorException(
                    f"Run {self.id} has no completed iteration with an ONNX model ({ONNX_MODEL})."
                )
        return scored[0][1]

    def _child_by_iteration(self, iteration: int) -> Run:
        for child in self.get_children():
            if child.get_properties().get("iteration") == str(iteration):
                return child
        raise UserErrorException(f"Run {self.id} has no iteration {iteration}.")

    def get_output(
        self, iteration=None, metric=None, return_onnx_model=False, return_split_onnx_model=None, **kwargs
    ):
        """(child run, fitted model) of the best iteration, or of ``iteration``, or best by ``metric``.

        The model takes the raw feature DataFrame and predicts the label. ``return_onnx_model``
        returns its ONNX form, which needs ``enable_onnx_compatible_models=True``.
        """
        if iteration is not None and metric is not None:
            raise ConfigException("get_output takes either iteration or metric, not both.")
        if return_onnx_model and not self._settings.get("enable_onnx_compatible_models"):
            raise ConfigException(_NO_ONNX)
        child = (
            self._child_by_iteration(iteration)
            if iteration is not None
            else self.get_best_child(metric, onnx_compatible=return_onnx_model)
        )
        with tempfile.TemporaryDirectory() as folder:
            # As the SDK's _download_automl_onnx_model: the ONNX copy the run wrote, not a new conversion.
            path = Path(folder) / ("model.onnx" if return_onnx_model else "model.pkl")
            child.download_file(ONNX_MODEL if return_onnx_model else MODEL, str(path))
            model = onnx.load_model(str(path)) if return_onnx_model else joblib.load(path)
        return child, model

    def register_model(self, model_name=None, description=None, tags=None, iteration=None, metric=None):
        """Register the best (or chosen) iteration's model; sets ``model_id``."""
        child, _ = self.get_output(iteration=iteration, metric=metric)
        name = model_name or self.id.replace("_", "").replace("-", "")[:32]
        model = child.register_model(name, model_path=MODEL, tags=tags, description=description)
        self.model_id = model.name
        return model

    # -- reports
    def get_guardrails(self, to_console=True):
        """The data guardrails (Passed / Done / Alerted) as a dict; printed as a table by default."""
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "guardrails.json"
            self.download_file(GUARDRAILS, str(path))
            guardrails = json.loads(path.read_text())
        if to_console:
            print(pd.DataFrame(guardrails).to_string(index=False))
        return {"faults": guardrails}

    def summary(self):
        """Per algorithm: how many iterations ran and the best primary metric, as a DataFrame."""
        metric = self.primary_metric
        rows = {}
        for value, child in self._scored_children(metric):
            name = child.get_properties().get("run_algorithm", child.display_name)
            count, best = rows.get(name, (0, value))
            rows[name] = (count + 1, best)
        return pd.DataFrame(
            [(name, count, best) for name, (count, best) in rows.items()],
            columns=["Pipeline Name", "Iterations", f"Best {metric}"],
        )

    def cancel_iteration(self, iteration):
        """Stop one running iteration; the driver kills its process."""
        child = self._child_by_iteration(iteration)
        child._set_status("CancelRequested")

    def wait_for_completion(self, show_output=False, wait_post_processing=False):
        """Block until the experiment ends; ``show_output`` streams the live leaderboard."""
        return super().wait_for_completion(show_output=show_output)

    def get_run_sdk_dependencies(self, iteration=None, check_versions=True, **kwargs):
        """{package: version} the run (or ``iteration``, which ran in the same environment) was
        made with; ``check_versions`` logs a warning for each that differs here."""
        if iteration is not None:
            if iteration < 0:
                raise ConfigException(f"Argument [iteration] is out of range (min 0, max 1000): {iteration}")
            self._child_by_iteration(iteration)
        recorded = self.get_properties().get(_DEPENDENCIES_PROPERTY)
        if recorded is None:
            logging.warning("No dependencies information found in the RunHistory.")
            return {}
        dependencies = json.loads(recorded)
        if check_versions:
            here = _installed_versions()
            for name, version in sorted(dependencies.items()):
                if here.get(name) != version:
                    logging.warning(f"{name}: the run used {version}, this environment has {here.get(name)}")
        return dependencies

    def retry(self):
        """Not implemented, as in the SDK."""
        raise NotImplementedError

    # The SDK's AutoMLRun declares these with **kwargs.
    def complete(self, **kwargs):
        super().complete(_set_status=kwargs.get("_set_status", True))

    def fail(self, error_details=None, error_code=None, _set_status=True, **kwargs):
        super().fail(error_details=error_details, error_code=error_code, _set_status=_set_status)


def _installed_versions() -> dict[str, str]:
    versions = {}
    for name in _DEPENDENCIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


__all__ = ["AutoMLRun"]


Run.add_type_provider("automl", AutoMLRun)
