"""TorchMLPRegressor: fitting, early stopping, missing values, unknown categories, save/load."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from tasks.data import load_housing
from training import mlp
from training.mlp import TorchMLPRegressor
from training.schema import CATEGORICAL_COLUMN, FEATURE_COLUMNS, LABEL

_DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "housing.csv"


@pytest.fixture(scope="module")
def housing() -> pd.DataFrame:
    return load_housing(os.environ.get("DUEL_DATA") or _DEFAULT_DATA, subset=2_000, seed=7)


@pytest.fixture(scope="module")
def fitted(housing) -> TorchMLPRegressor:
    model = TorchMLPRegressor(hidden_layers=(32, 16), epochs=5, batch_size=128, n_threads=1, device="cpu")
    return model.fit(housing.loc[:, list(FEATURE_COLUMNS)], housing[LABEL])


def test_init_only_stores_params_so_clone_works():
    model = TorchMLPRegressor(hidden_layers=(8,), loss="huber", patience=3)
    # clone() re-creates the estimator from get_params(): it fails if __init__ transforms a value.
    assert clone(model).get_params() == model.get_params()


def test_fit_learns_something_better_than_the_median(fitted, housing):
    prices = housing[LABEL].to_numpy()
    predictions = fitted.predict(housing)
    assert predictions.dtype == np.float64 and predictions.shape == (len(housing),)
    baseline = np.mean(np.abs(prices - np.median(prices)))
    assert np.mean(np.abs(predictions - prices)) < 0.8 * baseline


def test_on_epoch_reports_every_epoch_and_best_weights_are_restored(housing):
    seen: list[tuple[int, float]] = []
    model = TorchMLPRegressor(hidden_layers=(16,), epochs=4, patience=10, n_threads=1, device="cpu")
    model.fit(housing, housing[LABEL], on_epoch=lambda epoch, mae: seen.append((epoch, mae)))
    assert [epoch for epoch, _ in seen] == [1, 2, 3, 4]
    assert model.best_val_mae_ == pytest.approx(min(mae for _, mae in seen))


def test_early_stopping_stops_after_patience_epochs_without_improvement(housing):
    seen: list[float] = []
    # A learning rate this large makes the validation MAE jump about, so it soon stops improving.
    model = TorchMLPRegressor(hidden_layers=(16,), lr=1.0, epochs=50, patience=2, n_threads=1, device="cpu")
    model.fit(housing, housing[LABEL], on_epoch=lambda epoch, mae: seen.append(mae))
    assert len(seen) == model.n_epochs_ < 50
    # The run ended because the last `patience` epochs were no better than the best before them.
    assert min(seen[-2:]) >= model.best_val_mae_ == min(seen[:-2])


def test_predict_handles_missing_numeric_values_and_an_unknown_category(fitted, housing):
    rows = housing.head(5).copy()
    rows["total_bedrooms"] = np.nan
    rows[CATEGORICAL_COLUMN] = "ON THE MOON"
    predictions = fitted.predict(rows)
    assert np.isfinite(predictions).all()


def test_save_then_load_predicts_identically(fitted, housing, tmp_path):
    mlp.save(fitted, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.json", "mlp.pt", "preprocessor.joblib"]
    assert json.loads((tmp_path / "config.json").read_text())["params"]["hidden_layers"] == [32, 16]
    loaded = mlp.load(tmp_path)
    np.testing.assert_array_equal(loaded.predict(housing), fitted.predict(housing))
    assert loaded.get_params() == fitted.get_params()


def test_load_names_the_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="mlp.pt"):
        mlp.load(tmp_path)


def test_fit_refuses_a_frame_without_the_feature_columns(housing):
    with pytest.raises(ValueError, match="ocean_proximity"):
        TorchMLPRegressor(epochs=1).fit(housing.drop(columns=[CATEGORICAL_COLUMN]), housing[LABEL])


@pytest.mark.parametrize(
    ("param", "value", "message"),
    [("loss", "l3", "loss must be one of"), ("validation_fraction", 1.0, "validation_fraction"), ("epochs", 0, "epochs")],
)
def test_fit_refuses_bad_params_with_a_message_naming_them(housing, param, value, message):
    with pytest.raises(ValueError, match=message):
        TorchMLPRegressor(**{param: value}).fit(housing, housing[LABEL])
