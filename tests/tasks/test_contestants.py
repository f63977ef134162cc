"""The AutoML contestant as Azure leaves it: judged, exported and registered as its own ONNX copy.

The AutoML job is stood in for by what it leaves in the workspace (as Azure's AutoML does with
``enable_onnx_compatible_models``): a parent run whose children hold ``outputs/model.pkl`` and,
for the ones that converted, ``outputs/model.onnx``. The best child here has no ONNX copy, so the
contestant must be the best child that has one.
"""

from __future__ import annotations

import json
import pickle

import numpy as np
import onnx
import pytest

from backends.messages import RunRef
from emulator.core import Experiment
from emulator.train.automl.run import AutoMLRun
from tasks.compare import score
from tasks.contestants import AUTOML, Contestant, ShippedOnnx, load_model
from tasks.registered_split import prepare_data, read_split
from tasks.ship import JUDGED_AS_SHIPPED, export_winner, register_winner
from training.onnx_layout import RESOURCE_FILE, OnnxLayout, predict_file
from training.schema import FEATURE_COLUMNS, LABEL

METRIC = "normalized_mean_absolute_error"


@pytest.fixture
def automl(duel_settings, emulator_backend, housing_onnx, tmp_path):
    """(settings, refs, contestant, score, the ONNX child's id, its pickle's bytes)."""
    refs = prepare_data.fn(duel_settings)
    experiment = Experiment(emulator_backend.workspace, "duel-automl")
    settings = {"primary_metric": METRIC, "enable_onnx_compatible_models": True}
    parent = AutoMLRun._create(
        experiment,
        run_type="automl",
        run_id="AutoML_test",
        properties={"AMLSettingsJsonString": json.dumps(settings)},
    )
    native = tmp_path / "model.pkl"
    native.write_bytes(pickle.dumps({"stands for": "AutoML's own pickle"}))
    for iteration, (algorithm, value, has_onnx) in enumerate(
        [("LightGBM", 0.10, True), ("XGBoost", 0.05, False)]
    ):
        child = parent.child_run(name=algorithm, run_id=f"AutoML_test_{iteration}")
        child.add_properties({"iteration": str(iteration), "run_algorithm": algorithm})
        child.log(METRIC, value)
        child.upload_file("outputs/model.pkl", str(native))
        if has_onnx:
            child.upload_file("outputs/model.onnx", str(housing_onnx))
            child.upload_file("outputs/model_onnx.json", str(housing_onnx.with_name(RESOURCE_FILE)))
        child.complete()
    parent.complete()
    contestant = Contestant(AUTOML, RunRef("duel-automl", parent.id), "AutoML_test_0")
    test = read_split(emulator_backend, refs.test)
    predicted = predict_file(housing_onnx, test.loc[:, list(FEATURE_COLUMNS)])
    result = score(
        AUTOML, "LightGBM", "AutoML_test_0", test[LABEL].to_numpy(), predicted, refs.split_fingerprint
    )
    return duel_settings, refs, contestant, result, native.read_bytes()


def test_automl_is_judged_on_the_onnx_copy_of_its_best_child_that_has_one(
    automl, emulator_backend, housing_onnx
):
    settings, refs, contestant, _, _ = automl
    loaded = load_model(emulator_backend, contestant)
    assert isinstance(loaded.model, ShippedOnnx)
    assert (loaded.run_id, loaded.algorithm) == ("AutoML_test_0", "LightGBM")
    test = read_split(emulator_backend, refs.test).loc[:, list(FEATURE_COLUMNS)]
    np.testing.assert_array_equal(loaded.model.predict(test), predict_file(housing_onnx, test))


def test_automl_ships_the_graph_it_was_judged_on_stamped_with_its_lineage(automl, housing_onnx):
    settings, refs, contestant, result, _ = automl
    exported = export_winner.fn(settings, refs, contestant, result)
    assert exported.parity == JUDGED_AS_SHIPPED and exported.run_id == "AutoML_test_0"
    shipped = onnx.load_model(exported.onnx_path)
    metadata = {p.key: p.value for p in shipped.metadata_props}
    assert metadata["training_run_id"] == "AutoML_test_0" and metadata["source_algorithm"] == "LightGBM"
    assert metadata["dataset_version"] == str(refs.train.version) and "input_schema" in metadata
    assert shipped.graph == onnx.load_model(housing_onnx).graph
    assert OnnxLayout.read(exported.onnx_path) == OnnxLayout.read(housing_onnx)


def test_automl_registers_its_onnx_copy_and_its_pickle_unopened(automl, emulator_backend, tmp_path):
    settings, refs, contestant, result, pickled = automl
    exported = export_winner.fn(settings, refs, contestant, result)
    registration = register_winner.fn(settings, refs, contestant, result, exported)
    native = emulator_backend.download_model(registration.native_model, tmp_path / "native")
    assert native.read_bytes() == pickled
    assert registration.onnx_model.tags["format"] == "onnx"
    assert registration.native_model.tags["training_run_id"] == "AutoML_test_0"
