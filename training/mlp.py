"""The PyTorch MLP regressor that HyperDrive tunes, as a scikit-learn estimator.

``TorchMLPRegressor`` takes the raw housing feature DataFrame (the columns of
:data:`training.schema.FEATURE_COLUMNS`) and predicts the price in dollars. Inside it:

* ``preprocessor_``: a fitted ``ColumnTransformer``: median imputation and standard scaling of the
  eight numeric columns (imputation is needed even when the training rows have no gap: with the
  fixed split every missing ``total_bedrooms`` lands in the test rows), one-hot encoding of
  ``ocean_proximity`` that ignores categories never seen in training;
* ``module_``: an ``nn.Module`` mapping the preprocessed float32 matrix to the standardized target;
* the target back-transform: ``y = expm1(z * target_std_ + target_mean_)`` when ``log_target``,
  else ``z * target_std_ + target_mean_``.

The pieces are public so that the ONNX exporter can rebuild the same function as one graph.
:func:`save` / :func:`load` store them as ``preprocessor.joblib`` (scikit-learn objects only),
``mlp.pt`` (the state dict) and ``config.json``: no class of this project is pickled, so a saved
model loads in any environment that has this module.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted
from torch import nn

from training.schema import CATEGORICAL_COLUMN, FEATURE_COLUMNS, NUMERIC_COLUMNS

__all__ = ["TorchMLPRegressor", "save", "load"]

_LOSSES: dict[str, Callable[[], nn.Module]] = {"l1": nn.L1Loss, "mse": nn.MSELoss, "huber": nn.HuberLoss}
_PREPROCESSOR_FILE = "preprocessor.joblib"
_WEIGHTS_FILE = "mlp.pt"
_CONFIG_FILE = "config.json"
# Rows scored per forward pass at predict time: bounds memory, not a tuning knob.
_PREDICT_CHUNK = 65_536


def _available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def build_preprocessor() -> ColumnTransformer:
    """The unfitted feature preprocessor: numeric impute + scale, one-hot for the category."""
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    category = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    return ColumnTransformer(
        [("numeric", numeric, list(NUMERIC_COLUMNS)), ("category", category, [CATEGORICAL_COLUMN])],
        sparse_threshold=0.0,
    )


def build_module(n_inputs: int, hidden_layers: tuple[int, ...], dropout: float) -> nn.Sequential:
    """ReLU layers of the given widths, then one linear output unit."""
    layers: list[nn.Module] = []
    width = n_inputs
    for units in hidden_layers:
        layers += [nn.Linear(width, units), nn.ReLU()]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        width = units
    layers.append(nn.Linear(width, 1))
    return nn.Sequential(*layers)


def _check_features(X: pd.DataFrame) -> None:
    if not isinstance(X, pd.DataFrame):
        raise TypeError(
            f"X must be a pandas DataFrame with columns {', '.join(FEATURE_COLUMNS)}, got {type(X).__name__}"
        )
    missing = [column for column in FEATURE_COLUMNS if column not in X.columns]
    if missing:
        raise ValueError(f"X is missing feature column(s): {', '.join(missing)}")


class TorchMLPRegressor(RegressorMixin, BaseEstimator):
    """A multi-layer perceptron on the housing features, trained with Adam and early stopping.

    ``fit`` holds out ``validation_fraction`` of the rows (seeded by ``random_state``), trains on the
    rest and, after every epoch, measures the validation MAE in dollars; training stops after
    ``patience`` epochs without improvement and the weights of the best epoch are restored.

    Args:
        hidden_layers: widths of the hidden ReLU layers.
        lr: Adam learning rate.
        batch_size: rows per optimisation step.
        epochs: the most epochs to train.
        weight_decay: Adam's L2 penalty.
        dropout: dropout after each hidden layer (0 disables it).
        loss: ``'l1'``, ``'mse'`` or ``'huber'``, on the standardized (log) target.
        log_target: train on ``log1p(price)`` rather than the price.
        patience: epochs without a better validation MAE before stopping.
        validation_fraction: share of the rows held out for early stopping, in (0, 1).
        random_state: seed of the split, the weight initialisation and the batch order.
        device: ``'auto'`` (CUDA when available), ``'cpu'`` or ``'cuda'``.
        n_threads: CPU threads for torch; ``None`` uses the cores this process may run on.
    """

    def __init__(
        self,
        hidden_layers=(256, 128),
        lr=1e-3,
        batch_size=256,
        epochs=100,
        weight_decay=0.0,
        dropout=0.0,
        loss="l1",
        log_target=True,
        patience=10,
        validation_fraction=0.1,
        random_state=0,
        device="auto",
        n_threads=None,
    ):
        self.hidden_layers = hidden_layers
        self.lr = lr
        self.batch_size = batch_size
        self.epochs = epochs
        self.weight_decay = weight_decay
        self.dropout = dropout
        self.loss = loss
        self.log_target = log_target
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.device = device
        self.n_threads = n_threads

    def _validate_params(self) -> None:
        if self.loss not in _LOSSES:
            raise ValueError(f"loss must be one of {', '.join(map(repr, _LOSSES))}, got {self.loss!r}")
        if not 0 < self.validation_fraction < 1:
            raise ValueError(f"validation_fraction must be in (0, 1), got {self.validation_fraction}")
        if not self.hidden_layers or any(int(units) < 1 for units in self.hidden_layers):
            raise ValueError(
                f"hidden_layers must be a non-empty sequence of positive widths, got {self.hidden_layers!r}"
            )
        for name in ("batch_size", "epochs", "patience"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be a positive integer, got {getattr(self, name)!r}")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.device not in ("auto", "cpu", "cuda"):
            raise ValueError(f"device must be 'auto', 'cpu' or 'cuda', got {self.device!r}")

    def _torch_device(self) -> torch.device:
        if self.device == "auto":
            return torch.device("cuda" if torch.cuda.is_available() else "cpu")
        return torch.device(self.device)

    def _encode_target(self, y: np.ndarray) -> np.ndarray:
        z = np.log1p(y) if self.log_target else y
        return (z - self.target_mean_) / self.target_std_

    def _decode_target(self, z: np.ndarray) -> np.ndarray:
        value = z.astype(np.float64) * self.target_std_ + self.target_mean_
        return np.expm1(value) if self.log_target else value

    def _forward(self, features: np.ndarray) -> np.ndarray:
        device = next(self.module_.parameters()).device
        self.module_.eval()
        outputs = []
        with torch.no_grad():
            for start in range(0, len(features), _PREDICT_CHUNK):
                batch = torch.as_tensor(
                    features[start : start + _PREDICT_CHUNK], dtype=torch.float32, device=device
                )
                outputs.append(self.module_(batch).reshape(-1).cpu().numpy())
        return np.concatenate(outputs) if outputs else np.empty(0, dtype=np.float32)

    def fit(
        self, X: pd.DataFrame, y, on_epoch: Callable[[int, float], None] | None = None
    ) -> TorchMLPRegressor:
        """Fit on the raw feature frame ``X`` and prices ``y`` (dollars).

        ``on_epoch(epoch, val_mae_dollars)`` is called after every epoch (counted from 1), so a
        training script can log the learning curve as it goes.
        """
        self._validate_params()
        _check_features(X)
        y = np.asarray(y, dtype=np.float64).reshape(-1)
        if len(y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
        if not np.isfinite(y).all():
            raise ValueError("y contains NaN or infinite values")
        if self.log_target and (y <= -1).any():
            raise ValueError("log_target=True needs every target value above -1")
        n_validation = max(1, round(len(y) * self.validation_fraction))
        if len(y) - n_validation < 1:
            raise ValueError(f"too few rows ({len(y)}) to hold out a validation split")

        torch.set_num_threads(max(1, int(self.n_threads or _available_cores())))
        torch.manual_seed(self.random_state)
        rng = np.random.default_rng(self.random_state)
        order = rng.permutation(len(y))
        val_rows, train_rows = order[:n_validation], order[n_validation:]
        X_train, X_val = X.iloc[train_rows], X.iloc[val_rows]
        y_train, y_val = y[train_rows], y[val_rows]

        self.preprocessor_ = build_preprocessor().fit(X_train)
        z_train = np.log1p(y_train) if self.log_target else y_train
        self.target_mean_ = float(z_train.mean())
        self.target_std_ = float(z_train.std()) or 1.0

        device = self._torch_device()
        features = torch.as_tensor(self.preprocessor_.transform(X_train), dtype=torch.float32, device=device)
        targets = torch.as_tensor(self._encode_target(y_train), dtype=torch.float32, device=device).reshape(
            -1, 1
        )
        val_features = self.preprocessor_.transform(X_val).astype(np.float32)
        self.n_features_in_ = len(FEATURE_COLUMNS)
        self.module_ = build_module(
            features.shape[1], tuple(int(u) for u in self.hidden_layers), self.dropout
        ).to(device)

        optimizer = torch.optim.Adam(self.module_.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        criterion = _LOSSES[self.loss]()
        generator = torch.Generator(device="cpu").manual_seed(self.random_state)
        best_state, self.best_val_mae_, stale = None, float("inf"), 0
        self.n_epochs_ = 0
        for epoch in range(1, int(self.epochs) + 1):
            self.module_.train()
            for batch in torch.randperm(len(features), generator=generator).split(int(self.batch_size)):
                batch = batch.to(device)
                optimizer.zero_grad()
                criterion(self.module_(features[batch]), targets[batch]).backward()
                optimizer.step()
            val_mae = float(np.mean(np.abs(self._decode_target(self._forward(val_features)) - y_val)))
            self.n_epochs_ = epoch
            if on_epoch is not None:
                on_epoch(epoch, val_mae)
            if val_mae < self.best_val_mae_:
                self.best_val_mae_, stale = val_mae, 0
                best_state = {key: value.detach().clone() for key, value in self.module_.state_dict().items()}
            else:
                stale += 1
                if stale >= self.patience:
                    break
        if best_state is not None:
            self.module_.load_state_dict(best_state)
        self.module_.eval()
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Prices in dollars (float64, one per row of ``X``)."""
        check_is_fitted(self, "module_")
        _check_features(X)
        features = self.preprocessor_.transform(X.loc[:, list(FEATURE_COLUMNS)]).astype(np.float32)
        return self._decode_target(self._forward(features))


def save(model: TorchMLPRegressor, directory: str | os.PathLike) -> Path:
    """Write a fitted model to ``directory`` (created if needed); return the folder."""
    check_is_fitted(model, "module_")
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    joblib.dump(model.preprocessor_, folder / _PREPROCESSOR_FILE)
    state = {key: value.detach().cpu() for key, value in model.module_.state_dict().items()}
    torch.save(state, folder / _WEIGHTS_FILE)
    params = model.get_params()
    params["hidden_layers"] = [int(units) for units in params["hidden_layers"]]
    config = {
        "params": params,
        "n_inputs": int(model.module_[0].in_features),
        "target_mean": model.target_mean_,
        "target_std": model.target_std_,
        "best_val_mae": model.best_val_mae_,
        "n_epochs": model.n_epochs_,
    }
    (folder / _CONFIG_FILE).write_text(json.dumps(config, indent=2))
    return folder


def load(directory: str | os.PathLike) -> TorchMLPRegressor:
    """Read a model written by :func:`save`; its module lives on the CPU."""
    folder = Path(directory)
    missing = [
        name for name in (_CONFIG_FILE, _WEIGHTS_FILE, _PREPROCESSOR_FILE) if not (folder / name).is_file()
    ]
    if missing:
        raise FileNotFoundError(f"{folder}: not a saved TorchMLPRegressor (missing {', '.join(missing)})")
    config = json.loads((folder / _CONFIG_FILE).read_text())
    params = dict(config["params"], hidden_layers=tuple(config["params"]["hidden_layers"]))
    model = TorchMLPRegressor(**params)
    model.preprocessor_ = joblib.load(folder / _PREPROCESSOR_FILE)
    model.module_ = build_module(config["n_inputs"], params["hidden_layers"], params["dropout"])
    model.module_.load_state_dict(torch.load(folder / _WEIGHTS_FILE, map_location="cpu", weights_only=True))
    model.module_.eval()
    model.target_mean_ = config["target_mean"]
    model.target_std_ = config["target_std"]
    model.best_val_mae_ = config["best_val_mae"]
    model.n_epochs_ = config["n_epochs"]
    model.n_features_in_ = len(FEATURE_COLUMNS)
    return model
