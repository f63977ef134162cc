"""A PyTorch MLP regressor for California housing with the scikit-learn estimator API.

``TorchMLPRegressor().fit(X, y)`` takes the raw feature frame (``schema.FEATURE_COLUMNS``) and prices
in dollars; ``predict(X)`` returns dollars. Inside, a scikit-learn ``ColumnTransformer`` imputes
(median) and standardizes the numeric columns and one-hot encodes ``ocean_proximity`` (unknown
categories score as all zeros), and a torch module maps those float32 features to the standardized
(optionally log1p) target. With ``feature_engineering=True`` the module first adds ratio and log
features computed from the un-scaled columns, so the whole pipeline stays two exportable parts:
``preprocessor_`` (scikit-learn) and ``module_`` (torch). The price is then
``back_transform(module_(preprocessor_.transform(X)))``, with ``target_mean_``, ``target_std_`` and
``log_target``.

``save(model, dir)`` writes ``preprocessor.joblib`` (scikit-learn objects only), ``mlp.pt`` (a
state_dict) and ``config.json``; ``load(dir)`` rebuilds the estimator without unpickling any class of
this project.
"""

from __future__ import annotations

import copy
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
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted
from torch import nn

try:
    from training.mlp_features import EngineeredFeatures
    from training.schema import CATEGORICAL_COLUMN, NUMERIC_COLUMNS, OCEAN_CATEGORIES
except ImportError:  # run as a script from inside training/ (an uploaded source directory)
    from mlp_features import EngineeredFeatures
    from schema import CATEGORICAL_COLUMN, NUMERIC_COLUMNS, OCEAN_CATEGORIES

__all__ = ["TorchMLPRegressor", "save", "load"]

_LOSSES: dict[str, Callable[[], nn.Module]] = {"l1": nn.L1Loss, "mse": nn.MSELoss, "huber": nn.HuberLoss}


def _preprocessor() -> ColumnTransformer:
    numeric = Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])
    category = OneHotEncoder(
        categories=[list(OCEAN_CATEGORIES)], handle_unknown="ignore", sparse_output=False
    )
    return ColumnTransformer(
        [("numeric", numeric, list(NUMERIC_COLUMNS)), ("category", category, [CATEGORICAL_COLUMN])],
        sparse_threshold=0.0,
    )


def _build_module(
    n_inputs: int, hidden_layers, dropout: float, feature_engineering: bool, n_reference: int = 0
) -> nn.Sequential:
    layers: list[nn.Module] = []
    width = n_inputs
    if feature_engineering:
        layers.append(EngineeredFeatures(n_inputs, len(NUMERIC_COLUMNS), n_reference))
        width += layers[0].n_extra()
    for hidden in hidden_layers:
        layers += [nn.Linear(width, hidden), nn.ReLU()]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        width = hidden
    layers.append(nn.Linear(width, 1))
    return nn.Sequential(*layers)


def _chunks(rows: torch.Tensor, size: int = 256):
    """Slices of rows: the distances from every row to every reference place at once would not fit."""
    return rows.split(size)


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class TorchMLPRegressor(RegressorMixin, BaseEstimator):
    """An MLP on the standardized (log1p) target, trained with AdamW and early stopping.

    Early stopping watches the validation MAE in dollars: on ``eval_set`` when given, otherwise on
    a ``validation_fraction`` share of the training rows; the best epoch's weights are kept.
    ``on_epoch(epoch, val_mae)`` is called after every epoch (the training script logs it).
    Threads default to the cores this process may use; ``device="auto"`` picks CUDA when present.
    """

    def __init__(
        self,
        hidden_layers=(256, 128),
        lr=1e-3,
        batch_size=256,
        epochs=200,
        weight_decay=0.0,
        dropout=0.0,
        loss="l1",
        log_target=True,
        patience=20,
        validation_fraction=0.1,
        feature_engineering=False,
        random_state=0,
        ema_decay=0.0,
        neighbours=False,
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
        self.feature_engineering = feature_engineering
        self.random_state = random_state
        self.ema_decay = ema_decay
        self.neighbours = neighbours
        self.device = device
        self.n_threads = n_threads

    def _validate(self) -> None:
        if self.loss not in _LOSSES:
            raise ValueError(f"loss must be one of {sorted(_LOSSES)}, got {self.loss!r}")
        if not self.hidden_layers or any(int(h) < 1 for h in self.hidden_layers):
            raise ValueError(f"hidden_layers must be one or more positive widths, got {self.hidden_layers!r}")
        if not 0.0 <= self.ema_decay < 1.0:
            raise ValueError(f"ema_decay must lie in [0, 1), got {self.ema_decay}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must lie in [0, 1), got {self.dropout}")
        for name in ("lr", "batch_size", "epochs"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")

    def _torch_device(self) -> torch.device:
        if self.device == "auto":
            return torch.device("cuda" if torch.cuda.is_available() else "cpu")
        return torch.device(self.device)

    def _encode_target(self, y: np.ndarray) -> np.ndarray:
        z = np.log1p(y) if self.log_target else y
        return (z - self.target_mean_) / self.target_std_

    def _decode_target(self, z: np.ndarray) -> np.ndarray:
        z = z * self.target_std_ + self.target_mean_
        return np.expm1(z) if self.log_target else z

    def _features(self, X: pd.DataFrame) -> torch.Tensor:
        return torch.as_tensor(self.preprocessor_.transform(X), dtype=torch.float32)

    def _fit_engineered_features(self, features: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Fit the feature layer's statistics; returns the training rows' widened features, each
        row's neighbourhood leaving the row itself out."""
        engineered = self.module_[0]
        scaler = self.preprocessor_.named_transformers_["numeric"].named_steps["scale"]
        engineered.numeric_mean.copy_(torch.as_tensor(scaler.mean_, dtype=torch.float32))
        engineered.numeric_scale.copy_(torch.as_tensor(scaler.scale_, dtype=torch.float32))
        with torch.no_grad():
            raw = engineered.raw_extra(features)
            engineered.extra_mean.copy_(raw.mean(dim=0))
            engineered.extra_scale.copy_(raw.std(dim=0).clamp(min=1e-6))
            pairs = list(zip(_chunks(features), _chunks(targets), strict=True))
            neighbours = [None] * len(pairs)
            if engineered.n_reference:
                engineered.fit_reference(features, targets)
                # Computed once: for the statistics, then for the widened rows.
                neighbours = [engineered.raw_neighbours(rows, own) for rows, own in pairs]
                raw = torch.cat(neighbours)
                engineered.neighbour_mean.copy_(raw.mean(dim=0))
                engineered.neighbour_scale.copy_(raw.std(dim=0).clamp(min=1e-6))
            return torch.cat(
                [engineered.widen(rows, raw) for (rows, _), raw in zip(pairs, neighbours, strict=True)]
            )

    def _widened(self, features: torch.Tensor) -> torch.Tensor:
        """What the feature layer makes of rows outside the reference set (it has no weights, so a
        fit computes it once rather than every epoch)."""
        with torch.no_grad():
            return torch.cat([self.module_[0](rows) for rows in _chunks(features)])

    def _predict_standardized(self, features: torch.Tensor, module: nn.Module | None = None) -> np.ndarray:
        module = self.module_ if module is None else module
        module.eval()
        device = next(module.parameters()).device
        with torch.no_grad():
            out = [module(chunk.to(device)).squeeze(1).cpu() for chunk in features.split(8192)]
        return torch.cat(out).numpy().astype(np.float64)

    def fit(
        self,
        X: pd.DataFrame,
        y,
        eval_set=None,
        on_epoch: Callable[[int, float], None] | None = None,
        data_parallel=None,
    ):
        """Fit on the raw feature frame ``X`` and prices ``y`` in dollars; returns self.

        ``data_parallel`` (a ``training.distributed.DataParallel``): every rank fits on the same
        rows, computes the loss of its share of each batch, and the gradients are averaged, so the
        steps are those of one process; validation and early stopping follow rank 0.
        """
        self._validate()
        y = np.asarray(y, dtype=np.float64)
        if eval_set is None:
            X, X_val, y, y_val = train_test_split(
                X, y, test_size=self.validation_fraction, random_state=self.random_state
            )
        else:
            X_val, y_val = eval_set[0], np.asarray(eval_set[1], dtype=np.float64)
        torch.manual_seed(self.random_state)
        torch.set_num_threads(self.n_threads or available_cores())
        device = self._torch_device()

        self.preprocessor_ = _preprocessor().fit(X)
        z = np.log1p(y) if self.log_target else y
        self.target_mean_, self.target_std_ = float(z.mean()), float(z.std())
        features = self._features(X)
        targets = torch.as_tensor(self._encode_target(y), dtype=torch.float32)
        val_features = self._features(X_val)
        self.n_features_in_ = features.shape[1]
        # One reference place until the feature layer is fitted and counts them.
        self.module_ = _build_module(
            self.n_features_in_,
            tuple(self.hidden_layers),
            self.dropout,
            self.feature_engineering,
            int(self.feature_engineering and self.neighbours),
        )
        # The layers with weights; the feature layer in front of them is applied once, here.
        network = self.module_
        if self.feature_engineering:
            features = self._fit_engineered_features(features, targets)
            val_features = self._widened(val_features)
            network = self.module_[1:]
        self.n_reference_ = self.module_[0].n_reference if self.feature_engineering else 0
        self.module_.to(device)
        features, targets = features.to(device), targets.to(device)
        # The weights scored and kept are an exponential moving average of the trained ones: it
        # smooths the noise of small L1 batches, worth a few percent of MAE.
        averaged = copy.deepcopy(network) if self.ema_decay else network

        optimizer = torch.optim.AdamW(network.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        # Halving the rate on a plateau lets a run settle before early stopping ends it.
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, factor=0.5, patience=max(1, self.patience // 3)
        )
        criterion = _LOSSES[self.loss]()
        trained = network
        if data_parallel is not None:
            trained = data_parallel.wrap(network)
            # Summed, and scaled so that the ranks' averaged gradient is the whole batch's mean.
            criterion = _LOSSES[self.loss](reduction="sum")
        generator = torch.Generator().manual_seed(self.random_state)
        best_mae, best_state, stale, steps = float("inf"), None, 0, 0
        self.history_: list[float] = []
        for epoch in range(1, self.epochs + 1):
            trained.train()
            for batch in torch.randperm(len(features), generator=generator).to(device).split(self.batch_size):
                rows = batch if data_parallel is None else data_parallel.shard(batch)
                optimizer.zero_grad()
                loss = criterion(trained(features[rows]).squeeze(1), targets[rows])
                if data_parallel is not None:
                    loss = loss * (data_parallel.world_size / len(batch))
                loss.backward()
                optimizer.step()
                if averaged is not network:
                    steps += 1
                    # The warm-up keeps short fits from averaging in the random initial weights.
                    decay = min(self.ema_decay, (1 + steps) / (10 + steps))
                    with torch.no_grad():
                        torch._foreach_lerp_(
                            list(averaged.parameters()), list(network.parameters()), 1 - decay
                        )
            predicted = self._decode_target(self._predict_standardized(val_features, averaged))
            val_mae = float(np.mean(np.abs(predicted - y_val)))
            if data_parallel is not None:
                val_mae = data_parallel.from_main(val_mae)
            self.history_.append(val_mae)
            scheduler.step(val_mae)
            if on_epoch is not None:
                on_epoch(epoch, val_mae)
            if val_mae < best_mae:
                best_mae, best_state, stale = val_mae, copy.deepcopy(averaged.state_dict()), 0
                self.best_epoch_ = epoch
            else:
                stale += 1
                if stale >= self.patience:
                    break
        if best_state is None:
            raise ValueError(
                f"training diverged: no finite validation MAE in {epoch} epochs; try a smaller lr"
            )
        network.load_state_dict(best_state)
        self.module_.to("cpu").eval()
        self.best_val_mae_ = best_mae
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Prices in dollars for the raw feature frame ``X``."""
        check_is_fitted(self, "module_")
        return self._decode_target(self._predict_standardized(self._features(X)))


_CONFIG_PARAMS = (
    "hidden_layers",
    "lr",
    "batch_size",
    "epochs",
    "weight_decay",
    "dropout",
    "loss",
    "log_target",
    "patience",
    "validation_fraction",
    "feature_engineering",
    "random_state",
    "ema_decay",
    "neighbours",
)


def save(model: TorchMLPRegressor, directory: str | os.PathLike) -> Path:
    """Write a fitted model to ``directory`` (created if needed) and return the folder."""
    check_is_fitted(model, "module_")
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    joblib.dump(model.preprocessor_, folder / "preprocessor.joblib")
    torch.save(model.module_.state_dict(), folder / "mlp.pt")
    config = {name: getattr(model, name) for name in _CONFIG_PARAMS}
    config["hidden_layers"] = list(config["hidden_layers"])
    config.update(
        n_features_in=model.n_features_in_,
        target_mean=model.target_mean_,
        target_std=model.target_std_,
        best_val_mae=model.best_val_mae_,
        best_epoch=model.best_epoch_,
        n_reference=model.n_reference_,
    )
    (folder / "config.json").write_text(json.dumps(config, indent=2))
    return folder


def load(directory: str | os.PathLike) -> TorchMLPRegressor:
    """The fitted ``TorchMLPRegressor`` that ``save`` wrote to ``directory``."""
    folder = Path(directory)
    config = json.loads((folder / "config.json").read_text())
    # Saves from before a parameter existed load with its default.
    model = TorchMLPRegressor(
        **{name: config[name] for name in _CONFIG_PARAMS if name in config}, device="cpu"
    )
    model.hidden_layers = tuple(model.hidden_layers)
    model.preprocessor_ = joblib.load(folder / "preprocessor.joblib")
    model.n_features_in_ = config["n_features_in"]
    model.target_mean_, model.target_std_ = config["target_mean"], config["target_std"]
    model.best_val_mae_, model.best_epoch_ = config["best_val_mae"], config["best_epoch"]
    model.n_reference_ = config.get("n_reference", 0)
    model.module_ = _build_module(
        model.n_features_in_,
        model.hidden_layers,
        model.dropout,
        model.feature_engineering,
        model.n_reference_,
    )
    model.module_.load_state_dict(torch.load(folder / "mlp.pt", weights_only=True))
    model.module_.eval()
    return model
