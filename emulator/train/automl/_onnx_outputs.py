"""``outputs/model.onnx`` and ``outputs/model_onnx.json`` beside the best iterations' pickles, as
Azure's AutoML writes them: the graph takes one ``[n, 1]`` input per raw column, and the JSON maps
the raw columns to those inputs (:mod:`._onnx_layout`).

With ``enable_onnx_compatible_models`` Azure stores each child's ONNX copy in its outputs, and
``get_best_child(onnx_compatible=True)`` plus ``download_file("outputs/model.onnx")`` is how a
client without the AutoML runtime gets the winner. The emulator converts the best iterations
only (converting every child would cost more than the search on a small machine), best first,
until one converts; an iteration that does not convert keeps no ONNX file and is passed over.

The conversion is a closing step and runs within the experiment's deadline. When the deadline
cuts the conversion of an ensemble short, the best single iteration (a graph a fraction of the
size) is converted instead, without a limit: a job asked for ONNX-compatible models must end with
one, and a few seconds over the budget is the lesser harm.
"""

from __future__ import annotations

import json
import math
import tempfile
import time
from pathlib import Path

import joblib
import onnx

from emulator.train.automl._budget import OutOfTime, time_limit
from emulator.train.automl._onnx_layout import to_azure_onnx
from emulator.train.automl._paths import MODEL, ONNX_MODEL, ONNX_RESOURCE

# How many of the best iterations are tried; the first that converts is the ONNX winner.
ATTEMPTS = 3
ENSEMBLES = ("VotingEnsemble", "StackEnsemble")


def _is_ensemble(child) -> bool:
    return child.properties.get("run_algorithm") in ENSEMBLES


def _convert(child, raw_types: dict[str, str], seconds: float) -> bool:
    """Convert ``child``'s model within ``seconds`` and upload the graph and its resource file; False
    when it has no ONNX form."""
    with tempfile.TemporaryDirectory(prefix="automl-onnx-") as folder:
        native = Path(folder) / "model.pkl"
        child.download_file(MODEL, str(native))
        try:
            with time_limit(seconds):
                graph, resource = to_azure_onnx(joblib.load(native), raw_types)
        except OutOfTime:
            raise
        except Exception as error:  # the next iteration may convert; Azure, too, skips such children
            print(f"Iteration {child.id} has no ONNX form: {type(error).__name__}: {error}", flush=True)
            return False
        path = Path(folder) / "model.onnx"
        onnx.save_model(graph, path)
        layout = Path(folder) / "model_onnx.json"
        layout.write_text(json.dumps(resource), encoding="utf-8")
        child.upload_file(ONNX_RESOURCE, str(layout))
        child.upload_file(ONNX_MODEL, str(path))
    return True


def write_onnx_outputs(
    scored_children: list, raw_types: dict[str, str], seconds: float = math.inf
) -> str | None:
    """Convert the best of ``scored_children`` (best first), whose models read the raw columns of
    ``raw_types`` (:func:`._onnx_layout.raw_column_types`), within ``seconds`` and upload its graph;
    returns its run id."""
    deadline = time.monotonic() + seconds
    for child in scored_children[:ATTEMPTS]:
        try:
            if _convert(child, raw_types, deadline - time.monotonic()):
                return child.id
        except OutOfTime:
            print(
                f"The experiment timeout cut the ONNX conversion of iteration {child.id} short.", flush=True
            )
            singles = [c for c in scored_children if not _is_ensemble(c)]
            return next((c.id for c in singles[:ATTEMPTS] if _convert(c, raw_types, math.inf)), None)
    return None
