"""The final iterations: VotingEnsemble (Caruana ensemble selection) and StackEnsemble.

Both are real scikit-learn estimators: they clone, pickle and refit like the classes they extend.
AutoML builds them from members it has already fitted (the SDK's pre-fitted ensembles), choosing
members and weights from the iterations' out-of-fold predictions:

* :func:`caruana_selection` adds, with replacement, the member that most lowers the ensemble's
  validation loss, and keeps the best prefix, so the ensemble is never worse on validation than
  the best single member;
* the stack's meta-learner is an ElasticNet (with cross-validated strength) over the members'
  predictions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from sklearn.ensemble import StackingRegressor, VotingRegressor
from sklearn.linear_model import ElasticNetCV

#: Rounds of selection, as the SDK's ``ensemble_iterations`` default.
ENSEMBLE_ITERATIONS = 15
_META_L1_RATIOS = (0.1, 0.5, 0.9, 1.0)


def caruana_selection(
    predictions: np.ndarray, loss: Callable[[np.ndarray], float], rounds: int = ENSEMBLE_ITERATIONS
) -> np.ndarray:
    """Weights over the rows of ``predictions`` (members x samples) chosen by greedy selection.

    Each round adds one member (repeats allowed) to a running average; the weights are the
    member counts of the best round, normalised to sum to one.
    """
    predictions = np.asarray(predictions, dtype=float)
    counts = np.zeros(len(predictions))
    best_counts, best_loss = counts, np.inf
    total = np.zeros(predictions.shape[1])
    for size in range(1, rounds + 1):
        losses = [loss((total + member) / size) for member in predictions]
        chosen = int(np.argmin(losses))
        counts = counts.copy()
        counts[chosen] += 1
        total += predictions[chosen]
        if losses[chosen] < best_loss:
            best_counts, best_loss = counts, losses[chosen]
    return best_counts / best_counts.sum()


def default_meta_learner() -> ElasticNetCV:
    """The StackEnsemble meta-learner: an ElasticNet whose penalty is chosen by 3-fold CV."""
    return ElasticNetCV(l1_ratio=list(_META_L1_RATIOS), cv=3, max_iter=5000)


class VotingEnsemble(VotingRegressor):
    """A weighted average of regressors (the SDK's VotingEnsemble iteration)."""

    def __init__(self, estimators, *, weights=None, n_jobs=None, verbose=False):
        super().__init__(estimators, weights=weights, n_jobs=n_jobs, verbose=verbose)

    @classmethod
    def _prefitted(cls, members: Sequence[tuple[str, object]], weights: Sequence[float]) -> VotingEnsemble:
        """An ensemble over already fitted ``members``; nothing is refitted."""
        ensemble = cls(list(members), weights=np.asarray(weights, dtype=float))
        ensemble.estimators_ = [estimator for _, estimator in members]
        ensemble.named_estimators_ = dict(members)
        return ensemble


class StackEnsemble(StackingRegressor):
    """Regressors whose predictions feed an ElasticNet meta-learner (the SDK's StackEnsemble)."""

    def _validate_final_estimator(self):
        self._clone_final_estimator(default=default_meta_learner())

    @classmethod
    def _prefitted(cls, members: Sequence[tuple[str, object]], meta_learner) -> StackEnsemble:
        """A stack over already fitted ``members`` and a meta-learner fitted on their predictions."""
        ensemble = cls(list(members), final_estimator=meta_learner)
        ensemble.estimators_ = [estimator for _, estimator in members]
        ensemble.named_estimators_ = dict(members)
        ensemble.final_estimator_ = meta_learner
        ensemble.stack_method_ = ["predict"] * len(members)
        return ensemble
