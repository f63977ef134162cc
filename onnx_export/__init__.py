"""ONNX export of fitted housing models and the parity gate that judges an exported graph.

A library below the duel's tasks and the emulator, above ``training``: it imports neither tasks nor
emulator. ``onnx_export.mlp`` exports the MLP ``training`` fits; the emulator's AutoML registers how to
export and judge its own estimators (``emulator.train.automl._onnx``), as Azure's AutoML owns
``return_onnx_model``.
"""

from onnx_export._converters import add_converters
from onnx_export._graph import OPSETS
from onnx_export._sklearn import sklearn_to_onnx
from onnx_export.export import layout_of, register_exporter, stamp, to_onnx
from onnx_export.families import (
    TOLERANCES,
    Tolerance,
    family_of,
    register_ensemble,
    register_family,
    register_wrapper,
)
from onnx_export.parity import ParityError, ParityReport, check_parity

__all__ = [
    "OPSETS",
    "TOLERANCES",
    "ParityError",
    "ParityReport",
    "Tolerance",
    "add_converters",
    "check_parity",
    "family_of",
    "layout_of",
    "register_ensemble",
    "register_exporter",
    "register_family",
    "register_wrapper",
    "sklearn_to_onnx",
    "stamp",
    "to_onnx",
]
