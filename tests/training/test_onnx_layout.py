"""The ONNX layout the product feeds every graph by: Azure AutoML's ``model_onnx.json`` beside the
model, mapping each raw column to its ``[N, 1]`` input."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import onnx
import pandas as pd
import pytest

from training.onnx_layout import (
    BATCH_MODE,
    ONNX_SCHEMA,
    RAW_SCHEMA,
    RAW_TO_ONNX,
    RESOURCE_FILE,
    LayoutError,
    OnnxLayout,
    predict_file,
)
from training.schema import FEATURE_COLUMNS

_SDK_CONSTANTS = (
    Path(__file__).resolve().parents[2]
    / ".venv-azure/lib/python3.11/site-packages/azureml/automl/core/onnx_convert/onnx_convert_constants.py"
)


@pytest.fixture(scope="module")
def rows(housing_path):
    return pd.read_csv(housing_path).sample(50, random_state=3)


def _renamed(housing_onnx: Path, folder: Path) -> Path:
    """The test graph with each input renamed (``<column>_in``) and the inputs in reverse order,
    described by a resource file that maps the raw columns to those names."""
    graph = onnx.load_model(housing_onnx)
    renames = {value.name: f"{value.name}_in" for value in graph.graph.input}
    for value in graph.graph.input:
        value.name = renames[value.name]
    reordered = list(graph.graph.input)[::-1]
    del graph.graph.input[:]
    graph.graph.input.extend(reordered)
    for node in graph.graph.node:
        node.input[:] = [renames.get(name, name) for name in node.input]
    path = folder / "model.onnx"
    onnx.save_model(graph, path)
    resource = json.loads(housing_onnx.with_name(RESOURCE_FILE).read_text())
    resource[RAW_TO_ONNX] = {raw: renames[name] for raw, name in resource[RAW_TO_ONNX].items()}
    resource[ONNX_SCHEMA] = {renames[name]: kind for name, kind in resource[ONNX_SCHEMA].items()}
    path.with_name(RESOURCE_FILE).write_text(json.dumps(resource))
    return path


def test_the_keys_are_those_of_the_sdks_onnx_convert_constants():
    if not _SDK_CONSTANTS.is_file():
        pytest.skip("the real SDK v1 (.venv-azure) is not installed")
    source = _SDK_CONSTANTS.read_text()
    for key in (RAW_TO_ONNX, RAW_SCHEMA, ONNX_SCHEMA, BATCH_MODE):
        assert re.search(rf"^\s*{key} = '{key}'$", source, re.MULTILINE), key


def test_a_graph_is_fed_by_its_resource_files_names_not_by_the_column_names(housing_onnx, rows, tmp_path):
    renamed = _renamed(housing_onnx, tmp_path)
    np.testing.assert_array_equal(predict_file(renamed, rows), predict_file(housing_onnx, rows))


def test_a_graph_without_batch_mode_is_fed_record_by_record(housing_onnx, rows, tmp_path):
    shutil.copy(housing_onnx, tmp_path / "model.onnx")
    layout = OnnxLayout.read(housing_onnx)
    per_record = OnnxLayout(layout.inputs, batch=False)
    assert [len(next(iter(feed.values()))) for feed in per_record.feeds(rows)] == [1] * len(rows)
    per_record.write(tmp_path / "model.onnx")
    # One row at a time sums in another order than a batch: float32 noise, no more.
    np.testing.assert_allclose(
        predict_file(tmp_path / "model.onnx", rows), predict_file(housing_onnx, rows), rtol=1e-5
    )


def test_a_model_without_its_resource_file_is_refused_naming_the_file(housing_onnx, tmp_path):
    shutil.copy(housing_onnx, tmp_path / "model.onnx")
    with pytest.raises(FileNotFoundError, match=RESOURCE_FILE):
        OnnxLayout.read(tmp_path / "model.onnx")


def test_a_column_the_graph_reads_must_be_present(housing_onnx, rows):
    with pytest.raises(LayoutError, match="'median_income'"):
        OnnxLayout.read(housing_onnx).feed(rows.drop(columns=["median_income"]))


@pytest.mark.parametrize(
    "broken", [{}, {RAW_TO_ONNX: {"a": "a"}, RAW_SCHEMA: {"a": "floating"}, ONNX_SCHEMA: {}}]
)
def test_a_resource_that_describes_no_typed_input_is_refused(broken):
    with pytest.raises(LayoutError, match=RESOURCE_FILE):
        OnnxLayout.from_resource(broken)


def test_types_follow_azures_inference_helper(housing_onnx):
    layout = OnnxLayout.read(housing_onnx)
    assert layout.columns == FEATURE_COLUMNS
    inputs = layout.feed({c: [1] if c != "ocean_proximity" else [float("nan")] for c in FEATURE_COLUMNS})
    assert inputs["median_income"].dtype == np.float32 and inputs["median_income"].shape == (1, 1)
    assert inputs["ocean_proximity"].tolist() == [["nan"]]  # as Azure's helper: astype(str)
