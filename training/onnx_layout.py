"""How an ONNX model is fed: Azure AutoML's resource file ``model_onnx.json`` beside ``model.onnx``.

Azure's AutoML converts a pipeline with one ``[N, 1]`` input per raw column, named after the
column in C style (skl2onnx's naming), and writes the mapping beside the graph as
``outputs/model_onnx.json``, under the keys of the SDK's ``OnnxConvertConstants``
(azureml-automl-core)::

    {"RawColumnNameToOnnxNameMap": {"median income": "median_income", ...},
     "InputRawColumnSchema": {"median income": "floating", "ocean_proximity": "string", ...},
     "InputOnnxColumnSchema": {"median_income": "FloatTensorType", ...},
     "CanEnableBatchMode": true}

The raw types are ``pandas.api.types.infer_dtype`` names. The SDK's reader (``OnnxInferenceHelper``,
azureml-automl-runtime) does not install on Python 3.11, so this module reads the file as that
helper does: floating columns as float32, integer columns as int64, the rest as strings, and record
by record where the graph cannot take a batch. Every ONNX model the duel ships (AutoML's own copy,
the MLP's export) carries this file, so there is one way to feed a graph.

The scoring script imports this module as a sibling, so it depends on numpy alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

RESOURCE_FILE = "model_onnx.json"
# The keys of azureml.automl.core.onnx_convert.OnnxConvertConstants.
RAW_TO_ONNX = "RawColumnNameToOnnxNameMap"
RAW_SCHEMA = "InputRawColumnSchema"
ONNX_SCHEMA = "InputOnnxColumnSchema"
BATCH_MODE = "CanEnableBatchMode"
FLOAT_TENSOR, INT64_TENSOR, STRING_TENSOR = "FloatTensorType", "Int64TensorType", "StringTensorType"
_FLOATING = frozenset({"floating", "mixed-integer-float"})
_INTEGER = "integer"


class LayoutError(ValueError):
    """A resource file that does not describe the graph's inputs; the message names the problem."""


@dataclass(frozen=True)
class OnnxInput:
    """One graph input: the raw column it reads, its ONNX name, and both types as Azure names them."""

    column: str
    name: str
    raw_type: str
    onnx_type: str

    def values(self, column: Any) -> np.ndarray:
        """The column as this input's ``[N, 1]`` tensor (strings: ``str`` of each value, as Azure's helper)."""
        array = np.asarray(column)
        if self.onnx_type == FLOAT_TENSOR:
            array = array.astype(np.float32)
        elif self.onnx_type == INT64_TENSOR:
            array = array.astype(np.int64)
        else:
            array = array.astype(str).astype(object)
        return array.reshape(-1, 1)


def onnx_type_of(raw_type: str) -> str:
    """The tensor type Azure's converter gives a raw column of pandas type ``raw_type``."""
    if raw_type in _FLOATING:
        return FLOAT_TENSOR
    return INT64_TENSOR if raw_type == _INTEGER else STRING_TENSOR


@dataclass(frozen=True)
class OnnxLayout:
    """The inputs of one ONNX graph, in the graph's order, and whether it takes a batch of rows."""

    inputs: tuple[OnnxInput, ...]
    batch: bool = True

    @classmethod
    def from_resource(cls, resource: Mapping[str, Any]) -> OnnxLayout:
        """The layout a ``model_onnx.json`` document describes.

        Raises:
            LayoutError: a key is missing, or the three maps do not name the same columns.
        """
        if not isinstance(resource, Mapping):
            raise LayoutError(f"{RESOURCE_FILE} must hold a JSON object, got {type(resource).__name__}")
        missing = [key for key in (RAW_TO_ONNX, RAW_SCHEMA, ONNX_SCHEMA) if not resource.get(key)]
        if missing:
            raise LayoutError(f"{RESOURCE_FILE} has no {', '.join(missing)}: it describes no input column")
        names, raw_types, onnx_types = resource[RAW_TO_ONNX], resource[RAW_SCHEMA], resource[ONNX_SCHEMA]
        inputs = []
        for column, name in names.items():
            if column not in raw_types or name not in onnx_types:
                raise LayoutError(f"{RESOURCE_FILE}: column {column!r} (input {name!r}) has no type")
            inputs.append(OnnxInput(column, name, raw_types[column], onnx_types[name]))
        return cls(tuple(inputs), bool(resource.get(BATCH_MODE, True)))

    @classmethod
    def read(cls, model_path: str | Path) -> OnnxLayout:
        """The layout in the resource file beside ``model_path`` (the ``.onnx`` file)."""
        path = Path(model_path).with_name(RESOURCE_FILE)
        if not path.is_file():
            raise FileNotFoundError(
                f"{path} is missing: an ONNX model is fed as its {RESOURCE_FILE} describes (Azure AutoML's layout)"
            )
        return cls.from_resource(json.loads(path.read_text(encoding="utf-8")))

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(spec.column for spec in self.inputs)

    def resource(self) -> dict[str, Any]:
        """This layout as the ``model_onnx.json`` document."""
        return {
            RAW_TO_ONNX: {spec.column: spec.name for spec in self.inputs},
            RAW_SCHEMA: {spec.column: spec.raw_type for spec in self.inputs},
            ONNX_SCHEMA: {spec.name: spec.onnx_type for spec in self.inputs},
            BATCH_MODE: self.batch,
        }

    def write(self, model_path: str | Path) -> Path:
        """Write the resource file beside ``model_path``; returns its path."""
        path = Path(model_path).with_name(RESOURCE_FILE)
        path.write_text(json.dumps(self.resource(), indent=2), encoding="utf-8")
        return path

    def feed(self, columns: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """The graph's inputs from ``columns`` (raw column name -> values, e.g. a DataFrame).

        Raises:
            LayoutError: a column the graph reads is absent.
        """
        absent = [spec.column for spec in self.inputs if spec.column not in columns]
        if absent:
            raise LayoutError(f"the model reads column(s) {', '.join(map(repr, absent))}, which are absent")
        return {spec.name: spec.values(columns[spec.column]) for spec in self.inputs}

    def feeds(self, columns: Mapping[str, Any]) -> Iterator[dict[str, np.ndarray]]:
        """The inputs as one batch, or record by record where the graph takes no batch (Azure's
        ``CanEnableBatchMode`` false: the inputs are ``[1, 1]``)."""
        inputs = self.feed(columns)
        if self.batch:
            yield inputs
            return
        rows = len(next(iter(inputs.values()))) if inputs else 0
        for row in range(rows):
            yield {name: values[row : row + 1] for name, values in inputs.items()}


def predict(
    session: Any, layout: OnnxLayout, columns: Mapping[str, Any], output: str | None = None
) -> np.ndarray:
    """The graph's first (or ``output``) output for ``columns`` as float64 ``[N]``, fed as ``layout`` says."""
    names = [output or session.get_outputs()[0].name]
    parts = [np.asarray(session.run(names, inputs)[0]).reshape(-1) for inputs in layout.feeds(columns)]
    return np.concatenate(parts).astype(np.float64) if parts else np.empty(0)


def predict_file(path: str | Path, columns: Mapping[str, Any]) -> np.ndarray:
    """:func:`predict` for the ``.onnx`` file at ``path``, fed as the resource file beside it says,
    with one intra-op thread, as the scoring service runs it."""
    import onnxruntime as ort

    layout = OnnxLayout.read(path)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return predict(session, layout, columns)
