"""The search: defaults first, only allowed algorithms, and no launch that cannot finish in time."""

from __future__ import annotations

from emulator.train.automl.search import CostAwareSearch


def test_defaults_of_every_allowed_algorithm_come_first():
    search = CostAwareSearch(["LightGBM", "ElasticNet", "KNN"], onnx_compatible=False, seed=0)
    names = [search.propose(i, seconds_left=60).name for i in range(3)]
    assert names[0] == "MaxAbsScaler, LightGBM"
    assert {"StandardScalerWrapper, ElasticNet", "StandardScalerWrapper, KNN"} & set(names[1:])


def test_onnx_mode_keeps_scalers_away_from_trees_and_bounds_forests():
    search = CostAwareSearch(["RandomForest", "ElasticNet"], onnx_compatible=True, seed=0)
    specs = []
    for i in range(12):
        spec = search.propose(i, seconds_left=60)
        specs.append(spec)
        search.report(i, loss=1.0 + i * 0.01, seconds=0.1)
    forests = [s for s in specs if s.algorithm == "RandomForest"]
    assert forests and all(s.scaler is None for s in forests)
    assert all(s.params["n_estimators"] <= 100 and s.params["max_depth"] <= 14 for s in forests)


def test_a_configuration_predicted_too_slow_is_never_proposed():
    search = CostAwareSearch(["RandomForest"], onnx_compatible=False, seed=0)
    first = search.propose(0, seconds_left=60)
    search.report(0, loss=1.0, seconds=10.0)  # the default forest took 10 s
    for i in range(1, 10):
        spec = search.propose(i, seconds_left=5.0)
        if spec is None:
            break
        ratio = search._predicted_seconds("RandomForest", spec.params)
        assert ratio <= 5.0
        search.report(i, loss=1.0, seconds=ratio)
    assert first.params["n_estimators"] == 100


def test_a_family_never_fitted_is_predicted_from_its_relative_cost():
    search = CostAwareSearch(["LightGBM", "RandomForest"], onnx_compatible=True, seed=0)
    first = search.propose(0, seconds_left=600)
    assert first.algorithm == "LightGBM" and search._predicted_seconds("RandomForest", {}) == 0.0
    search.report(0, loss=1.0, seconds=10.0)  # a default LightGBM took 10 s on this (busy) machine
    # a default forest costs 20 of those: 200 s, so it is not started with 100 s left
    assert search._predicted_seconds("RandomForest", {}) == 200.0
    proposed = [search.propose(i, seconds_left=100.0) for i in range(1, 4)]
    assert all(spec is None or spec.algorithm != "RandomForest" for spec in proposed)
