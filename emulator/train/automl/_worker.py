"""The body of one iteration, run in its own process: validate, refit, save.

It reads the featurized arrays from disk (memory-mapped, shared by all iterations), so a task
carries only paths and a pipeline spec. Rows with fold id ``-1`` only ever train; every other fold
id is validated once. With cross-validation the saved model is refit on all rows; with a holdout
it is the model fitted on the training rows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import joblib
import numpy as np
from threadpoolctl import threadpool_limits

from emulator.train.automl.metrics import fold_metrics
from emulator.train.automl.pipeline import PipelineSpec

# Predictions further than this many label ranges outside the label's range mean the fit diverged.
_DIVERGED_RANGES = 10.0


@dataclass(frozen=True)
class IterationTask:
    """Everything an iteration process needs, picklable and small."""

    iteration: int
    spec: PipelineSpec
    data_dir: str
    model_path: str
    predictions_path: str
    n_threads: int
    seed: int
    refit: bool


@dataclass(frozen=True)
class IterationResult:
    """What an iteration sends back: averaged fold metrics and its cost."""

    metrics: dict[str, float]
    fit_seconds: float


def _check_converged(name: str, predicted: np.ndarray, y: np.ndarray) -> None:
    """Refuse predictions a diverged fit makes: non-finite, or far outside the label's range."""
    low, high = float(y.min()), float(y.max())
    margin = _DIVERGED_RANGES * max(high - low, 1e-12)
    if (
        not np.all(np.isfinite(predicted))
        or predicted.min() < low - margin
        or predicted.max() > high + margin
    ):
        raise FloatingPointError(f"{name} predicted values far outside the label's range (the fit diverged)")


def run_iteration(task: IterationTask) -> IterationResult:
    """Fit and score ``task.spec``; writes the model and the out-of-fold predictions."""
    X = np.load(f"{task.data_dir}/X.npy", mmap_mode="r")
    y = np.load(f"{task.data_dir}/y.npy")
    folds = np.load(f"{task.data_dir}/folds.npy")
    predictions = np.full(y.shape, np.nan)
    started = time.perf_counter()
    with threadpool_limits(task.n_threads):
        for fold in np.unique(folds[folds >= 0]):
            train, valid = folds != fold, folds == fold
            model = task.spec.build(task.n_threads, task.seed).fit(X[train], y[train])
            predicted = model.predict(X[valid])
            _check_converged(task.spec.name, predicted, y)
            predictions[valid] = predicted
        if task.refit:
            model = task.spec.build(task.n_threads, task.seed).fit(X, y)
    joblib.dump(model, task.model_path)
    np.save(task.predictions_path, predictions)
    seconds = time.perf_counter() - started
    return IterationResult(fold_metrics(y, predictions, folds, float(y.min()), float(y.max())), seconds)
