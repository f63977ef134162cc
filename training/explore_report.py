"""What an exploration run logs about a fitted model: metrics, a table by price band, images, importance.

Everything goes through the plain SDK v1 ``Run`` API (``log``, ``log_list``, ``log_table``,
``log_image``), so the same calls land in Azure ML's run page or in the emulator's store.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance
from sklearn.metrics import mean_absolute_error, mean_absolute_percentage_error, mean_squared_error, r2_score

# Price bands of the districts, in dollars; the public file caps prices at 500,001.
BANDS = (0, 100_000, 200_000, 300_000, 400_000, 500_000, np.inf)
BAND_TABLE_COLUMNS = ("band", "districts", "MAE", "MAPE", "bias")
IMPORTANCE_TABLE_COLUMNS = ("feature", "importance", "std")


def regression_metrics(y_true, predicted) -> dict[str, float]:
    """MAE, RMSE and MAPE in the price's units (MAPE as a fraction) and R²."""
    return {
        "MAE": float(mean_absolute_error(y_true, predicted)),
        "RMSE": float(np.sqrt(mean_squared_error(y_true, predicted))),
        "R2": float(r2_score(y_true, predicted)),
        "MAPE": float(mean_absolute_percentage_error(y_true, predicted)),
    }


def band_table(y_true, predicted) -> dict[str, list]:
    """Errors per price band of the true value: the log_table form (a dict of column lists)."""
    y_true, predicted = np.asarray(y_true, dtype=float), np.asarray(predicted, dtype=float)
    table: dict[str, list] = {column: [] for column in BAND_TABLE_COLUMNS}
    for low, high in zip(BANDS[:-1], BANDS[1:], strict=True):
        inside = (y_true >= low) & (y_true < high)
        if not inside.any():
            continue
        error = predicted[inside] - y_true[inside]
        table["band"].append(
            f"{low / 1000:.0f}k+" if np.isinf(high) else f"{low / 1000:.0f}k-{high / 1000:.0f}k"
        )
        table["districts"].append(int(inside.sum()))
        table["MAE"].append(float(np.abs(error).mean()))
        table["MAPE"].append(float((np.abs(error) / y_true[inside]).mean()))
        table["bias"].append(float(error.mean()))
    return table


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(draw) -> bytes:
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(5.5, 4.5))
    draw(axis)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def _log_png(run, name: str, png: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.png"
        path.write_bytes(png)
        run.log_image(name, path=str(path))


@dataclass(frozen=True)
class Evaluation:
    """A model's judgement on the test split, computed where it was fitted (a worker process) and
    logged by the run's process: metrics, error percentiles, the band table and rendered images."""

    metrics: dict[str, float]
    percentiles: list[float]
    bands: dict[str, list]
    images: dict[str, bytes] = field(repr=False)
    fit_seconds: float | None = None


def evaluate(X_test: pd.DataFrame, y_test, predicted, fit_seconds: float | None = None) -> Evaluation:
    """Metrics, percentiles of the absolute error, the band table and three PNG images."""
    y_test, predicted = np.asarray(y_test, dtype=float), np.asarray(predicted, dtype=float)
    metrics = regression_metrics(y_test, predicted)
    errors = np.abs(predicted - y_test)

    def versus(axis):
        axis.scatter(y_test, predicted, s=4, alpha=0.4)
        top = max(y_test.max(), predicted.max())
        axis.plot([0, top], [0, top], color="black", lw=1)
        axis.set(xlabel="true price ($)", ylabel="predicted price ($)", title=f"MAE {metrics['MAE']:,.0f}")

    def residuals(axis):
        axis.scatter(predicted, predicted - y_test, s=4, alpha=0.4)
        axis.axhline(0, color="black", lw=1)
        axis.set(xlabel="predicted price ($)", ylabel="residual ($)", title="residuals")

    def error_map(axis):
        points = axis.scatter(X_test["longitude"], X_test["latitude"], c=errors, s=5, cmap="viridis")
        axis.figure.colorbar(points, ax=axis, label="absolute error ($)")
        axis.set(xlabel="longitude", ylabel="latitude", title="errors by location")

    return Evaluation(
        metrics=metrics,
        percentiles=[float(np.percentile(errors, q)) for q in (10, 25, 50, 75, 90)],
        bands=band_table(y_test, predicted),
        images={
            "predicted_vs_true": _png(versus),
            "residuals": _png(residuals),
            "error_map": _png(error_map),
        },
        fit_seconds=fit_seconds,
    )


def log_evaluation(run, evaluation: Evaluation) -> dict[str, float]:
    """Log an evaluation on ``run`` (scalars, ``abs_error_percentiles``, ``errors_by_price_band``,
    images); returns its metrics."""
    for name, value in evaluation.metrics.items():
        run.log(name, value)
    if evaluation.fit_seconds is not None:
        run.log("fit_seconds", evaluation.fit_seconds)
    run.log_list("abs_error_percentiles", evaluation.percentiles)
    run.log_table("errors_by_price_band", evaluation.bands)
    for name, png in evaluation.images.items():
        _log_png(run, name, png)
    return evaluation.metrics


def log_importance(
    run, model, X_test: pd.DataFrame, y_test, seed: int = 42, repeats: int = 3
) -> dict[str, list]:
    """Global feature importance of ``model`` by permutation on the test split (rise in MAE when a
    column is shuffled), logged as the ``feature_importance`` table and image; returns the table."""
    result = permutation_importance(
        model, X_test, y_test, scoring="neg_mean_absolute_error", n_repeats=repeats, random_state=seed
    )
    order = np.argsort(result.importances_mean)[::-1]
    table = {
        "feature": [str(X_test.columns[i]) for i in order],
        "importance": [float(result.importances_mean[i]) for i in order],
        "std": [float(result.importances_std[i]) for i in order],
    }
    run.log_table("feature_importance", table)

    def bars(axis):
        axis.barh(table["feature"][::-1], table["importance"][::-1], xerr=table["std"][::-1])
        axis.set(xlabel="MAE increase when shuffled ($)", title="permutation importance (test split)")

    _log_png(run, "feature_importance_plot", _png(bars))
    return table


def log_comparison(run, results: dict[str, dict[str, float]]) -> dict[str, list]:
    """The parent's table and chart of every model's test metrics, best MAE first; returns the table."""
    names = sorted(results, key=lambda name: results[name]["MAE"])
    table = {
        "model": names,
        **{metric: [results[n][metric] for n in names] for metric in ("MAE", "RMSE", "R2", "MAPE")},
    }
    run.log_table("model_comparison", table)

    def bars(axis):
        axis.barh(names[::-1], table["MAE"][::-1])
        axis.set(xlabel="test MAE ($)", title="models compared")

    _log_png(run, "model_comparison_plot", _png(bars))
    return table
