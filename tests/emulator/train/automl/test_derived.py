"""Engineered features of 'auto' featurization: count ratios, rotated coordinates, a log label."""

from __future__ import annotations

import numpy as np
import pandas as pd

from emulator.train.automl.derived import (
    MAX_CLUSTERS,
    MIN_CLUSTERS,
    DerivedFeatures,
    cluster_count,
    coordinate_columns,
    count_columns,
)
from emulator.train.automl.featurization import (
    CLUSTERS,
    LOG_LABEL,
    RATIOS,
    ROTATIONS,
    FeaturizationConfig,
    engineered_feature_names,
    plan_featurization,
)
from training.schema import LABEL

COUNTS = ["total_rooms", "total_bedrooms", "population", "households"]


def test_count_and_coordinate_columns_are_detected_from_values_and_names(small_housing):
    features = small_housing.drop(columns=[LABEL])
    numeric = [c for c in features.columns if c != "ocean_proximity"]
    # age is an integer too, but not skewed; income is skewed but not integer-valued
    assert count_columns(features, numeric) == COUNTS
    assert coordinate_columns(features, numeric) == ("longitude", "latitude")
    assert coordinate_columns(features.rename(columns={"latitude": "north"}), numeric[:1]) is None


def test_auto_featurization_adds_ratios_and_rotations_and_names_them(small_housing):
    features = small_housing.drop(columns=[LABEL])
    plan = plan_featurization(features, label=small_housing[LABEL])
    featurizer = plan.build().fit(features)
    names = engineered_feature_names(featurizer)
    assert "log_households_per_total_rooms" in names
    assert "longitude_latitude_rotated_45" in names
    out = featurizer.transform(features)
    rooms_per = out[:, names.index("log_households_per_total_rooms")]
    expected = np.log1p(features["households"] / features["total_rooms"])
    np.testing.assert_allclose(rooms_per, expected)
    rotated = out[:, names.index("longitude_latitude_rotated_45")]
    np.testing.assert_allclose(rotated, (features["longitude"] + features["latitude"]) / np.sqrt(2))
    # six ratios of four counts, ten angles, recorded in the summary next to their sources
    summary = {row["RawFeatureName"]: row for row in plan.summary()}
    assert sum(row["EngineeredFeatureCount"] for row in summary.values()) == len(names)
    assert any(t.startswith(RATIOS) for t in summary["households"]["Transformations"])
    assert any(t.startswith(ROTATIONS) for t in summary["latitude"]["Transformations"])
    assert summary[LABEL]["Transformations"] == [LOG_LABEL] and plan.log_label


def test_a_zero_denominator_gives_zero_and_a_missing_source_is_imputed_first(small_housing):
    features = small_housing.drop(columns=[LABEL])
    featurizer = plan_featurization(features).build().fit(features)
    rows = features.head(2).copy()
    rows.loc[rows.index[0], "total_rooms"] = 0
    rows.loc[rows.index[1], "total_bedrooms"] = np.nan
    names = engineered_feature_names(featurizer)
    out = featurizer.transform(rows)
    assert np.isfinite(out).all()
    assert out[0, names.index("log_households_per_total_rooms")] == 0.0
    mean = features["total_bedrooms"].mean()
    expected = np.log1p(rows["population"].iloc[1] / mean)
    assert np.isclose(out[1, names.index("log_population_per_total_bedrooms")], expected)


def test_blocked_transformers_and_featurization_off_engineer_nothing(small_housing):
    features = small_housing.drop(columns=[LABEL])
    blocked = FeaturizationConfig(blocked_transformers=[RATIOS, ROTATIONS, CLUSTERS, LOG_LABEL])
    plain = plan_featurization(features, blocked, label=small_housing[LABEL])
    assert not plain.ratios and plain.coordinates is None and not plain.log_label
    assert engineered_feature_names(plain.build().fit(features))[:8] == list(features.columns[:8])
    numeric = features.drop(columns=["ocean_proximity"])
    off = plan_featurization(numeric, "off", label=small_housing[LABEL])
    assert engineered_feature_names(off.build().fit(numeric)) == list(numeric.columns)
    assert not off.log_label


def test_a_symmetric_or_negative_label_is_not_logged(small_housing):
    features = small_housing.drop(columns=[LABEL])
    centred = pd.Series(np.random.default_rng(0).normal(size=len(features)), name="y")
    assert not plan_featurization(features, label=centred).log_label
    assert not plan_featurization(features, label=small_housing[LABEL] - 200_000).log_label


def test_derived_features_clone_and_name_columns_without_input_names():
    features = DerivedFeatures(ratios=[(1, 0)], rotations=[(0, 1, 90)]).fit(
        np.array([[2.0, 4.0], [0.0, 3.0]])
    )
    assert features.get_feature_names_out().tolist() == ["log_x1_per_x0", "x0_x1_rotated_90"]
    out = features.transform(np.array([[2.0, 4.0], [0.0, 3.0]]))
    np.testing.assert_allclose(out, [[np.log1p(2.0), 4.0], [0.0, 3.0]], atol=1e-12)


def test_coordinates_get_their_distances_to_k_means_centres(small_housing):
    features = small_housing.drop(columns=[LABEL])
    plan = plan_featurization(features, label=small_housing[LABEL])
    assert plan.clusters == cluster_count(len(features)) == MIN_CLUSTERS  # 1,500 rows: the fewest centres
    featurizer = plan.build().fit(features)
    names = engineered_feature_names(featurizer)
    distances = [n for n in names if n.startswith("longitude_latitude_cluster_")]
    assert len(distances) == plan.clusters
    centres = featurizer.named_transformers_["derived"]["features"].centers_
    out = featurizer.transform(features)
    expected = np.hypot(features["longitude"] - centres[3, 0], features["latitude"] - centres[3, 1])
    np.testing.assert_allclose(
        out[:, names.index("longitude_latitude_cluster_3_distance")], expected, rtol=1e-6
    )
    # every row is near some centre: the clusters are of the training rows' places
    assert np.median(out[:, [names.index(n) for n in distances]].min(axis=1)) < 1.0
    summary = {row["RawFeatureName"]: row for row in plan.summary()}
    assert any(t.startswith(CLUSTERS) for t in summary["longitude"]["Transformations"])
    assert sum(row["EngineeredFeatureCount"] for row in summary.values()) == len(names)


def test_clusters_and_rotations_are_blocked_separately(small_housing):
    features = small_housing.drop(columns=[LABEL])
    no_rotations = plan_featurization(features, FeaturizationConfig(blocked_transformers=[ROTATIONS]))
    names = engineered_feature_names(no_rotations.build().fit(features))
    assert not any("rotated" in n for n in names) and any("cluster" in n for n in names)
    no_clusters = plan_featurization(features, FeaturizationConfig(blocked_transformers=[CLUSTERS]))
    names = engineered_feature_names(no_clusters.build().fit(features))
    assert any("rotated" in n for n in names) and not any("cluster" in n for n in names)


def test_more_rows_get_more_centres_within_bounds():
    assert cluster_count(100) == MIN_CLUSTERS
    assert MIN_CLUSTERS < cluster_count(6_000) < MAX_CLUSTERS
    assert cluster_count(16_512) == cluster_count(10**6) == MAX_CLUSTERS
