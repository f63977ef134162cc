"""How iterations are validated: the SDK's rules, expressed as one fold id per row.

Fold id ``-1`` marks rows that only train; every other id is a validation fold. Without explicit
settings the SDK cross-validates below 20,000 rows (10 folds under 1,000 rows, 3 above) and holds
out 10 % of larger data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import KFold

_SMALL_ROWS = 1_000
_CV_ROWS = 20_000
_HOLDOUT_SHARE = 0.1


@dataclass(frozen=True)
class ValidationScheme:
    """Fold ids per row, whether models are refit on all rows, and a sentence for the guardrail."""

    folds: np.ndarray
    refit: bool
    description: str


def _cross_validation(n_rows: int, k: int, seed: int) -> ValidationScheme:
    folds = np.empty(n_rows, dtype=np.int64)
    for fold, (_, valid) in enumerate(KFold(k, shuffle=True, random_state=seed).split(np.arange(n_rows))):
        folds[valid] = fold
    return ValidationScheme(folds, True, f"{k}-fold cross-validation on {n_rows} training rows.")


def _holdout(n_rows: int, share: float, seed: int) -> ValidationScheme:
    folds = np.full(n_rows, -1, dtype=np.int64)
    picked = np.random.default_rng(seed).permutation(n_rows)[: max(1, round(share * n_rows))]
    folds[picked] = 0
    return ValidationScheme(folds, False, f"Train-validation split: {share:.0%} of {n_rows} rows held out.")


def choose_scheme(
    n_train: int, n_valid: int, n_cross_validations: int | None, validation_size: float | None, seed: int
) -> ValidationScheme:
    """The scheme for ``n_train`` training rows followed by ``n_valid`` explicit validation rows."""
    if n_valid:
        folds = np.concatenate([np.full(n_train, -1), np.zeros(n_valid)]).astype(np.int64)
        return ValidationScheme(folds, False, f"Validation data provided: {n_valid} rows.")
    if n_cross_validations:
        return _cross_validation(n_train, n_cross_validations, seed)
    if validation_size:
        return _holdout(n_train, validation_size, seed)
    if n_train < _SMALL_ROWS:
        return _cross_validation(n_train, 10, seed)
    if n_train < _CV_ROWS:
        return _cross_validation(n_train, 3, seed)
    return _holdout(n_train, _HOLDOUT_SHARE, seed)
