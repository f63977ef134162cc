"""ONNX export of winning models and the parity gate in front of registration (plain functions)."""

from tasks.onnx.export import to_onnx
from tasks.onnx.families import TOLERANCES, Tolerance, family_of
from tasks.onnx.parity import ParityError, ParityReport, check_parity

__all__ = ["to_onnx", "check_parity", "ParityReport", "ParityError", "Tolerance", "TOLERANCES", "family_of"]
