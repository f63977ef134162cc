"""The closing iterations: ensembles over the leaderboard, and explanations of the best model.

Both are generators yielding each result as soon as it is computed, so the driver can run them
under the experiment's deadline and keep what was finished when the time ran out.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
from sklearn.inspection import permutation_importance
from sklearn.model_selection import KFold, cross_val_predict

from emulator.train.automl import metrics as M
from emulator.train.automl._paths import MODEL
from emulator.train.automl.ensemble import (
    StackEnsemble,
    VotingEnsemble,
    caruana_selection,
    default_meta_learner,
)

# Ensembles choose among the best few iterations, as the SDK does.
_CANDIDATES = 15
_MIN_STACK_MEMBERS = 3
_EXPLAIN_ROWS = 1_000
_EXPLAIN_REPEATS = 3
_SEED = 42


@dataclass
class EnsembleIteration:
    """A fitted ensemble with its validation predictions (NaN on rows never validated) and scores."""

    name: str
    members: list[int]
    model: object
    predictions: np.ndarray
    scores: dict[str, float]
    seconds: float


def build_ensembles(driver, outcomes) -> Iterator[EnsembleIteration]:
    """VotingEnsemble and StackEnsemble (as enabled) over the best finished iterations."""
    settings = driver.settings
    if len(outcomes) < 2 or not (settings["enable_voting_ensemble"] or settings["enable_stack_ensemble"]):
        return
    started = time.monotonic()
    top = sorted(outcomes, key=lambda o: o.loss)[:_CANDIDATES]
    folds, validated = driver.scheme.folds, driver.scheme.folds >= 0
    candidates = np.vstack([np.load(o.predictions_path)[validated] for o in top])
    y, y_range = driver.y, driver.y_range

    def full(predictions: np.ndarray) -> np.ndarray:
        values = np.full(y.shape, np.nan)
        values[validated] = predictions
        return values

    def loss_of(predictions: np.ndarray) -> float:
        score = M.fold_metrics(y, full(predictions), folds, *y_range, names=(driver.primary,))[driver.primary]
        return M.loss(driver.primary, score)

    def iteration(name: str, chosen: list[int], model, predictions: np.ndarray) -> EnsembleIteration:
        scores = M.fold_metrics(y, full(predictions), folds, *y_range)
        members = [top[i].iteration for i in chosen]
        return EnsembleIteration(name, members, model, full(predictions), scores, time.monotonic() - started)

    def fitted(chosen: list[int]) -> list[tuple[str, object]]:
        return [(f"iteration_{top[i].iteration}", joblib.load(top[i].model_path)) for i in chosen]

    weights = caruana_selection(candidates, loss_of)
    chosen = [i for i, w in enumerate(weights) if w > 0]
    if settings["enable_voting_ensemble"]:
        model = VotingEnsemble._prefitted(fitted(chosen), weights[chosen])
        yield iteration("VotingEnsemble", chosen, model, weights[chosen] @ candidates[chosen])
    if settings["enable_stack_ensemble"]:
        stacked = (
            chosen if len(chosen) >= _MIN_STACK_MEMBERS else list(range(min(len(top), _MIN_STACK_MEMBERS)))
        )
        features = candidates[stacked].T
        # The meta-learner is scored on predictions it did not fit, like any other iteration.
        predicted = cross_val_predict(
            default_meta_learner(), features, y[validated], cv=KFold(3, shuffle=True, random_state=_SEED)
        )
        model = StackEnsemble._prefitted(fitted(stacked), default_meta_learner().fit(features, y[validated]))
        yield iteration("StackEnsemble", stacked, model, predicted)


def feature_importances(child, features, labels) -> Iterator:
    """Permutation importances of ``child``'s model on raw features (one result, the long part)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.pkl"
        child.download_file(MODEL, str(path))
        model = joblib.load(path)
    rows = np.random.default_rng(_SEED).permutation(len(features))[:_EXPLAIN_ROWS]
    yield permutation_importance(
        model, features.iloc[rows], labels[rows], n_repeats=_EXPLAIN_REPEATS, random_state=_SEED,
        scoring="neg_mean_absolute_error",
    )  # fmt: skip


def explain(child, result, features) -> None:
    """Log permutation importances on ``child``: a table and a bar plot."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    order = np.argsort(result.importances_mean)[::-1]
    names = [str(features.columns[i]) for i in order]
    child.log_table(
        "feature_importance",
        {
            "feature": names,
            "importance_mean": [float(result.importances_mean[i]) for i in order],
            "importance_std": [float(result.importances_std[i]) for i in order],
        },
    )
    figure, axes = plt.subplots(figsize=(7, 4))
    axes.barh(names[::-1], result.importances_mean[order][::-1], xerr=result.importances_std[order][::-1])
    axes.set_xlabel("Increase of mean absolute error when the feature is shuffled")
    figure.tight_layout()
    child.log_image("feature_importance_plot", plot=figure)
    plt.close(figure)
