"""Ensembles: Caruana selection's guarantee, and real scikit-learn estimator behaviour."""

from __future__ import annotations

import pickle

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeRegressor

from emulator.train.automl.ensemble import StackEnsemble, VotingEnsemble, caruana_selection


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    return X, X @ [1.0, 2.0, 3.0] + rng.normal(size=200)


def test_selection_is_never_worse_than_the_best_member_and_mixes_complementary_ones():
    y = np.linspace(0, 10, 50)
    members = np.vstack([y + 1, y - 1, y + 3])  # the first two cancel out when averaged
    mae = lambda p: float(np.abs(p - y).mean())  # noqa: E731
    weights = caruana_selection(members, mae)
    assert mae(weights @ members) <= min(mae(m) for m in members)
    assert weights.tolist() == [0.5, 0.5, 0.0]


def test_prefitted_voting_ensemble_predicts_the_weighted_average_and_refits_after_clone():
    X, y = _data()
    members = [("ridge", Ridge().fit(X, y)), ("tree", DecisionTreeRegressor(max_depth=3).fit(X, y))]
    ensemble = VotingEnsemble._prefitted(members, [0.25, 0.75])
    expected = 0.25 * members[0][1].predict(X) + 0.75 * members[1][1].predict(X)
    np.testing.assert_allclose(ensemble.predict(X), expected)
    np.testing.assert_allclose(pickle.loads(pickle.dumps(ensemble)).predict(X), expected)
    refit = clone(ensemble).fit(X, y)
    np.testing.assert_allclose(refit.predict(X), expected)


def test_stack_ensemble_uses_an_elasticnet_meta_learner_and_clones():
    X, y = _data()
    stack = StackEnsemble(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))]
    ).fit(X, y)
    assert type(stack.final_estimator_).__name__ == "ElasticNetCV"
    assert np.corrcoef(stack.predict(X), y)[0, 1] > 0.9
    again = pickle.loads(pickle.dumps(clone(stack).fit(X, y)))
    np.testing.assert_allclose(again.predict(X), stack.predict(X))
