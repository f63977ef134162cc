"""``outputs/model.onnx`` beside the best iterations' pickles, as Azure's AutoML writes it.

With ``enable_onnx_compatible_models`` Azure stores each child's ONNX copy in its outputs, and
``get_best_child(onnx_compatible=True)`` plus ``download_file("outputs/model.onnx")`` is how a
client without the AutoML runtime gets the winner. The emulator converts the best iterations
only (converting every child would cost more than the search on a small machine), best first,
until one converts; an iteration that does not convert keeps no ONNX file and is passed over.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import joblib
import onnx

from emulator.train.automl._paths import MODEL, ONNX_MODEL
from onnx_export import to_onnx

# How many of the best iterations are tried; the first that converts is the ONNX winner.
ATTEMPTS = 3


def write_onnx_outputs(scored_children: list) -> str | None:
    """Convert the best of ``scored_children`` (best first) and upload its graph; returns its run id."""
    for child in scored_children[:ATTEMPTS]:
        with tempfile.TemporaryDirectory(prefix="automl-onnx-") as folder:
            native = Path(folder) / "model.pkl"
            child.download_file(MODEL, str(native))
            try:
                graph = to_onnx(joblib.load(native), metadata={"training_run_id": child.id})
            except Exception as error:  # the next iteration may convert; Azure, too, skips such children
                print(f"Iteration {child.id} has no ONNX form: {type(error).__name__}: {error}", flush=True)
                continue
            path = Path(folder) / "model.onnx"
            onnx.save_model(graph, path)
            child.upload_file(ONNX_MODEL, str(path))
        return child.id
    return None
