"""The PyTorch MLP to one ONNX graph: its preprocessor (skl2onnx), network and target back-transform
(torch.onnx), composed so that the graph maps the raw columns to dollars.

Importing this module registers the exporter and the MLP's parity family with ``onnx_export``.
"""

from __future__ import annotations

import io
import warnings

import onnx
import torch
from onnx import compose, version_converter
from torch import nn

from onnx_export import OPSETS, register_exporter, register_family, sklearn_to_onnx
from onnx_export.families import MLP
from training.mlp import TorchMLPRegressor

_FEATURES, _PRICE = "features", "price"


class _DollarHead(nn.Module):
    """The fitted network followed by the inverse of the target transform."""

    def __init__(self, network: nn.Module, mean: float, std: float, log_target: bool):
        super().__init__()
        self.network, self.mean, self.std, self.log_target = network, mean, std, log_target

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        value = self.network(features) * self.std + self.mean
        # exp - 1, not expm1: the TorchScript exporter has no expm1, and prices are far from 0.
        return torch.exp(value) - 1 if self.log_target else value


def _network_to_onnx(model: TorchMLPRegressor):
    network = _DollarHead(model.module_, model.target_mean_, model.target_std_, model.log_target)
    network = network.to("cpu").eval()
    width = model.module_[0].in_features
    # The TorchScript exporter: far cheaper than torch.export (dynamo) on this small network, with
    # the same graph and parity (benchmarks/RESULTS.md).
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(
            network,
            (torch.zeros(2, width),),
            buffer,
            dynamo=False,
            opset_version=OPSETS[""],
            input_names=[_FEATURES],
            output_names=[_PRICE],
            dynamic_axes={_FEATURES: {0: "batch"}, _PRICE: {0: "batch"}},
        )
    return onnx.load_from_string(buffer.getvalue())


def mlp_to_onnx(model: TorchMLPRegressor):
    """One graph: raw columns -> preprocessing -> network -> dollars ``[N, 1]``."""
    device = next(model.module_.parameters()).device
    try:
        network = _network_to_onnx(model)
    finally:
        model.module_.to(device)
    # skl2onnx declares the lowest opset its nodes need; both halves must declare the same one.
    preprocessing = version_converter.convert_version(
        sklearn_to_onnx(model.preprocessor_, name="preprocessor"), OPSETS[""]
    )
    network.ir_version = preprocessing.ir_version = max(network.ir_version, preprocessing.ir_version)
    network = compose.add_prefix(network, prefix="mlp/", rename_inputs=False, rename_outputs=False)
    return compose.merge_models(
        preprocessing, network, io_map=[(preprocessing.graph.output[0].name, _FEATURES)]
    )


register_exporter(TorchMLPRegressor, mlp_to_onnx)
register_family(TorchMLPRegressor, MLP)
