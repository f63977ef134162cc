"""The exploration script's switches, each end to end in a real emulated run on a small subset."""

from __future__ import annotations

from pathlib import Path

import joblib
import pytest

from training import explore_models
from training.explore_report import BAND_TABLE_COLUMNS, IMPORTANCE_TABLE_COLUMNS

TRAINING_DIR = Path(explore_models.__file__).resolve().parent
PNG = b"\x89PNG\r\n\x1a\n"
SUBSET = ["--subset", "400"]


@pytest.fixture
def experiment(tmp_path, monkeypatch):
    monkeypatch.setenv("DUEL_EMULATOR_HOME", str(tmp_path / "home"))
    from emulator.core import Experiment, Workspace

    return Experiment(Workspace("sub", "rg", "explore-tests"), "explore")


def _explore(experiment, housing_path, *arguments):
    from emulator.core import ScriptRunConfig

    config = ScriptRunConfig(
        str(TRAINING_DIR), "explore.py", arguments=["--data", str(housing_path), *SUBSET, *arguments]
    )
    run = experiment.submit(config)
    run.wait_for_completion(raise_on_error=True)
    return run


def _assert_evaluated(run, tmp_path):
    metrics = run.get_metrics()
    assert {"MAE", "RMSE", "R2", "MAPE"} <= set(metrics)
    assert 0 < metrics["MAE"] < metrics["RMSE"]
    assert len(metrics["abs_error_percentiles"]) == 5
    assert list(metrics["errors_by_price_band"]) == list(BAND_TABLE_COLUMNS)
    images = [name for name in run.get_file_names() if name.endswith(".png")]
    for image in ("predicted_vs_true", "residuals", "error_map"):
        assert any(name.startswith(image) for name in images), image
    target = tmp_path / run.id / "image.png"
    run.download_file(images[0], str(target))
    assert target.read_bytes().startswith(PNG)


def test_randomforest_logs_metrics_table_images_explanation_and_model(experiment, housing_path, tmp_path):
    run = _explore(experiment, housing_path, "--models", "randomforest")
    _assert_evaluated(run, tmp_path)
    importance = run.get_metrics()["feature_importance"]
    assert list(importance) == list(IMPORTANCE_TABLE_COLUMNS)
    assert "median_income" in importance["feature"][:3]  # the strongest predictor of price
    run.download_file("outputs/model.pkl", str(tmp_path / "model.pkl"))
    assert hasattr(joblib.load(tmp_path / "model.pkl"), "predict")


@pytest.mark.slow
def test_sklearnmodels_makes_a_child_run_per_model_and_compares_them(experiment, housing_path, tmp_path):
    only = ["ridge", "knn", "decisiontree"]
    run = _explore(
        experiment, housing_path, "--models", "sklearnmodels", "--max-concurrent-models", "2", "--only", *only
    )
    children = {child.get_tags()["model"]: child for child in run.get_children()}
    assert sorted(children) == sorted(only)
    for child in children.values():
        assert child.get_status() == "Completed"
        assert "outputs/model.pkl" in child.get_file_names()
    _assert_evaluated(children["knn"], tmp_path)
    comparison = run.get_metrics()["model_comparison"]
    assert sorted(comparison["model"]) == sorted(only)
    assert comparison["MAE"] == sorted(comparison["MAE"])
    assert run.get_tags()["best_model"] == comparison["model"][0]
    assert "feature_importance" in run.get_metrics()


def test_the_catalogue_holds_the_fifteen_regressors_of_the_recipe():
    assert len(explore_models.MODEL_NAMES) == 15
    with pytest.raises(ValueError, match="unknown model 'xgboost'"):
        explore_models.build("xgboost")


def test_deeplearning_passes_model_options_to_the_mlp(experiment, housing_path, tmp_path):
    run = _explore(
        experiment,
        housing_path,
        "--models",
        "deeplearning",
        "--epochs",
        "3",
        "--hidden-1",
        "16",
        "--hidden-2",
        "0",
    )
    _assert_evaluated(run, tmp_path)
    assert len(run.get_metrics()["val_mae"]) == 3
    assert "outputs/model/config.json" in run.get_file_names()


def test_model_options_are_refused_for_other_switches(experiment, housing_path):
    from emulator.exceptions import ActivityFailedException

    with pytest.raises(ActivityFailedException, match="exited with code 2"):
        _explore(experiment, housing_path, "--models", "randomforest", "--epochs", "3")
