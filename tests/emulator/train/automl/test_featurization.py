"""'auto' featurization: imputation, one-hot encoding, dropped columns, guardrails."""

from __future__ import annotations

import numpy as np
import pandas as pd

from emulator.train.automl.featurization import engineered_feature_names, plan_featurization
from training.schema import LABEL


def test_rows_with_missing_numbers_and_unknown_categories_still_score(small_housing, raw_features):
    features = small_housing.drop(columns=[LABEL]).dropna()
    featurizer = plan_featurization(features).build().fit(features)
    out = featurizer.transform(raw_features)
    assert np.isfinite(out).all()
    names = engineered_feature_names(featurizer)
    bedrooms = names.index("total_bedrooms")
    # imputed with the training mean, though training had no missing value, at the float32 precision
    # of the ONNX input contract (so the exported graph sees the very value the model saw)
    assert out[0, bedrooms] == np.float64(np.float32(features["total_bedrooms"].mean()))
    onehot = [i for i, n in enumerate(names) if n.startswith("ocean_proximity_")]
    assert out[1, onehot].sum() == 0  # an unknown category is all zeros


def test_missing_categories_take_the_most_frequent_one(small_housing):
    features = small_housing.drop(columns=[LABEL])
    featurizer = plan_featurization(features).build().fit(features)
    rows = features.head(2).copy().astype({"ocean_proximity": object})
    rows.loc[rows.index[0], "ocean_proximity"] = None
    rows.loc[rows.index[1], "ocean_proximity"] = np.nan
    names = engineered_feature_names(featurizer)
    most_frequent = names.index(f"ocean_proximity_{features['ocean_proximity'].mode()[0]}")
    assert featurizer.transform(rows)[:, most_frequent].tolist() == [1.0, 1.0]


def test_constant_and_id_like_columns_are_dropped_and_reported(small_housing):
    features = small_housing.drop(columns=[LABEL]).assign(
        constant=1, row_id=[f"r{i}" for i in range(len(small_housing))]
    )
    plan = plan_featurization(features)
    summary = {row["RawFeatureName"]: row for row in plan.summary()}
    assert summary["constant"]["Dropped"] == "Yes"
    assert summary["row_id"]["Dropped"] == "Yes"
    assert summary["ocean_proximity"]["EngineeredFeatureCount"] == features["ocean_proximity"].nunique()
    names = engineered_feature_names(plan.build().fit(features))
    assert "constant" not in names and not any(n.startswith("row_id") for n in names)
    cardinality = next(g for g in plan.guardrails("cv") if g["type"] == "High cardinality feature detection")
    assert cardinality["result"] == "Done"


def test_imputation_guardrail_is_done_then_alerted_when_mostly_missing(small_housing):
    features = small_housing.drop(columns=[LABEL]).copy()
    features.loc[features.index[:10], "total_bedrooms"] = np.nan
    assert _imputation(features) == "Done"
    features.loc[features.index[: len(features) * 3 // 4], "population"] = np.nan
    assert _imputation(features) == "Alerted"
    assert _imputation(small_housing.drop(columns=[LABEL]).dropna()) == "Passed"


def _imputation(features: pd.DataFrame) -> str:
    guardrails = plan_featurization(features).guardrails("cv")
    return next(g["result"] for g in guardrails if g["type"] == "Missing feature values imputation")
