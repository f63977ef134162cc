"""The parity gate: an exported graph must predict what its native model predicts.

Every row of the given frame is scored twice, by the native model (float64) and by onnxruntime
(float32), and compared under the tolerance of the model's family
(:data:`onnx_export.families.TOLERANCES`): the share of rows beyond the row tolerance is capped, and
so is the size of every row's error, so a graph that is badly wrong on a few rows fails too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import pandas as pd

from onnx_export.export import layout_of
from onnx_export.families import TOLERANCES, Tolerance, family_of
from training.onnx_layout import OnnxLayout, predict
from training.schema import FEATURE_COLUMNS

_WORST_ROWS = 5


class ParityError(ValueError):
    """The ONNX graph disagrees with the native model beyond tolerance; ``report`` holds the figures."""

    def __init__(self, report: ParityReport):
        self.report = report
        super().__init__(report.describe())


@dataclass(frozen=True)
class WorstRow:
    """One row where the two predictions differ most; ``row`` is the frame's index label."""

    row: Any
    native: float
    onnx: float
    abs_error: float


@dataclass(frozen=True)
class ParityReport:
    """How far the ONNX predictions are from the native ones, in dollars and relative terms."""

    family: str
    n_rows: int
    max_abs_error: float
    max_rel_error: float
    share_beyond_tolerance: float
    tolerance: Tolerance
    worst_rows: tuple[WorstRow, ...]
    rows_beyond_bound: int = 0

    @property
    def passed(self) -> bool:
        return self.share_beyond_tolerance <= self.tolerance.max_share and self.rows_beyond_bound == 0

    def as_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready) for passing between tasks and storing in a registry."""
        return {**asdict(self), "worst_rows": [asdict(row) for row in self.worst_rows], "passed": self.passed}

    def describe(self) -> str:
        verdict = "passed" if self.passed else "FAILED"
        tol = self.tolerance
        lines = [
            f"ONNX parity {verdict} for family '{self.family}' on {self.n_rows} rows: "
            f"max abs error {self.max_abs_error:.4g} dollars, max rel error {self.max_rel_error:.3g}, "
            f"{self.share_beyond_tolerance:.2%} of rows beyond {tol.abs_dollars:g} dollars + {tol.rel:g} x |native| "
            f"(allowed {tol.max_share:.2%}); {self.rows_beyond_bound} row(s) beyond the bound of "
            f"{tol.bound_abs_dollars:g} dollars + {tol.bound_rel:g} x |native| (allowed none).",
            "Worst rows (row: native -> onnx, abs error):",
        ]
        lines += [
            f"  {w.row}: {w.native:,.2f} -> {w.onnx:,.2f} ({w.abs_error:,.2f})" for w in self.worst_rows
        ]
        return "\n".join(lines)


def onnx_predict(
    onnx_model: onnx.ModelProto | bytes, X: pd.DataFrame, layout: OnnxLayout | None = None
) -> np.ndarray:
    """First output of the graph for the rows of ``X``, as float64 ``[N]`` (one intra-op thread),
    fed as ``layout`` (the model's ``model_onnx.json``; by default that of a graph made by ``to_onnx``) says."""
    if layout is None:
        graph = onnx_model if isinstance(onnx_model, onnx.ModelProto) else onnx.load_from_string(onnx_model)
        layout = layout_of(graph)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    payload = onnx_model if isinstance(onnx_model, bytes) else onnx_model.SerializeToString()
    session = ort.InferenceSession(payload, options, providers=["CPUExecutionProvider"])
    return predict(session, layout, X)


def compare(native: np.ndarray, exported: np.ndarray, *, family: str, index=None) -> ParityReport:
    """Parity figures for two prediction vectors of equal length."""
    if family not in TOLERANCES:
        raise ValueError(f"unknown model family {family!r}; expected one of {', '.join(TOLERANCES)}")
    native, exported = np.asarray(native, dtype=np.float64), np.asarray(exported, dtype=np.float64)
    if native.shape != exported.shape or native.ndim != 1 or len(native) == 0:
        raise ValueError(
            f"expected two non-empty vectors of equal length, got shapes {native.shape} and {exported.shape}"
        )
    tolerance = TOLERANCES[family]
    # NaN in either prediction counts as an infinite error, never as a match.
    error = np.nan_to_num(np.abs(exported - native), nan=np.inf)
    scale = np.abs(native)
    relative = np.divide(error, scale, out=np.where(error > 0, np.inf, 0.0), where=scale > 0)
    # Written as "not within" so that a NaN native prediction is beyond, too.
    beyond = ~(error <= tolerance.abs_dollars + tolerance.rel * scale)
    beyond_bound = ~(error <= tolerance.bound_abs_dollars + tolerance.bound_rel * scale)
    labels = np.arange(len(native)) if index is None else np.asarray(index)
    worst = np.argsort(-error, kind="stable")[:_WORST_ROWS]
    return ParityReport(
        family=family,
        n_rows=len(native),
        max_abs_error=float(error.max()),
        max_rel_error=float(relative.max()),
        share_beyond_tolerance=float(beyond.mean()),
        tolerance=tolerance,
        rows_beyond_bound=int(beyond_bound.sum()),
        worst_rows=tuple(
            WorstRow(
                labels[i].item() if hasattr(labels[i], "item") else labels[i],
                float(native[i]),
                float(exported[i]),
                float(error[i]),
            )
            for i in worst
        ),
    )


def check_parity(
    model: Any,
    onnx_model: onnx.ModelProto | bytes,
    X: pd.DataFrame,
    *,
    family: str | None = None,
    layout: OnnxLayout | None = None,
) -> ParityReport:
    """Score ``X`` (the whole test split) natively and with onnxruntime; return the report, or raise
    :class:`ParityError` (its message lists the worst rows) when too many rows differ.

    ``family`` picks the tolerance; by default it is read from the model. ``layout`` is the graph's
    ``model_onnx.json``; by default that of a graph made by ``to_onnx``.
    """
    missing = [column for column in FEATURE_COLUMNS if column not in X.columns]
    if missing:
        raise ValueError(f"X is missing feature column(s): {', '.join(missing)}")
    features = X.loc[:, list(FEATURE_COLUMNS)]
    report = compare(
        np.asarray(model.predict(features), dtype=np.float64).reshape(-1),
        onnx_predict(onnx_model, features, layout),
        family=family or family_of(model),
        index=features.index,
    )
    if not report.passed:
        raise ParityError(report)
    return report
