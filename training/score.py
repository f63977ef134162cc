"""Azure ML scoring entry script for the housing price model: ``init()`` and ``run(raw_data)``.

Azure's contract: the server calls :func:`init` once per worker, after putting the registered
model(s) under ``AZUREML_MODEL_DIR``, then :func:`run` with each request's body. ``run`` takes
``{"data": [[...], ...]}`` whose rows are either the nine feature values in
``training.schema.FEATURE_COLUMNS`` order or objects keyed by column name (``null`` for a missing
number), and returns ``{"predictions": [dollars, ...], "model": {"name": ..., "version": ...}}``.

Input that cannot be scored is refused with an ``AMLResponse`` (Azure's
``azureml.contrib.services.aml_response``, which Azure's inference server and the emulator's provide)
carrying ``{"message": ...}`` naming the problem and status 400, or the error's own 4xx
(``schema.OutOfRangeError``: 422). Anything ``run()`` raises is a 500 on Azure, so nothing in a request
body may make it raise. Outside a scoring server, where that module is absent, the refusal is raised
as the :class:`ValueError` (``json.JSONDecodeError`` or ``schema.SchemaError``) it comes from.

The graph is fed as the ``model_onnx.json`` beside it says (Azure AutoML's layout: one ``[N, 1]``
input per raw column), whoever made the model.

This file runs in the slim serving image, so it imports numpy, onnxruntime and the standard
library only. It sits beside ``schema.py`` and ``onnx_layout.py`` and imports them as siblings,
both when ``training`` is an installed package and when the folder is uploaded as an inference
``source_directory``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort


def _sibling(name: str):
    spec = importlib.util.spec_from_file_location(f"_score_{name}", Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


try:
    from azureml.contrib.services.aml_response import AMLResponse
except ImportError:  # not under a scoring server: refusals raise instead
    AMLResponse = None

try:
    from . import onnx_layout, schema
except ImportError:  # loaded by file path from an uploaded source folder, not as a package
    schema, onnx_layout = _sibling("schema"), _sibling("onnx_layout")

INPUT_EXAMPLE: dict[str, Any] = {
    "data": [[-122.23, 37.88, 41.0, 880.0, 129.0, 322.0, 126.0, 8.3252, "NEAR BAY"]],
}

_session: ort.InferenceSession | None = None
_output: str = ""
_layout = None
_model: dict[str, Any] = {}


def _find_model(model_dir: Path) -> Path:
    found = sorted(model_dir.rglob("*.onnx"))
    if len(found) != 1:
        raise FileNotFoundError(f"expected exactly one .onnx file under {model_dir}, found {len(found)}")
    return found[0]


def _model_identity(model_dir: Path, path: Path) -> dict[str, Any]:
    """Name and version from Azure's layout: ``azureml-models/<name>/<version>/...``."""
    if model_dir.name.isdigit():
        return {"name": model_dir.parent.name, "version": int(model_dir.name)}
    parts = path.relative_to(model_dir).parts
    if len(parts) >= 3 and parts[1].isdigit():
        return {"name": parts[0], "version": int(parts[1])}
    return {"name": path.stem, "version": None}


def _serving_session(path: Path) -> ort.InferenceSession:
    # One intra-op thread without spinning: a worker scores small requests, and spinning threads
    # would burn the cores that other workers and the HTTP loop need.
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def init() -> None:
    """Load the registered ONNX model found under ``AZUREML_MODEL_DIR``."""
    global _session, _output, _layout, _model
    model_dir = Path(os.environ["AZUREML_MODEL_DIR"])
    path = _find_model(model_dir)
    _layout = onnx_layout.OnnxLayout.read(path)
    _session = _serving_session(path)
    _output = _session.get_outputs()[0].name
    _model = _model_identity(model_dir, path)


def _preprocess(raw_data: str | bytes) -> dict[str, np.ndarray]:
    """The request's rows as one array per raw column."""
    try:
        payload = json.loads(raw_data)
    except RecursionError:
        raise schema.SchemaError("the body is nested too deeply to be a table of rows") from None
    if not isinstance(payload, dict) or "data" not in payload:
        raise schema.SchemaError('the body must be a JSON object with a "data" list of rows')
    try:
        return schema.rows_to_columns(payload["data"])
    except OverflowError as exc:  # an integer too large for a float
        raise schema.SchemaError(f"a numeric value is out of range: {exc}") from None


def _postprocess(prediction: np.ndarray) -> dict[str, Any]:
    return {"predictions": prediction.reshape(-1).astype(float).tolist(), "model": _model}


def run(raw_data: str | bytes) -> Any:
    """Score the rows in ``raw_data`` (a JSON document) and return prices in dollars, or the refusal."""
    if _session is None:
        raise RuntimeError("init() has not been called")
    try:
        inputs = _preprocess(raw_data)
    except ValueError as exc:  # json.JSONDecodeError, schema.SchemaError and its OutOfRangeError
        if AMLResponse is None:
            raise
        return _refusal(exc)
    return _postprocess(onnx_layout.predict(_session, _layout, inputs, _output))


def _refusal(exc: ValueError) -> Any:
    """A 4xx naming the problem; ``json.dumps`` escapes what the message quotes (lone surrogates too)."""
    status = getattr(exc, "http_status", 400)
    status = status if isinstance(status, int) and 400 <= status < 500 else 400
    return AMLResponse({"message": str(exc) or type(exc).__name__}, status, json_str=True)
