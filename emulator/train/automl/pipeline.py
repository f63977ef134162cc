"""One iteration's pipeline: an optional scaler and an algorithm, named as the SDK names it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sklearn.pipeline import Pipeline

from emulator.train.automl.models import FAMILIES
from emulator.train.automl.models.scalers import SCALERS
from emulator.train.automl.target import LabelTransformRegressor

#: The step name of the shared featurizer at the head of every returned model, as in the SDK.
FEATURIZER_STEP = "datatransformer"


@dataclass(frozen=True)
class PipelineSpec:
    """A scaler (or none) plus an algorithm and its hyperparameters, on a log label if ``log_label``."""

    algorithm: str
    scaler: str | None
    params: dict[str, Any] = field(default_factory=dict, hash=False)
    log_label: bool = False

    @property
    def name(self) -> str:
        """The child run's name, e.g. ``MaxAbsScaler, LightGBM``."""
        return f"{self.scaler}, {self.algorithm}" if self.scaler else self.algorithm

    def build(self, n_threads: int, seed: int) -> Pipeline:
        """The unfitted model part (everything after the featurizer)."""
        family = FAMILIES[self.algorithm]
        estimator = family.build(self.params, n_threads, seed)
        if self.log_label or family.standardize_label:
            estimator = LabelTransformRegressor(
                estimator, log=self.log_label, standardize=family.standardize_label
            )
        steps = [(self.scaler, SCALERS[self.scaler]())] if self.scaler else []
        return Pipeline([*steps, (self.algorithm, estimator)])

    def as_dict(self) -> dict[str, Any]:
        return {
            "algorithm": self.algorithm,
            "scaler": self.scaler,
            "params": self.params,
            "log_label": self.log_label,
        }


def with_featurizer(featurizer, model: Pipeline | Any, name: str | None = None) -> Pipeline:
    """The deployable model: the fitted featurizer followed by a fitted model part or ensemble."""
    tail = model.steps if isinstance(model, Pipeline) else [(name or type(model).__name__, model)]
    return Pipeline([(FEATURIZER_STEP, featurizer), *tail])
