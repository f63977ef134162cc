"""Judge the contestants on the shared test split, with a paired bootstrap as evidence.

A contestant's score is computed here, from its native model's predictions on the test rows, not
taken from what its training job logged: both sides are measured by the same code on the same
fingerprinted rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np


@dataclass(frozen=True)
class TestScore:
    """A contestant's metrics on the test split, in dollars."""

    name: str
    algorithm: str
    run_id: str
    mae: float
    rmse: float
    r2: float
    split_fingerprint: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Verdict:
    """Who won, by how much, and how sure we are (a 95 % bootstrap interval of the MAE gap)."""

    winner: TestScore
    loser: TestScore
    mae_gap: float
    gap_low: float
    gap_high: float
    bootstrap_rounds: int
    notes: list[str] = field(default_factory=list)

    @property
    def decisive(self) -> bool:
        """True when the whole interval favours the winner."""
        return self.gap_low > 0


def score(name: str, algorithm: str, run_id: str, y_true, y_pred, split_fingerprint: str) -> TestScore:
    """A contestant's metrics on the test split.

    Args:
        name: the contestant (AutoML or HyperDrive).
        algorithm: its model's algorithm.
        run_id: the run that trained it.
        y_true: the test split's prices.
        y_pred: its predictions of them.
        split_fingerprint: the test split's fingerprint.

    Returns:
        MAE, RMSE and R2 in dollars, with where they came from.
    """
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{name}: {y_pred.shape[0]} predictions for {y_true.shape[0]} test rows")
    if not np.isfinite(y_pred).all():
        raise ValueError(f"{name}: {int((~np.isfinite(y_pred)).sum())} predictions are NaN or infinite")
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score  # loaded when judging

    return TestScore(
        name=name,
        algorithm=algorithm,
        run_id=run_id,
        mae=float(mean_absolute_error(y_true, y_pred)),
        rmse=float(np.sqrt(mean_squared_error(y_true, y_pred))),
        r2=float(r2_score(y_true, y_pred)),
        split_fingerprint=split_fingerprint,
    )


def judge(
    a: TestScore, a_pred, b: TestScore, b_pred, y_true, *, rounds: int = 2000, seed: int = 0
) -> Verdict:
    """Pick the lower test MAE; bootstrap the paired per-row error gap for its interval.

    Args:
        a: one contestant's score.
        a_pred: its predictions.
        b: the other's score.
        b_pred: its predictions.
        y_true: the test split's prices.
        rounds: bootstrap resamples.
        seed: the resampling seed.

    Returns:
        The winner, the gap and its 95 % interval.
    """
    if a.split_fingerprint != b.split_fingerprint:
        raise ValueError(
            f"contestants were scored on different test rows: {a.name} on {a.split_fingerprint}, "
            f"{b.name} on {b.split_fingerprint}"
        )
    y_true = np.asarray(y_true, dtype=float)
    err_a = np.abs(y_true - np.asarray(a_pred, dtype=float).ravel())
    err_b = np.abs(y_true - np.asarray(b_pred, dtype=float).ravel())
    winner, loser, gap_rows = (a, b, err_b - err_a) if a.mae <= b.mae else (b, a, err_a - err_b)
    rng = np.random.default_rng(seed)
    samples = rng.integers(0, len(gap_rows), size=(rounds, len(gap_rows)))
    gaps = gap_rows[samples].mean(axis=1)
    low, high = np.percentile(gaps, [2.5, 97.5])
    verdict = Verdict(winner, loser, float(gap_rows.mean()), float(low), float(high), rounds)
    if not verdict.decisive:
        verdict.notes.append("the 95 % interval of the MAE gap includes zero: the win is not decisive")
    return verdict
