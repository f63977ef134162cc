"""Reading trials' primary-metric curves from the workspace store."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence


def metric_curves(store, run_ids: Iterable[str], metric: str) -> dict[str, list[float]]:
    """{run_id: values of ``metric`` in logging order}; non-numeric and NaN values are skipped."""
    ids = list(run_ids)
    curves: dict[str, list[float]] = {run_id: [] for run_id in ids}
    if not ids:
        return curves
    for row in store.get_metrics(ids, metric):
        value = row["value"]
        if row["kind"] != "scalar" or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if not math.isnan(value):
            curves[row["run_id"]].append(float(value))
    return curves


def best_value(curve: Sequence[float], goal: str) -> float | None:
    """The best value of a curve for ``goal`` ("maximize"/"minimize"), None if it is empty."""
    if not curve:
        return None
    return max(curve) if goal == "maximize" else min(curve)
