"""Fetch each contestant's model from its run and score it on the shared test split.

Contestants are judged on what would ship: AutoML on its own ONNX copy (``outputs/model.onnx`` of
its best ONNX-compatible child, fed as the ``outputs/model_onnx.json`` beside it says; its native pickle needs the AutoML runtime, which Azure's SDK v1
client cannot install), the MLP natively (its ONNX export then has to pass the parity gate).
"""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from prefect import get_run_logger, task

from backends import Backend
from backends.messages import JobOutcome, RunRef
from tasks.compare import TestScore, Verdict, judge, score
from tasks.opened import opened_backend
from tasks.registered_split import DataRefs, read_split
from tasks.settings import DuelSettings
from training.onnx_layout import OnnxLayout
from training.schema import FEATURE_COLUMNS, LABEL
from training.split import fingerprint

AUTOML = "AutoML"
HYPERDRIVE = "HyperDrive"
_MLP_OUTPUTS = "outputs/model"


@dataclass(frozen=True)
class Contestant:
    """A contestant's job and the child run that trained its model; enough to fetch it again anywhere.

    ``job`` is the AutoML parent run or the HyperDrive sweep; ``model_run_id`` is AutoML's best
    iteration or the sweep's best trial.
    """

    name: str
    job: RunRef
    model_run_id: str

    @classmethod
    def of(cls, name: str, outcome: JobOutcome) -> Contestant:
        return cls(name, outcome.job, outcome.best_run_id)


@dataclass(frozen=True)
class ShippedOnnx:
    """A graph judged as it ships: predictions by onnxruntime with one thread, as the service runs it,
    fed as its resource file (``model_onnx.json``) says."""

    graph: bytes
    layout: OnnxLayout

    def predict(self, frame) -> np.ndarray:
        # onnxruntime loads with the first graph judged, not when the flow starts.
        from onnx_export.parity import onnx_predict

        return onnx_predict(self.graph, frame, self.layout)


@dataclass(frozen=True)
class LoadedModel:
    """A contestant's model (raw feature frame in, dollars out) and where it came from.

    ``model`` is the MLP itself or AutoML's :class:`ShippedOnnx`; for AutoML ``native_path`` is its
    pickle as a file, registered unopened beside the ONNX copy.
    """

    model: Any
    algorithm: str
    run_id: str
    native_path: str | None = None


_loaded: dict[tuple[str, Contestant], LoadedModel] = {}
_loading = threading.Lock()


def _fetch(backend: Backend, contestant: Contestant) -> LoadedModel:
    if contestant.name == AUTOML:
        # Kept for the process: the native pickle is registered later if AutoML wins.
        fetched = backend.fetch_automl_model(contestant.job, tempfile.mkdtemp(prefix="duel-automl-"))
        graph = ShippedOnnx(Path(fetched.path).read_bytes(), OnnxLayout.read(fetched.path))
        return LoadedModel(graph, fetched.algorithm, fetched.run_id, fetched.native_path)
    with tempfile.TemporaryDirectory(prefix="duel-contestant-") as folder:
        # torch loads with the first MLP, and with it the MLP's ONNX exporter for the shipping tasks.
        from onnx_export import mlp as mlp_onnx  # noqa: F401
        from training import mlp

        fetched = backend.fetch_run_outputs(contestant.model_run_id, _MLP_OUTPUTS, folder)
        model = mlp.load(Path(fetched.path))
    layers = "/".join(str(n) for n in model.hidden_layers)
    return LoadedModel(model, f"TorchMLP {layers}", fetched.run_id)


def load_model(backend: Backend, contestant: Contestant) -> LoadedModel:
    """The contestant's model; judging, export and registration all need the winner, so it is
    fetched from its run once per process and workspace.

    Args:
        backend: the open backend.
        contestant: whose model to fetch.

    Returns:
        The model (raw feature frame in, dollars out) and where it came from.
    """
    key = (backend.identity, contestant)
    with _loading:
        if key not in _loaded:
            _loaded[key] = _fetch(backend, contestant)
        return _loaded[key]


@task(name="judge-contestants")
def evaluate(settings: DuelSettings, data: DataRefs, contestants: list[Contestant]) -> tuple[Verdict, dict]:
    """Score both contestants (AutoML's ONNX copy, the native MLP) on the registered test split and judge
    them; also returns predictions.

    Args:
        settings: the run's settings.
        data: the registered train and test splits.
        contestants: AutoML's and HyperDrive's results.

    Returns:
        The verdict, and each contestant's test predictions by name.
    """
    logger = get_run_logger()
    backend = opened_backend(settings)
    test = read_split(backend, data.test)
    if fingerprint(test) != data.split_fingerprint:
        raise RuntimeError(
            f"registered test split {data.test.name}:{data.test.version} does not match fingerprint "
            f"{data.split_fingerprint}"
        )
    features, y_true = test.loc[:, list(FEATURE_COLUMNS)], test[LABEL].to_numpy()
    scores: list[TestScore] = []
    predictions: dict[str, np.ndarray] = {}
    for contestant in contestants:
        loaded = load_model(backend, contestant)
        predictions[contestant.name] = np.asarray(loaded.model.predict(features), dtype=float).ravel()
        scores.append(
            score(
                contestant.name,
                loaded.algorithm,
                loaded.run_id,
                y_true,
                predictions[contestant.name],
                data.split_fingerprint,
            )
        )
        logger.info("%s (%s): test MAE %.0f", contestant.name, loaded.algorithm, scores[-1].mae)
    verdict = judge(scores[0], predictions[scores[0].name], scores[1], predictions[scores[1].name], y_true)
    return verdict, {"y_true": y_true, **predictions}
