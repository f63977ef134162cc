"""Model families, what each exported graph may differ from its native model, and algorithm names.

Float32 trees can send a row down the other branch of a split whose threshold lies between the
float32 and float64 value of a feature, which moves that row's prediction by a leaf's worth; so
tree families allow a small share of rows beyond tolerance, each still within a bound on the size
of its error (a corrupted leaf that throws a few rows off by millions fails). Linear models and the
MLP are smooth in their inputs: every row must match.

Libraries register their own estimators here: ensembles (:func:`register_ensemble`), wrappers
around a regressor (:func:`register_wrapper`) and estimators of a known family (:func:`register_family`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.ensemble import StackingRegressor, VotingRegressor
from sklearn.pipeline import Pipeline

TREE, LINEAR, NEIGHBORS, MLP = "tree", "linear", "neighbors", "mlp"


@dataclass(frozen=True)
class Tolerance:
    """A row passes when ``|onnx - native| <= abs_dollars + rel * |native|``; the gate passes when
    at most ``max_share`` of the rows fail and no row at all is off by more than
    ``bound_abs_dollars + bound_rel * |native|`` (the bound defaults to the row tolerance)."""

    abs_dollars: float
    rel: float
    max_share: float
    bound_abs_dollars: float | None = None
    bound_rel: float | None = None

    def __post_init__(self):
        if self.bound_abs_dollars is None:
            object.__setattr__(self, "bound_abs_dollars", self.abs_dollars)
        if self.bound_rel is None:
            object.__setattr__(self, "bound_rel", self.rel)


TOLERANCES: dict[str, Tolerance] = {
    # A tree may still flip a split on a value that lies within a float32 step of a threshold (the
    # AutoML featurizer and the LightGBM converter remove those); a broken graph fails most rows.
    # A flipped split moves a row by the difference of two neighbouring leaves: honest exports of
    # every AutoML tree model stay under 1 dollar (benchmarks/RESULTS.md); 1,000 dollars + 5 % is
    # the most any row may move.
    TREE: Tolerance(abs_dollars=1.0, rel=1e-4, max_share=0.005, bound_abs_dollars=1_000.0, bound_rel=0.05),
    NEIGHBORS: Tolerance(
        abs_dollars=1.0, rel=1e-4, max_share=0.005, bound_abs_dollars=1_000.0, bound_rel=0.05
    ),
    LINEAR: Tolerance(abs_dollars=1.0, rel=1e-5, max_share=0.0),
    MLP: Tolerance(abs_dollars=1.0, rel=1e-4, max_share=0.0),
}
# An ensemble is judged by its loosest member family.
_LOOSENESS = (LINEAR, MLP, NEIGHBORS, TREE)
_TREE_MODULES = ("sklearn.tree", "sklearn.ensemble", "lightgbm", "xgboost")


@dataclass(frozen=True)
class EnsembleSpec:
    """How to read an ensemble class: its members with their weights, and its meta-learner if it stacks."""

    model_type: type
    alias: str
    members: Callable[[Any], Sequence[tuple[Any, float]]]
    meta: Callable[[Any], Any] | None = None


def voting_members(model: VotingRegressor) -> list[tuple[Any, float]]:
    members = [est for est in model.estimators_ if est is not None and est != "drop"]
    weights = np.ones(len(members)) if model.weights is None else np.asarray(model.weights, dtype=float)
    return list(zip(members, weights / weights.sum(), strict=True))


def stacking_members(model: StackingRegressor) -> list[tuple[Any, float]]:
    if model.passthrough:
        raise NotImplementedError(
            "StackingRegressor(passthrough=True) cannot be exported: its meta-learner reads raw columns"
        )
    return [(est, 1.0) for est in model.estimators_ if est != "drop"]


def meta_learner(model: StackingRegressor) -> Any:
    return model.final_estimator_


ENSEMBLES: list[EnsembleSpec] = [
    EnsembleSpec(VotingRegressor, "SklearnVotingRegressor", voting_members),
    EnsembleSpec(StackingRegressor, "SklearnStackingRegressor", stacking_members, meta_learner),
]
# wrapper class -> its fitted inner regressor; estimator class -> family.
_WRAPPERS: dict[type, Callable[[Any], Any]] = {}
_FAMILIES: dict[type, str] = {}


def register_ensemble(spec: EnsembleSpec) -> None:
    if all(known.model_type is not spec.model_type for known in ENSEMBLES):
        ENSEMBLES.append(spec)


def register_wrapper(model_type: type, inner: Callable[[Any], Any]) -> None:
    """``model_type`` predicts through ``inner(model)``: its family and name are the inner one's."""
    _WRAPPERS[model_type] = inner


def register_family(model_type: type, family: str) -> None:
    if family not in TOLERANCES:
        raise ValueError(f"unknown family {family!r}: one of {', '.join(TOLERANCES)}")
    _FAMILIES[model_type] = family


def ensemble_spec(model: Any) -> EnsembleSpec | None:
    return next((spec for spec in ENSEMBLES if type(model) is spec.model_type), None)


def final_estimator(model: Any) -> Any:
    """The estimator at the end of (possibly nested) pipelines, inside any label transform."""
    while True:
        if isinstance(model, Pipeline):
            model = model.steps[-1][1]
        elif type(model) in _WRAPPERS:
            model = _WRAPPERS[type(model)](model)
        else:
            return model


def family_of(model: Any) -> str:
    """The family whose tolerance applies to ``model`` (a pipeline, an ensemble or an estimator)."""
    estimator = final_estimator(model)
    spec = ensemble_spec(estimator)
    if spec is not None:
        families = [family_of(member) for member, _ in spec.members(estimator)]
        if spec.meta is not None:
            families.append(family_of(spec.meta(estimator)))
        return max(families, key=_LOOSENESS.index)
    known = next((family for cls, family in _FAMILIES.items() if isinstance(estimator, cls)), None)
    if known is not None:
        return known
    # By the library that defines the estimator or a class it derives from (AutoML subclasses LightGBM).
    modules = [cls.__module__ for cls in type(estimator).__mro__]
    if any(m.startswith(("sklearn.linear_model", "sklearn.svm")) for m in modules):
        return LINEAR
    if any(m.startswith("sklearn.neighbors") for m in modules):
        return NEIGHBORS
    if any(m.startswith(_TREE_MODULES) for m in modules):
        return TREE
    raise ValueError(
        f"no parity tolerance is defined for {type(estimator).__name__}; pass family= one of {', '.join(TOLERANCES)}"
    )


def algorithm_of(model: Any) -> str:
    """A readable name of the learning algorithm: ``LGBMRegressor``, ``VotingRegressor(LGBMRegressor, ElasticNet)``."""
    estimator = final_estimator(model)
    spec = ensemble_spec(estimator)
    if spec is None:
        return type(estimator).__name__
    members = ", ".join(algorithm_of(member) for member, _ in spec.members(estimator))
    return f"{type(estimator).__name__}({members})"
