"""register_versions: ONNX and native versions with the full lineage, and nothing behind a failed gate."""

from __future__ import annotations

import json
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import ElasticNet
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from backends.messages import DatasetUpload
from emulator.core import Experiment, Model, Workspace
from onnx_export import check_parity, to_onnx
from onnx_export.mlp import mlp_to_onnx  # noqa: F401  (registers the MLP exporter)
from tasks.housing_csv import load_housing
from tasks.register import ParityNotPassedError, register_versions
from training import mlp
from training.onnx_layout import predict_file
from training.schema import CATEGORICAL_COLUMN, FEATURE_COLUMNS, LABEL, NUMERIC_COLUMNS


@pytest.fixture
def workspace(emulator_backend) -> Workspace:
    return emulator_backend.workspace


def _training_run(workspace) -> str:
    run = Experiment(workspace, "housing").start_logging()
    run.complete()
    return run.id


@pytest.fixture
def lineage(emulator_backend, workspace, tmp_path) -> dict:
    """A real training run and training dataset version, as the flow registers its winner from."""
    csv = tmp_path / "train.csv"
    csv.write_text("a,b\n1,2\n")
    dataset = emulator_backend.register_dataset(DatasetUpload(str(csv), "housing-train", "train half"))
    return {
        "metrics": {"test_mae": 31_234.5, "test_r2": 0.81},
        "dataset_name": dataset.name,
        "dataset_version": dataset.version,
        "run_id": _training_run(workspace),
        "split_fingerprint": "0123456789abcdef",
    }


def _full(workspace, registered) -> Model:
    return Model(workspace, name=registered.name, version=registered.version)


@pytest.fixture(scope="module")
def frame(housing_path):
    return load_housing(housing_path, subset=1_000, seed=5)


@pytest.fixture(scope="module")
def pipeline(frame):
    featurize = ColumnTransformer(
        [
            ("numeric", SimpleImputer(strategy="median"), list(NUMERIC_COLUMNS)),
            ("category", OneHotEncoder(handle_unknown="ignore"), [CATEGORICAL_COLUMN]),
        ]
    )
    return Pipeline([("featurize", featurize), ("model", ElasticNet())]).fit(
        frame[list(FEATURE_COLUMNS)], frame[LABEL]
    )


def test_registering_the_same_lineage_again_returns_the_versions_registered_before(
    emulator_backend, workspace, lineage, pipeline, frame
):
    exported = to_onnx(pipeline, metadata={"training_run_id": lineage["run_id"]})
    parity = check_parity(pipeline, exported, frame)
    first = register_versions(
        emulator_backend, pipeline, exported, name="housing-price", parity=parity, **lineage
    )
    again = register_versions(
        emulator_backend, pipeline, exported, name="housing-price", parity=parity, **lineage
    )
    other_run = {**lineage, "run_id": _training_run(workspace)}
    later = register_versions(
        emulator_backend, pipeline, exported, name="housing-price", parity=parity, **other_run
    )

    assert again == first
    assert [m.version for m in Model.list(workspace, name="housing-price")] == [2, 1]
    assert (later[0].version, later[1].version) == (2, 2)


def test_registers_onnx_and_native_versions_with_the_full_lineage(
    emulator_backend, workspace, lineage, pipeline, frame, tmp_path
):
    exported = to_onnx(pipeline, metadata={"training_run_id": lineage["run_id"]})
    parity = check_parity(pipeline, exported, frame)
    onnx_ref, native_ref = register_versions(
        emulator_backend, pipeline, exported, name="housing-price", parity=parity, **lineage
    )
    onnx_model, native = _full(workspace, onnx_ref), _full(workspace, native_ref)

    assert (onnx_model.name, onnx_model.framework) == ("housing-price", "Onnx")
    assert (native.name, native.framework) == ("housing-price-native", "ScikitLearn")
    for registered in (onnx_model, native):
        assert registered.tags["source_algorithm"] == "ElasticNet"
        assert (
            registered.tags["dataset_name"] == "housing-train" and registered.tags["dataset_version"] == "1"
        )
        assert registered.tags["training_run_id"] == lineage["run_id"]
        # Registered from its run, as Run.register_model records it: the run and the training data.
        assert registered.run_id == lineage["run_id"] and registered.experiment_name == "housing"
        assert list(registered.datasets) == ["training data"]
        assert registered.tags["split_fingerprint"] == "0123456789abcdef"
        assert float(registered.tags["test_mae"]) == pytest.approx(31_234.5)
        layout = json.loads(registered.properties["input_schema"])
        assert layout["RawColumnNameToOnnxNameMap"]["median_income"] == "median_income"
        assert json.loads(registered.properties["parity_max_abs_error"]) == pytest.approx(
            parity.max_abs_error
        )
        assert json.loads(registered.properties["parity_passed"]) is True
    assert onnx_model.properties["native_model_id"] == native.id

    # The registered files are the models themselves: the ONNX one scores, the native one predicts.
    onnx_path = Model(workspace, "housing-price").download(target_dir=str(tmp_path / "onnx"))
    # A folder, as Azure's AutoML model: model.onnx and the model_onnx.json that says how to feed it.
    scored = predict_file(Path(onnx_path) / "model.onnx", frame.head(5))
    native_path = Model(workspace, "housing-price-native").download(target_dir=str(tmp_path / "native"))
    np.testing.assert_allclose(joblib.load(native_path).predict(frame.head(5)), scored, rtol=1e-4)
    assert [m.name for m in Model.list(workspace, tags=[["split_fingerprint", "0123456789abcdef"]])] == [
        "housing-price",
        "housing-price-native",
    ]


def test_mlp_native_artifact_is_the_saved_folder_with_pytorch_framework(
    emulator_backend, workspace, lineage, frame, tmp_path
):
    model = mlp.TorchMLPRegressor(hidden_layers=(8,), epochs=2, n_threads=1, device="cpu").fit(
        frame, frame[LABEL]
    )
    exported = to_onnx(model)
    _, native_ref = register_versions(
        emulator_backend, model, exported, name="mlp", parity=check_parity(model, exported, frame), **lineage
    )
    native = _full(workspace, native_ref)
    assert native.framework == "PyTorch" and native.tags["source_algorithm"] == "TorchMLPRegressor"
    folder = native.download(target_dir=str(tmp_path / "native"))
    np.testing.assert_array_equal(mlp.load(folder).predict(frame.head(5)), model.predict(frame.head(5)))


def test_a_failed_parity_report_registers_nothing(emulator_backend, workspace, lineage, pipeline, frame):
    exported = to_onnx(pipeline)
    failed = {**check_parity(pipeline, exported, frame).as_dict(), "passed": False}
    with pytest.raises(ParityNotPassedError, match="parity gate"):
        register_versions(
            emulator_backend, pipeline, exported, name="housing-price", parity=failed, **lineage
        )
    assert Model.list(workspace) == []
