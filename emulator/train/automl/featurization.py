"""Featurization: column typing, imputation, one-hot encoding, and the guardrails it reports.

The featurizer is a plain scikit-learn ``ColumnTransformer`` (so it pickles, clones and converts
to ONNX); the 'auto' decisions are made once, from the training frame, by :func:`plan_featurization`:

* numeric columns are mean-imputed (always, so rows missing at scoring time still score);
* string columns with few distinct values are most-frequent-imputed and one-hot encoded, unknown
  categories scoring as all zeros;
* constant columns and string columns with too many distinct values (ids, free text) are dropped;
* count columns give ratios; coordinates give rotated copies and distances to k-means centres
  (:mod:`.derived`);
* a non-negative, right-skewed label is learnt on a log scale (``log1p``, predictions ``expm1``).

The SDK's ``blocked_transformers`` turns these off by name: :data:`RATIOS`, :data:`ROTATIONS`,
:data:`CLUSTERS`, :data:`LOG_LABEL`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from emulator.train.automl.derived import (
    ROTATION_DEGREES,
    DerivedFeatures,
    cluster_count,
    coordinate_columns,
    count_columns,
    ratio_pairs,
)
from emulator.train.automl.exceptions import ConfigException

NUMERIC = "Numeric"
CATEGORICAL = "Categorical"
_PURPOSES = (NUMERIC, CATEGORICAL)
# More distinct strings than this (or than half the rows) reads as an id or free text.
_MAX_CATEGORIES = 100
_HIGH_CARDINALITY_RATIO = 0.5
# A column missing more than this share of values is imputed but flagged.
_ALERT_MISSING_RATIO = 0.5
# A label at least this skewed (and never negative) is learnt as log1p(label).
_LOG_LABEL_SKEW = 0.5
RATIOS, ROTATIONS, CLUSTERS, LOG_LABEL = (
    "RatioFeaturizer", "CoordinateRotation", "CoordinateClusters", "LogLabelTransform"
)  # fmt: skip
_SEED = 42


class Float32Imputer(SimpleImputer):
    """A ``SimpleImputer`` whose output is rounded to float32, the precision of the ONNX input contract.

    The model then sees exactly the values its exported graph sees; with the graph's LightGBM thresholds
    rounded down to float32 (``emulator.train.automl._onnx``), the graph takes every branch the native model takes.
    """

    def transform(self, X):
        return np.asarray(super().transform(X), dtype=np.float32).astype(np.float64)


PASSED, DONE, ALERTED = "Passed", "Done", "Alerted"


class FeaturizationConfig:
    """Customizations of 'auto' featurization, as the SDK's ``FeaturizationConfig``.

    ``column_purposes`` maps a column to 'Numeric' or 'Categorical'; ``drop_columns`` lists columns
    to ignore; ``transformer_params`` accepts ``("Imputer", [columns], {"strategy": ...})`` entries
    (strategies 'mean', 'median', 'most_frequent').
    """

    def __init__(
        self,
        blocked_transformers=None,
        column_purposes=None,
        transformer_params=None,
        drop_columns=None,
        dataset_language=None,
        prediction_transform_type=None,
    ):
        self.blocked_transformers = list(blocked_transformers or [])
        self.column_purposes = dict(column_purposes or {})
        self.transformer_params = {}
        self.drop_columns = list(drop_columns or [])
        self.dataset_language = dataset_language
        self.prediction_transform_type = prediction_transform_type
        for column, purpose in self.column_purposes.items():
            if purpose not in _PURPOSES:
                raise ConfigException(
                    f"Unsupported column purpose '{purpose}' for column '{column}'. Supported: {', '.join(_PURPOSES)}."
                )
        for transformer, columns, params in transformer_params or []:
            self.add_transformer_params(transformer, columns, params)

    def add_transformer_params(self, transformer: str, cols: list[str], params: dict) -> None:
        """Set the imputation strategy of some columns (only 'Imputer' is customizable)."""
        if transformer != "Imputer":
            raise ConfigException(
                f"Unsupported transformer '{transformer}' for customization; only 'Imputer'."
            )
        strategy = params.get("strategy")
        if strategy not in ("mean", "median", "most_frequent"):
            raise ConfigException(f"Unsupported imputation strategy {strategy!r}.")
        for column in cols:
            self.transformer_params[column] = strategy

    def _to_dict(self) -> dict:
        return {
            "blocked_transformers": self.blocked_transformers,
            "column_purposes": self.column_purposes,
            "transformer_params": self.transformer_params,
            "drop_columns": self.drop_columns,
        }


@dataclass
class ColumnPlan:
    """What featurization does with one raw column."""

    name: str
    purpose: str
    dropped: bool
    reason: str = ""
    missing: int = 0
    strategy: str = ""
    categories: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        """One row of the SDK's featurization summary."""
        if self.dropped:
            transformations, count = [], 0
        elif self.purpose == NUMERIC:
            transformations, count = [f"Imputer ({self.strategy})"], 1
        else:
            transformations, count = [f"Imputer ({self.strategy})", "OneHotEncoder"], len(self.categories)
        return {
            "RawFeatureName": self.name,
            "TypeDetected": self.purpose,
            "Dropped": "Yes" if self.dropped else "No",
            "Reason": self.reason,
            "EngineeredFeatureCount": count,
            "Transformations": transformations,
        }


@dataclass
class FeaturizationPlan:
    """The 'auto' decisions for every raw column; builds the featurizer and reports guardrails."""

    columns: list[ColumnPlan]
    n_rows: int
    ratios: list[tuple[str, str]] = field(default_factory=list)
    coordinates: tuple[str, str] | None = None
    rotations: bool = False
    clusters: int = 0
    label: str | None = None
    log_label: bool = False

    def _kept(self, purpose: str) -> list[ColumnPlan]:
        return [c for c in self.columns if not c.dropped and c.purpose == purpose]

    def build(self) -> ColumnTransformer:
        """A fresh, unfitted ``ColumnTransformer`` following this plan."""
        parts = []
        for strategy in ("mean", "median", "most_frequent"):
            numeric = [c.name for c in self._kept(NUMERIC) if c.strategy == strategy]
            if numeric:
                parts.append((f"numeric_{strategy}", Float32Imputer(strategy=strategy), numeric))
        for column in self._kept(CATEGORICAL):
            encoder = Pipeline(
                [
                    ("imputer", SimpleImputer(strategy="most_frequent")),
                    # pandas holds a missing string as NaN or as None, depending on how the row was built.
                    ("none_imputer", SimpleImputer(missing_values=None, strategy="most_frequent")),
                    ("onehot", OneHotEncoder(categories=[column.categories], handle_unknown="ignore")),
                ]
            )
            parts.append((f"categorical_{column.name}", encoder, [column.name]))
        derived = self._derived()
        if derived is not None:
            parts.append(derived)
        if not parts:
            raise ConfigException("Featurization dropped every column: no feature is left to train on.")
        return ColumnTransformer(
            parts, remainder="drop", sparse_threshold=0.0, verbose_feature_names_out=False
        )

    def _derived(self) -> tuple[str, Pipeline, list[str]] | None:
        """The ColumnTransformer part computing ratios, rotations and cluster distances from mean-imputed sources."""
        sources = sorted(
            {c for pair in self.ratios for c in pair} | set(self.coordinates or ()),
            key=[c.name for c in self.columns].index,
        )
        if not sources:
            return None
        at = sources.index
        place = (at(self.coordinates[0]), at(self.coordinates[1])) if self.coordinates else None
        features = DerivedFeatures(
            ratios=[(at(n), at(d)) for n, d in self.ratios],
            rotations=[(*place, d) for d in ROTATION_DEGREES] if self.rotations else [],
            clusters=(*place, self.clusters) if self.clusters else None,
            random_state=_SEED,
        )
        return ("derived", Pipeline([("imputer", SimpleImputer()), ("features", features)]), sources)

    def _engineered(self, name: str) -> list[str]:
        """Derived transformations a raw column takes part in, as summary entries."""
        ratios = [f"{RATIOS} ({n} / {d})" for n, d in self.ratios if name in (n, d)]
        place = name in (self.coordinates or ())
        rotations = [f"{ROTATIONS} ({len(ROTATION_DEGREES)} angles)"] if place and self.rotations else []
        clusters = [f"{CLUSTERS} ({self.clusters} k-means centres)"] if place and self.clusters else []
        return ratios + rotations + clusters

    def summary(self) -> list[dict]:
        """The featurization summary: one row per raw column, then the label's row when it is transformed.

        A derived feature counts once, at its first source column (its numerator, or longitude).
        """
        rows = []
        for column in self.columns:
            row = column.summary()
            extra = self._engineered(column.name)
            row["Transformations"] = [*row["Transformations"], *extra]
            at_longitude = bool(self.coordinates) and column.name == self.coordinates[0]
            row["EngineeredFeatureCount"] += sum(1 for n, _ in self.ratios if n == column.name) + (
                (len(ROTATION_DEGREES) * self.rotations + self.clusters) if at_longitude else 0
            )
            rows.append(row)
        if self.log_label:
            rows.append(
                {
                    "RawFeatureName": self.label,
                    "TypeDetected": "Label",
                    "Dropped": "No",
                    "Reason": "Non-negative and right-skewed: learnt as log1p, predicted as expm1.",
                    "EngineeredFeatureCount": 0,
                    "Transformations": [LOG_LABEL],
                }
            )
        return rows

    def guardrails(self, validation: str) -> list[dict]:
        """The data guardrails with Passed / Done / Alerted, as ``get_guardrails`` shows them."""
        missing = [c for c in self.columns if c.missing and not c.dropped]
        sparse = [c.name for c in missing if c.missing > _ALERT_MISSING_RATIO * self.n_rows]
        if sparse:
            imputation = (ALERTED, f"Columns mostly missing, imputed anyway: {', '.join(sparse)}.")
        elif missing:
            imputation = (
                DONE,
                "Imputed missing values in: " + ", ".join(f"{c.name} ({c.missing})" for c in missing),
            )
        else:
            imputation = (PASSED, "No missing feature values were detected in the training data.")
        wide = [c.name for c in self.columns if c.dropped and c.purpose == CATEGORICAL and c.reason]
        cardinality = (
            (DONE, f"Dropped high-cardinality columns: {', '.join(wide)}.")
            if wide
            else (PASSED, "No high-cardinality features were detected.")
        )
        return [
            {"type": "Validation split handling", "result": DONE, "description": validation},
            {
                "type": "Missing feature values imputation",
                "result": imputation[0],
                "description": imputation[1],
            },
            {
                "type": "High cardinality feature detection",
                "result": cardinality[0],
                "description": cardinality[1],
            },
        ]


def _detect(series: pd.Series, config: FeaturizationConfig, n_rows: int) -> ColumnPlan:
    name = str(series.name)
    missing = int(series.isna().sum())
    purpose = config.column_purposes.get(
        name,
        NUMERIC
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        else CATEGORICAL,
    )
    plan = ColumnPlan(name, purpose, dropped=False, missing=missing)
    distinct = series.dropna().unique()
    if name in config.drop_columns:
        plan.dropped, plan.reason = True, "Dropped by the featurization config."
    elif len(distinct) <= 1:
        plan.dropped, plan.reason = True, "Constant or empty column."
    elif purpose == NUMERIC:
        plan.strategy = config.transformer_params.get(name, "mean")
    elif len(distinct) > min(_MAX_CATEGORIES, _HIGH_CARDINALITY_RATIO * n_rows):
        plan.dropped, plan.reason = True, f"High cardinality ({len(distinct)} distinct values)."
    else:
        plan.strategy = "most_frequent"
        plan.categories = sorted(str(v) for v in distinct)
    return plan


def plan_featurization(
    frame: pd.DataFrame, featurization="auto", label: pd.Series | None = None
) -> FeaturizationPlan:
    """Decide, from the training features (and ``label``), what 'auto' (or a FeaturizationConfig) does.

    With featurization 'off' every column must already be numeric; it is still imputed, because
    the SDK's trainers cannot take missing values either. 'off' engineers no feature and keeps the
    label as it is.
    """
    if featurization == "off":
        text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
        if text:
            raise ConfigException(
                f"featurization='off' needs numeric features, but these columns are not: {', '.join(map(str, text))}."
            )
        config = FeaturizationConfig()
    else:
        config = featurization if isinstance(featurization, FeaturizationConfig) else FeaturizationConfig()
    unknown = [c for c in (*config.column_purposes, *config.drop_columns) if c not in frame.columns]
    if unknown:
        raise ConfigException(
            f"Featurization config names columns not in the training data: {', '.join(unknown)}."
        )
    plan = FeaturizationPlan([_detect(frame[c], config, len(frame)) for c in frame.columns], len(frame))
    if featurization == "off":
        return plan
    numeric = [c.name for c in plan._kept(NUMERIC)]
    blocked = set(config.blocked_transformers)
    if RATIOS not in blocked:
        plan.ratios = ratio_pairs(count_columns(frame, numeric))
    plan.coordinates = coordinate_columns(frame, numeric)
    plan.rotations = bool(plan.coordinates) and ROTATIONS not in blocked
    plan.clusters = cluster_count(len(frame)) if plan.coordinates and CLUSTERS not in blocked else 0
    if not (plan.rotations or plan.clusters):
        plan.coordinates = None
    if label is not None and LOG_LABEL not in blocked:
        values = label.dropna()
        plan.label = str(label.name)
        plan.log_label = bool(len(values) and values.min() >= 0 and values.skew() > _LOG_LABEL_SKEW)
    return plan


def engineered_feature_names(featurizer: ColumnTransformer) -> list[str]:
    """Names of the fitted featurizer's output columns (``ocean_proximity_INLAND`` ...)."""
    return [str(n) for n in np.asarray(featurizer.get_feature_names_out())]
