"""The torch MLP estimator, its saved form, and the training script inside a real emulated run."""

from __future__ import annotations

import pickletools
from pathlib import Path

import numpy as np
import pytest
import torch

from training import mlp, mlp_features
from training.schema import FEATURE_COLUMNS, LABEL

TRAINING_DIR = Path(mlp.__file__).resolve().parent


@pytest.fixture(scope="module")
def frames(housing):
    complete = housing.dropna()
    train = complete.sample(n=1500, random_state=0)
    test = housing.drop(train.index).sample(n=400, random_state=1)
    return train, test


@pytest.fixture(scope="module")
def fitted(frames):
    train, _ = frames
    model = mlp.TorchMLPRegressor(hidden_layers=(32, 16), epochs=25, patience=5, lr=3e-3, n_threads=1)
    return model.fit(train[list(FEATURE_COLUMNS)], train[LABEL])


def test_fit_beats_the_median_baseline_in_dollars(fitted, frames):
    _, test = frames
    predictions = fitted.predict(test[list(FEATURE_COLUMNS)])
    mae = np.mean(np.abs(predictions - test[LABEL]))
    baseline = np.mean(np.abs(test[LABEL].median() - test[LABEL]))
    assert mae < 0.8 * baseline
    assert 1e4 < np.median(predictions) < 1e6  # dollars, not the standardized log target


def test_missing_bedrooms_absent_from_training_are_imputed(fitted, housing):
    assert not fitted.preprocessor_.feature_names_in_.size == 0
    missing = housing[housing["total_bedrooms"].isna()].head(20)
    assert np.isfinite(fitted.predict(missing[list(FEATURE_COLUMNS)])).all()


def test_an_unseen_ocean_category_still_scores(fitted, frames):
    _, test = frames
    odd = test[list(FEATURE_COLUMNS)].head(5).copy()
    odd["ocean_proximity"] = "ON THE MOON"
    assert np.isfinite(fitted.predict(odd)).all()


def test_on_epoch_reports_the_validation_mae_each_epoch(frames):
    train, _ = frames
    seen = []
    model = mlp.TorchMLPRegressor(hidden_layers=(8,), epochs=3, patience=10, n_threads=1)
    model.fit(
        train[list(FEATURE_COLUMNS)], train[LABEL], on_epoch=lambda epoch, mae: seen.append((epoch, mae))
    )
    assert [e for e, _ in seen] == [1, 2, 3]
    assert min(m for _, m in seen) == pytest.approx(model.best_val_mae_)


def test_early_stopping_ends_training_after_patience_epochs_without_progress(frames):
    train, _ = frames
    # a rate far too high makes the validation MAE bounce instead of improving
    model = mlp.TorchMLPRegressor(hidden_layers=(8,), epochs=500, patience=2, lr=1.0, n_threads=1)
    model.fit(train[list(FEATURE_COLUMNS)], train[LABEL])
    assert len(model.history_) < 500
    assert len(model.history_) == model.best_epoch_ + 2


def test_export_surface_reproduces_predict(fitted, frames):
    # What the ONNX export composes: preprocessor_ -> module_ -> back-transform.
    _, test = frames
    X = test[list(FEATURE_COLUMNS)]
    features = torch.as_tensor(fitted.preprocessor_.transform(X), dtype=torch.float32)
    with torch.no_grad():
        z = fitted.module_(features).squeeze(1).numpy().astype(np.float64)
    dollars = np.expm1(z * fitted.target_std_ + fitted.target_mean_) if fitted.log_target else z
    np.testing.assert_allclose(dollars, fitted.predict(X), rtol=1e-6)


def test_engineered_features_widen_the_network_and_report_its_input_width(frames):
    train, test = frames
    model = mlp.TorchMLPRegressor(hidden_layers=(16,), epochs=2, feature_engineering=True, n_threads=1)
    model.fit(train[list(FEATURE_COLUMNS)], train[LABEL])
    # The ONNX export reads the input width off the network's first layer.
    assert model.module_[0].in_features == model.n_features_in_
    features = torch.as_tensor(
        model.preprocessor_.transform(test[list(FEATURE_COLUMNS)]), dtype=torch.float32
    )
    with torch.no_grad():
        widened = model.module_[0](features)
    assert widened.shape[1] > model.n_features_in_
    assert torch.isfinite(widened).all()


def _neighbourhood(locations, targets) -> mlp_features.EngineeredFeatures:
    """A feature layer whose reference rows sit at ``locations`` (longitude, latitude in degrees,
    the layer's inputs unscaled) with ``targets``."""
    layer = mlp_features.EngineeredFeatures(n_inputs=2, n_numeric=2, n_reference=1)
    layer.fit_reference(torch.tensor(locations), torch.tensor(targets))
    return layer


def test_neighbour_prices_are_those_of_the_reference_rows_near_the_location():
    layer = _neighbourhood([[0.0, 0.0], [0.0, 0.02], [3.0, 3.0]], [1.0, 3.0, 9.0])
    with torch.no_grad():
        near_origin, far_corner = layer.raw_neighbours(torch.tensor([[0.0, 0.01], [3.0, 3.0]]))
    # Narrowest kernel: the mean of the two rows equally near (one hundredth of a degree away).
    narrowest = mlp_features.NEIGHBOUR_BANDWIDTHS[0]
    assert near_origin[0].item() == pytest.approx(2.0, abs=1e-2)
    assert near_origin[1].item() == pytest.approx(np.log1p(2 * np.exp(-0.5 / narrowest**2)), abs=1e-3)
    assert far_corner[0].item() == pytest.approx(9.0, abs=1e-2)
    # However wide the kernel, a row three degrees away weighs nothing at the origin.
    assert near_origin[-2].item() == pytest.approx(2.0, abs=1e-2)


def test_places_are_whole_hundredths_of_a_degree_so_float32_inputs_find_the_same_ones():
    layer = _neighbourhood([[-119.57, 35.63]], [1.0])
    as_float32 = torch.tensor([[-119.57, 35.63]], dtype=torch.float32)
    assert layer.places(as_float32).tolist() == [[-11957.0, 3563.0]]
    assert layer.reference_location.tolist() == [[-11957.0, 3563.0]]


def test_a_place_with_no_reference_row_near_it_gets_the_mean_price():
    layer = _neighbourhood([[0.0, 0.0]], [2.0])
    with torch.no_grad():
        (far,) = layer.raw_neighbours(torch.tensor([[5.0, 5.0]]))
    # Standardized targets: 0 is the mean price; no weight at all nearby.
    assert far[0::2].tolist() == pytest.approx([0.0] * len(mlp_features.NEIGHBOUR_BANDWIDTHS), abs=1e-6)
    assert far[1::2].tolist() == pytest.approx([0.0] * len(mlp_features.NEIGHBOUR_BANDWIDTHS), abs=1e-6)


def test_a_training_row_leaves_its_own_price_out_of_its_neighbourhood():
    # Rows 0 and 3 share a place (as many districts do); row 1 is near it, row 2 far from both.
    locations = [[0.0, 0.0], [0.0, 0.05], [1.0, 1.0], [0.0, 0.0]]
    targets = torch.tensor([1.0, 5.0, 9.0, 3.0])
    layer = _neighbourhood(locations, targets.tolist())
    assert layer.n_reference == 3
    rows = torch.tensor(locations)
    with torch.no_grad():
        included = layer.raw_neighbours(rows)
        left_out = layer.raw_neighbours(rows, own_target=targets)
    assert included[:, 0].tolist() == pytest.approx([2.0, 5.0, 9.0, 2.0], abs=1e-2)
    # Without itself, a row sees the others at its place; the narrowest kernel reaches no further,
    # so rows 1 and 2 get the mean price (0) and no weight.
    assert left_out[:, 0].tolist() == pytest.approx([3.0, 0.0, 0.0, 1.0], abs=1e-2)
    assert left_out[:, 1].tolist() == pytest.approx([np.log1p(1.0), 0.0, 0.0, np.log1p(1.0)], abs=1e-2)


def test_neighbour_features_keep_the_training_rows_as_their_reference(frames):
    train, test = frames
    X, y = train[list(FEATURE_COLUMNS)], train[LABEL]
    model = mlp.TorchMLPRegressor(
        hidden_layers=(16,), epochs=2, feature_engineering=True, neighbours=True, n_threads=1
    ).fit(X, y, eval_set=(test[list(FEATURE_COLUMNS)], test[LABEL]))
    layer = model.module_[0]
    places = train[["longitude", "latitude"]].drop_duplicates()
    assert model.n_reference_ == len(places) == layer.reference_location.shape[0]
    # The references hold every fitted row once, with its standardized log price.
    target_sum, count = layer.reference_sums.sum(dim=0).tolist()
    expected = (np.log1p(y.to_numpy()) - model.target_mean_) / model.target_std_
    assert count == len(train)
    assert target_sum == pytest.approx(expected.sum(), abs=1e-2)
    plain = mlp.TorchMLPRegressor(hidden_layers=(16,), epochs=2, feature_engineering=True, n_threads=1)
    plain.fit(X, y, eval_set=(test[list(FEATURE_COLUMNS)], test[LABEL]))
    assert model.module_[1].in_features == plain.module_[1].in_features + 2 * len(
        mlp_features.NEIGHBOUR_BANDWIDTHS
    )


def test_weight_averaging_scores_the_averaged_weights_it_keeps(frames):
    train, test = frames
    X, y = train[list(FEATURE_COLUMNS)], train[LABEL]
    seen = []
    model = mlp.TorchMLPRegressor(hidden_layers=(16,), epochs=4, ema_decay=0.99, n_threads=1)
    model.fit(X, y, eval_set=(test[list(FEATURE_COLUMNS)], test[LABEL]), on_epoch=lambda e, m: seen.append(m))
    plain = mlp.TorchMLPRegressor(hidden_layers=(16,), epochs=4, n_threads=1)
    plain.fit(X, y, eval_set=(test[list(FEATURE_COLUMNS)], test[LABEL]))
    kept = np.mean(np.abs(model.predict(test[list(FEATURE_COLUMNS)]) - test[LABEL]))
    assert kept == pytest.approx(min(seen), rel=1e-5)
    assert seen != pytest.approx(plain.history_)


@pytest.mark.parametrize(("feature_engineering", "neighbours"), [(False, False), (True, False), (True, True)])
def test_save_then_load_predicts_identically_without_pickling_project_classes(
    frames, tmp_path, feature_engineering, neighbours
):
    train, test = frames
    model = mlp.TorchMLPRegressor(
        hidden_layers=(16,),
        epochs=3,
        feature_engineering=feature_engineering,
        neighbours=neighbours,
        n_threads=1,
    ).fit(train[list(FEATURE_COLUMNS)], train[LABEL])
    folder = mlp.save(model, tmp_path / "model")
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "mlp.pt", "preprocessor.joblib"]
    modules = {
        arg.split(" ")[0]
        for op, arg, _ in pickletools.genops((folder / "preprocessor.joblib").read_bytes())
        if op.name in ("GLOBAL", "STACK_GLOBAL") and isinstance(arg, str)
    }
    assert not any(m.startswith("training") for m in modules)
    loaded = mlp.load(folder)
    np.testing.assert_array_equal(
        loaded.predict(test[list(FEATURE_COLUMNS)]), model.predict(test[list(FEATURE_COLUMNS)])
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"loss": "hinge"}, "loss must be one of"),
        ({"hidden_layers": ()}, "hidden_layers"),
        ({"dropout": 1.0}, "dropout"),
        ({"ema_decay": 1.0}, "ema_decay"),
    ],
)
def test_invalid_parameters_are_refused_by_name(frames, params, message):
    train, _ = frames
    with pytest.raises(ValueError, match=message):
        mlp.TorchMLPRegressor(**params).fit(train[list(FEATURE_COLUMNS)], train[LABEL])


def test_training_script_in_an_emulated_run_logs_val_mae_per_epoch_and_writes_the_model(
    tmp_path, monkeypatch, housing_path
):
    monkeypatch.setenv("DUEL_EMULATOR_HOME", str(tmp_path / "home"))
    from emulator.core import Experiment, ScriptRunConfig, Workspace

    experiment = Experiment(Workspace("sub", "rg", "mlp-tests"), "train-mlp")
    config = ScriptRunConfig(
        source_directory=str(TRAINING_DIR),
        script="train_mlp.py",
        arguments=[
            "--data",
            str(housing_path),
            "--subset",
            "1200",
            "--epochs",
            "3",
            "--hidden-1",
            "16",
            "--hidden-2",
            "8",
        ],
    )
    run = experiment.submit(config)
    run.wait_for_completion(raise_on_error=True)
    metrics = run.get_metrics()
    assert len(metrics["val_mae"]) == 3
    assert metrics["MAE"] == pytest.approx(min(metrics["val_mae"]))
    run.download_files(prefix="outputs/model", output_directory=str(tmp_path / "download"))
    model = mlp.load(tmp_path / "download" / "outputs" / "model")
    assert model.hidden_layers == (16, 8)
    assert np.isfinite(model.predict(housing_path_frame(housing_path))).all()


def housing_path_frame(path):
    import pandas as pd

    return pd.read_csv(path, nrows=10)[list(FEATURE_COLUMNS)]
