"""The nightly gate as the flow runs it: re-score both ONNX copies on tonight's rows, then crown or keep.

Only this task crowns a champion automatically. A duel run by hand registers its winner and leaves
the champion as it is; a person changes it with ``duel promote`` / ``duel rollback``.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from prefect import get_run_logger, task

from backends import Backend
from backends.messages import RegisteredModel
from tasks.champion import GATE, board, gate
from tasks.compare import Verdict
from tasks.opened import opened_backend
from tasks.registered_split import DataRefs, read_split
from tasks.settings import DuelSettings
from training.onnx_layout import predict_file as onnx_predict
from training.schema import LABEL


@dataclass(frozen=True)
class Promotion:
    """What happened to the champion in this run, in one sentence for the report."""

    promoted: bool
    summary: str


def _onnx_mae(path: Path | str, test) -> float:
    return float(np.mean(np.abs(test[LABEL].to_numpy() - onnx_predict(path, test))))


def _onnx_file(backend: Backend, model: RegisteredModel, folder: Path) -> Path:
    path = backend.download_model(model, folder)
    return path if path.is_file() else sorted(path.rglob("*.onnx"))[0]


@task(name="nightly-gate")
def nightly_gate(
    settings: DuelSettings, refs: DataRefs, verdict: Verdict, onnx_path: str, registered: RegisteredModel
) -> Promotion:
    """Crown the registered challenger only if its ONNX copy beats the champion's by the margin.

    Like with like: both ONNX copies are scored by onnxruntime on tonight's test rows, whatever the
    champion scored the night it was crowned. The decision and both figures go to the history.

    Args:
        settings: the run's settings.
        refs: the registered train and test splits.
        verdict: the night's verdict.
        onnx_path: the challenger's ONNX file.
        registered: the challenger's registered ONNX version.

    Returns:
        Whether it was crowned, in one sentence for the report.
    """
    backend = opened_backend(settings)
    champions = board(settings, backend)
    test = read_split(backend, refs.test)
    previous = champions.current()
    champion_mae = None
    if previous is not None:
        with tempfile.TemporaryDirectory(prefix="duel-champion-") as folder:
            champion_mae = _onnx_mae(_onnx_file(backend, previous, Path(folder)), test)
    decision = gate(_onnx_mae(onnx_path, test), champion_mae, settings.promotion_margin)
    metrics = {f"mae_{score.name}": score.mae for score in (verdict.winner, verdict.loser)}
    metrics.update(
        challenger_onnx_mae=decision.challenger_mae,
        champion_onnx_mae=champion_mae,
        champion_mae=decision.challenger_mae if decision.promote else champion_mae,
    )
    if decision.promote:
        entry = champions.crown(registered.version, actor=GATE, reason=decision.reason, metrics=metrics)
        summary = f"{entry.champion} is the new champion: {decision.reason}."
    else:
        entry = champions.keep(reason=decision.reason, metrics=metrics)
        summary = f"{entry.champion} stays champion; {registered.ref} is registered but not promoted: {decision.reason}."
    get_run_logger().info(summary)
    return Promotion(decision.promote, summary)


def champion_unchanged(settings: DuelSettings) -> Promotion:
    """The sentence for a run outside the nightly gate, naming the champion it left alone.

    Args:
        settings: the run's settings.

    Returns:
        The unchanged promotion.
    """
    current = board(settings).current()
    label = current.ref if current is not None else "none yet"
    return Promotion(
        False,
        f"Not a nightly run, so the champion is unchanged (current champion: {label}); only the "
        "nightly gate promotes automatically, a person with `duel promote`.",
    )
