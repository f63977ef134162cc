"""The AutoML emulator converts any tabular columns as Azure's AutoML does: one ``[n, 1]`` input per
raw column, typed by pandas' ``infer_dtype``, and the ``model_onnx.json`` document beside it."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime
import pandas as pd
import pytest

from emulator.train.automl._onnx_layout import raw_column_types, to_azure_onnx
from emulator.train.automl.featurization import plan_featurization
from emulator.train.automl.models import FAMILIES
from emulator.train.automl.pipeline import PipelineSpec, with_featurizer
from training.onnx_layout import OnnxLayout, predict


@pytest.fixture(scope="module")
def shop() -> tuple[pd.DataFrame, pd.Series]:
    """A frame that is not the housing data: spaces in names, an integer and a string column."""
    rng = np.random.default_rng(7)
    n = 600
    frame = pd.DataFrame(
        {
            "unit price": rng.uniform(1, 50, n).round(2),
            "items sold": rng.integers(0, 40, n),
            "store-region": rng.choice(["north", "south", "east"], n),
            "empty": np.full(n, np.nan),
        }
    )
    frame.loc[::17, "unit price"] = np.nan
    revenue = (
        frame["unit price"].fillna(20)
        * frame["items sold"]
        * frame["store-region"].map({"north": 1.0, "south": 1.3, "east": 0.8})
    )
    return frame, revenue + rng.normal(0, 5, n)


def _fitted(frame, target, algorithm: str, scaler: str | None = None):
    featurizer = plan_featurization(frame).build().fit(frame)
    spec = PipelineSpec(algorithm, scaler, FAMILIES[algorithm].defaults(True))
    model = spec.build(n_threads=1, seed=0).fit(featurizer.transform(frame), target)
    return with_featurizer(featurizer, model)


def test_any_columns_become_one_named_typed_input_each_with_azures_resource(shop):
    frame, target = shop
    model = _fitted(frame, target, "ElasticNet", "StandardScalerWrapper")
    graph, resource = to_azure_onnx(model, raw_column_types(frame))
    # The column holding nothing is dropped; the others keep their order and C-style names.
    assert resource["RawColumnNameToOnnxNameMap"] == {
        "unit price": "unit_price",
        "items sold": "items_sold",
        "store-region": "store_region",
    }
    assert resource["InputRawColumnSchema"] == {
        "unit price": "floating",
        "items sold": "integer",
        "store-region": "string",
    }
    assert resource["InputOnnxColumnSchema"] == {
        "unit_price": "FloatTensorType",
        "items_sold": "Int64TensorType",
        "store_region": "StringTensorType",
    }
    assert resource["CanEnableBatchMode"] is True and graph.producer_name == "AutoML"
    shapes = {
        value.name: [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]
        for value in graph.graph.input
    }
    assert shapes == {"unit_price": ["n", 1], "items_sold": ["n", 1], "store_region": ["n", 1]}
    onnx.checker.check_model(graph)
    session = onnxruntime.InferenceSession(graph.SerializeToString(), providers=["CPUExecutionProvider"])
    scored = predict(session, OnnxLayout.from_resource(resource), frame)
    np.testing.assert_allclose(scored, model.predict(frame), rtol=1e-4, atol=1e-2)


def test_a_pipeline_with_nearest_neighbours_takes_one_record_at_a_time_as_on_azure(shop):
    frame, target = shop
    model = _fitted(frame, target, "KNN", "MinMaxScaler")
    graph, resource = to_azure_onnx(model, raw_column_types(frame))
    assert resource["CanEnableBatchMode"] is False
    assert {tuple(d.dim_value for d in v.type.tensor_type.shape.dim) for v in graph.graph.input} == {(1, 1)}
    session = onnxruntime.InferenceSession(graph.SerializeToString(), providers=["CPUExecutionProvider"])
    rows = frame.head(40)
    scored = predict(session, OnnxLayout.from_resource(resource), rows)
    np.testing.assert_allclose(scored, model.predict(rows), rtol=1e-3, atol=1e-2)
