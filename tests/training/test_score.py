"""The Azure entry-script contract of training/score.py: init() finds the model, run() scores JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emulator.serving.entry import load_entry_script
from training import score
from training.onnx_layout import RESOURCE_FILE, predict_file
from training.schema import FEATURE_COLUMNS, OutOfRangeError, SchemaError


@pytest.fixture
def model_dir(tmp_path, housing_onnx):
    """A model folder laid out as Azure mounts one: azureml-models/<name>/<version>/<file>."""
    folder = tmp_path / "azureml-models" / "housing-price" / "3"
    folder.mkdir(parents=True)
    shutil.copy(housing_onnx, folder / "model.onnx")
    shutil.copy(housing_onnx.with_name(RESOURCE_FILE), folder / RESOURCE_FILE)
    return folder


@pytest.fixture
def scorer(model_dir, monkeypatch):
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(model_dir))
    score.init()
    return score


@pytest.fixture(scope="module")
def rows(housing_path):
    return pd.read_csv(housing_path).sample(300, random_state=1)


def _reference(housing_onnx, frame):
    return predict_file(housing_onnx, frame)


def _body(records):
    return json.dumps({"data": records})


def test_run_scores_column_order_rows_like_onnxruntime(scorer, rows, housing_onnx):
    body = _body(rows[list(FEATURE_COLUMNS)].astype(object).where(rows.notna(), None).values.tolist())
    answer = scorer.run(body)
    # float32 predictions survive the float64 JSON round trip exactly
    np.testing.assert_array_equal(np.float32(answer["predictions"]), _reference(housing_onnx, rows))


def test_run_accepts_records_keyed_by_column_name(scorer, rows):
    frame = rows[list(FEATURE_COLUMNS)].astype(object).where(rows.notna(), None)
    by_position = scorer.run(_body(frame.values.tolist()))
    by_name = scorer.run(_body(frame.to_dict(orient="records")))
    assert by_name["predictions"] == by_position["predictions"]


def test_response_names_the_model_and_version_from_the_azure_layout(scorer):
    answer = scorer.run(json.dumps(score.INPUT_EXAMPLE))
    assert answer["model"] == {"name": "housing-price", "version": 3}
    assert len(answer["predictions"]) == 1 and answer["predictions"][0] > 0


def test_missing_number_still_scores(scorer):
    row = [-122.23, 37.88, 41.0, 880.0, None, 322.0, 126.0, 8.3252, "NEAR BAY"]
    prediction = scorer.run(_body([row]))["predictions"][0]
    assert np.isfinite(prediction)


@pytest.mark.parametrize(
    ("value", "column", "index"),
    [
        (float("inf"), "median_income", 7),
        (1e308, "total_rooms", 3),  # finite in JSON, infinite in the float32 graph
        (-5.0, "population", 5),
        (-200.0, "longitude", 0),
        ("MOON BASE", "ocean_proximity", 8),
    ],
)
def test_values_outside_the_data_ranges_raise_out_of_range_naming_the_column(scorer, value, column, index):
    row = [-122.23, 37.88, 41.0, 880.0, 129.0, 322.0, 126.0, 8.3252, "NEAR BAY"]
    row[index] = value
    with pytest.raises(OutOfRangeError, match=f"row 0: column '{column}'") as caught:
        scorer.run(_body([row]))
    assert caught.value.http_status == 422


def test_nan_literal_is_refused_as_data_while_null_means_missing(scorer):
    body = '{"data": [[NaN, 37.88, 41.0, 880.0, null, 322.0, 126.0, 8.3252, "NEAR BAY"]]}'
    with pytest.raises(OutOfRangeError, match="'longitude' must be a finite number or null"):
        scorer.run(body)


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ("{not json", "Expecting"),
        ('{"rows": []}', '"data"'),
        (_body([]), "non-empty"),
        (_body([[1.0, 2.0, "INLAND"]]), "expected 9 values"),
        (
            _body([[-122.2, 37.8, 41, 880, 129, 322, 126, "high", "NEAR BAY"]]),
            "'median_income' must be a number",
        ),
        (_body([[-122.2, 37.8, 41, 880, 129, 322, 126, 8.3, 7]]), "'ocean_proximity' must be a string"),
        (_body([{"longitude": -122.2}]), "missing column(s) latitude"),
        (_body([[10**400, 37.8, 41, 880, 129, 322, 126, 8.3, "INLAND"]]), "out of range"),
        ('{"data": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    ],
)
def test_bad_input_raises_value_error_naming_the_problem(scorer, body, names):
    with pytest.raises(ValueError) as caught:
        scorer.run(body)
    assert names in str(caught.value)


def test_schema_errors_are_value_errors_so_the_server_answers_400():
    assert issubclass(SchemaError, ValueError)


def test_session_uses_one_intra_op_thread_without_spinning(scorer):
    options = scorer._session.get_session_options()
    assert options.intra_op_num_threads == 1
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"


def test_init_refuses_a_folder_without_exactly_one_onnx_file(tmp_path, monkeypatch):
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="exactly one .onnx file"):
        score.init()


def test_runs_from_an_uploaded_source_folder_outside_the_package(tmp_path, model_dir, monkeypatch):
    source = tmp_path / "source"
    source.mkdir()
    for name in ("score.py", "schema.py", "onnx_layout.py"):
        shutil.copy(Path(score.__file__).with_name(name), source / name)
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(model_dir))
    entry = load_entry_script(source / "score.py")
    entry.init()
    # the copy is a separate module with its own session, not training.score reused
    assert entry is not score and entry.schema.__name__ == "_score_schema"
    assert entry.run(json.dumps(entry.INPUT_EXAMPLE))["model"] == {"name": "housing-price", "version": 3}
    # loaded as the server loads it, Azure's response class is there: the refusal is a 400
    refusal = entry.run(_body([[1.0]]))
    assert refusal.status_code == 400 and "expected 9 values" in json.loads(refusal.get_data())["message"]
