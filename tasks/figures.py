"""The report's figures: PNG images a person sees in the Prefect UI and finds with the runs.

Each figure is returned as PNG bytes in a :class:`Figure`; its ``markdown()`` embeds the image as a
data URI, which the Prefect UI's artifact page renders offline (a path on the worker's disk would show
nothing to a person looking at the UI from elsewhere). Plots compared side by side share their axes.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_DPI = 80


@dataclass(frozen=True)
class Figure:
    """One rendered figure: a file name stem, a title (no quotes: the UI shows them escaped) and the PNG."""

    name: str
    title: str
    png: bytes

    def markdown(self) -> str:
        encoded = base64.b64encode(self.png).decode("ascii")
        return f"![{self.title}](data:image/png;base64,{encoded})"

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.name}.png"
        path.write_bytes(self.png)
        return path


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _render(fig, name: str, title: str) -> Figure:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=_DPI)
    _pyplot().close(fig)
    return Figure(name, title, buffer.getvalue())


def _mae(y_true: np.ndarray, pred: np.ndarray) -> float:
    return float(np.mean(np.abs(y_true - pred)))


def predicted_vs_true(y_true, predictions: Mapping[str, np.ndarray]) -> Figure:
    """Predicted against true price, one panel per contestant on shared axes, titled with its test MAE.

    Args:
        y_true: the test split's prices.
        predictions: each contestant's predictions by name.

    Returns:
        The figure.
    """
    plt = _pyplot()
    y_true = np.asarray(y_true, dtype=float)
    fig, axes = plt.subplots(
        1, len(predictions), figsize=(5 * len(predictions), 4.5), squeeze=False, sharex=True, sharey=True
    )
    low, high = float(y_true.min()), float(y_true.max())
    for ax, (name, pred) in zip(axes[0], predictions.items(), strict=True):
        pred = np.asarray(pred, dtype=float).ravel()
        ax.scatter(y_true, pred, s=3, alpha=0.3)
        ax.plot([low, high], [low, high], color="black", lw=1)
        ax.set_title(f"{name}: test MAE ${_mae(y_true, pred):,.0f}")
        ax.set_xlabel("true price ($)")
    axes[0][0].set_ylabel("predicted price ($)")
    return _render(fig, "predicted_vs_true", "Predicted vs true price on the test split")


def residuals(y_true, predictions: Mapping[str, np.ndarray]) -> Figure:
    """Residual (predicted minus true) against true price, one panel per contestant on shared axes.

    Args:
        y_true: the test split's prices.
        predictions: each contestant's predictions by name.

    Returns:
        The figure.
    """
    plt = _pyplot()
    y_true = np.asarray(y_true, dtype=float)
    fig, axes = plt.subplots(
        1, len(predictions), figsize=(5 * len(predictions), 4), squeeze=False, sharex=True, sharey=True
    )
    for ax, (name, pred) in zip(axes[0], predictions.items(), strict=True):
        pred = np.asarray(pred, dtype=float).ravel()
        ax.scatter(y_true, pred - y_true, s=3, alpha=0.3)
        ax.axhline(0.0, color="black", lw=1)
        ax.set_title(f"{name}: residuals (MAE ${_mae(y_true, pred):,.0f})")
        ax.set_xlabel("true price ($)")
    axes[0][0].set_ylabel("predicted - true ($)")
    return _render(fig, "residuals", "Residuals on the test split")


def trial_curves(curves: Mapping[str, Sequence[float]], best: str | None = None) -> Figure:
    """Each HyperDrive trial's validation MAE per epoch; the best trial drawn bold.

    Args:
        curves: each trial's validation MAE per epoch, by trial id.
        best: the best trial's id, if known.

    Returns:
        The figure.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for run_id, values in curves.items():
        is_best = run_id == best
        label = run_id.rsplit("_", 1)[-1]
        ax.plot(
            range(1, len(values) + 1),
            values,
            lw=2.5 if is_best else 1,
            alpha=1.0 if is_best else 0.6,
            label=f"trial {label}{' (best)' if is_best else ''}",
        )
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation MAE ($)")
    ax.set_title(f"HyperDrive: validation MAE of {len(curves)} trials")
    if curves:
        ax.legend(fontsize=7, ncol=2)
    return _render(fig, "hyperdrive_trials", "HyperDrive trial validation curves")


def leaderboard(rows: Sequence[tuple[str, float]]) -> Figure:
    """AutoML's iterations by primary metric (lower is better), best on top.

    Args:
        rows: (iteration, primary metric) of each AutoML child.

    Returns:
        The figure.
    """
    plt = _pyplot()
    ordered = sorted(rows, key=lambda row: row[1])
    fig, ax = plt.subplots(figsize=(7, 0.35 * max(len(ordered), 3) + 1.2))
    labels = [label for label, _ in ordered][::-1]
    values = [value for _, value in ordered][::-1]
    ax.barh(
        range(len(values)),
        values,
        color=["tab:orange" if i == len(values) - 1 else "tab:blue" for i in range(len(values))],
    )
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlabel("normalized mean absolute error (validation)")
    ax.set_title(f"AutoML leaderboard: {len(ordered)} iterations")
    return _render(fig, "automl_leaderboard", "AutoML leaderboard")


def nightly_trend(nights: Sequence[Mapping[str, object]], series: Sequence[str]) -> Figure:
    """Each night's test MAE per contestant and the champion's, over time (one row per night).

    Args:
        nights: one row per night (``tasks.trend.nights``).
        series: the columns to draw.

    Returns:
        The figure.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    dates = [night["night"] for night in nights]
    for name in series:
        values = [night.get(name) for night in nights]
        points = [(d, v) for d, v in zip(dates, values, strict=True) if v is not None]
        if points:
            ax.plot(
                [d for d, _ in points],
                [v for _, v in points],
                marker="o",
                lw=2.5 if name == "champion" else 1,
                label=name,
            )
    ax.set_ylabel("test MAE ($)")
    ax.set_title(f"Nightly trend: {len(nights)} night(s)")
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    if nights:
        ax.legend(fontsize=8)
    return _render(fig, "nightly_trend", "Nightly trend of test MAE")
