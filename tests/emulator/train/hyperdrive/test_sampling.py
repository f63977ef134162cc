"""Samplers: SDK JSON, the distributions each accepts, and what their strategies propose."""

from __future__ import annotations

import math

import pytest

from emulator.train.hyperdrive import (
    BayesianParameterSampling,
    GridParameterSampling,
    HyperDriveConfigException,
    RandomParameterSampling,
    choice,
    loguniform,
    quniform,
    randint,
    uniform,
)


def test_random_sampling_json_matches_the_sdk():
    space = {"--batch-size": choice(25, 50, 100), "--lr": loguniform(-6, -1)}
    assert RandomParameterSampling(space).to_json() == {
        "name": "RANDOM",
        "parameter_space": {"--batch-size": ["choice", [[25, 50, 100]]], "--lr": ["loguniform", [-6, -1]]},
    }


def test_grid_and_bayesian_json_carry_their_sdk_names():
    space = {"--a": choice(1, 2)}
    assert GridParameterSampling(space).to_json()["name"] == "GRID"
    assert BayesianParameterSampling(space).to_json()["name"] == "BayesianOptimization"


def test_sampling_properties_are_serialized_when_given():
    assert RandomParameterSampling({"--a": choice(1)}, properties={"rndseed": 7}).to_json()["properties"] == {
        "rndseed": 7
    }


def test_grid_refuses_anything_but_choice():
    with pytest.raises(
        HyperDriveConfigException, match=r"expects only the following distributions: \[choice\]"
    ):
        GridParameterSampling({"--lr": uniform(0, 1)})


def test_bayesian_refuses_loguniform():
    with pytest.raises(
        HyperDriveConfigException,
        match=r"expects only the following distributions: \[choice, quniform, uniform\]",
    ):
        BayesianParameterSampling({"--lr": loguniform(-6, -1)})


def test_empty_space_is_refused():
    with pytest.raises(HyperDriveConfigException, match="non-empty"):
        RandomParameterSampling({})


def test_grid_enumerates_the_full_product_once_then_stops():
    sampler = GridParameterSampling({"--a": choice(1, 2, 3), "--b": choice("x", "y")})._sampler("maximize")
    proposals = [sampler.suggest() for _ in range(6)]
    assert sampler.suggest() is None
    assert sorted((p["--a"], p["--b"]) for p in proposals) == sorted(
        (a, b) for a in (1, 2, 3) for b in ("x", "y")
    )


def test_random_sampling_with_a_seed_is_reproducible_and_stays_in_range():
    space = {
        "--n": randint(5),
        "--lr": loguniform(-6, -1),
        "--q": quniform(0, 10, 2),
        "--c": choice("a", "b"),
    }

    def draws():
        sampler = RandomParameterSampling(space, properties={"rndseed": 3})._sampler("minimize")
        return [sampler.suggest() for _ in range(50)]

    first = draws()
    assert first == draws()
    for p in first:
        assert p["--n"] in range(5)
        # loguniform bounds are exponents
        assert math.exp(-6) <= p["--lr"] <= math.exp(-1)
        assert p["--q"] in (0.0, 2.0, 4.0, 6.0, 8.0, 10.0)
        assert p["--c"] in ("a", "b")


def test_bayesian_with_a_seed_is_reproducible():
    space = {"--x": uniform(-3, 3), "--k": quniform(0, 10, 2)}

    def sweep():
        sampler = BayesianParameterSampling(space, properties={"rndseed": 5})._sampler("minimize")
        seen = []
        for _ in range(15):
            p = sampler.suggest()
            sampler.observe(p, (p["--x"] - 1) ** 2 + p["--k"])
            seen.append(p)
        return seen

    first = sweep()
    assert first == sweep()
    assert all(p["--k"] in (0.0, 2.0, 4.0, 6.0, 8.0, 10.0) for p in first)


def test_bayesian_learns_toward_the_optimum():
    # TPE after 10 random start-up trials should concentrate near x=1.
    sampler = BayesianParameterSampling({"--x": uniform(-10, 10)}, properties={"rndseed": 0})._sampler(
        "minimize"
    )
    values = []
    for _ in range(40):
        p = sampler.suggest()
        sampler.observe(p, (p["--x"] - 1) ** 2)
        values.append(abs(p["--x"] - 1))
    assert sorted(values[-10:])[5] < sorted(values[:10])[5]


def test_bayesian_uses_prior_results_before_its_first_suggestion():
    # Priors from an earlier sweep (resume_from) replace the random start-up phase when enough exist.
    sampler = BayesianParameterSampling({"--x": uniform(-10, 10)}, properties={"rndseed": 1})._sampler(
        "maximize"
    )
    for i in range(20):
        x = -10 + i
        sampler.observe({"--x": float(x)}, -((x - 4) ** 2))
    # A prior outside the space (a removed parameter) is ignored, not an error.
    sampler.observe({"--y": 1.0}, 0.0)
    proposals = [sampler.suggest()["--x"] for _ in range(5)]
    assert sum(abs(x - 4) < 4 for x in proposals) >= 3
