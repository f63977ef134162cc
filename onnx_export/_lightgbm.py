"""LightGBM regressors fed float32-exact features: the booster's text model straight to one
``TreeEnsembleRegressor``, its thresholds rounded down to float32.

The graph stores thresholds as float32 rounded to nearest, so a threshold rounded up lands on a
float32 feature value that LightGBM's double comparison sends the other way (a flipped split, a
different leaf). For a float32 ``x``, ``x <= t`` holds exactly when ``x <= floor32(t)``. Only for
models fed float32-exact features (the AutoML emulator's): for raw doubles, nearest rounding keeps a
value that sits on a threshold on its side, and onnxmltools' converter stays registered for them.

onnxmltools' converter walks a JSON dump node by node and deep-copies it: 20 s for one 1,500-tree,
127-leaf model on a busy 2-core machine, so a VotingEnsemble of four took longer than an AutoML
budget's whole reserve. This one reads the per-tree arrays of ``model_to_string`` with numpy (under
a second for the same model) and writes the same graph: one ``TreeEnsembleRegressor`` summing the
trees' leaves (LightGBM's leaf values already carry the learning rate and the initial score).
Numerical splits only: a categorical split, or LightGBM's zero-as-missing rule, is refused rather
than approximated.
"""

from __future__ import annotations

import numpy as np

_CATEGORICAL, _DEFAULT_LEFT = 1, 2
_MISSING_SHIFT, _MISSING_ZERO, _MISSING_NAN = 2, 1, 2
_ARRAYS = ("split_feature", "threshold", "decision_type", "left_child", "right_child", "leaf_value")


def floor32(values: np.ndarray) -> np.ndarray:
    """The largest float32 values not above ``values`` (float64)."""
    rounded = values.astype(np.float32)
    above = rounded.astype(np.float64) > values
    rounded[above] = np.nextafter(rounded[above], np.float32(-np.inf))
    return rounded


def _trees(model_text: str) -> list[dict[str, np.ndarray]]:
    """The arrays of every tree in LightGBM's text model."""
    trees, current = [], None
    for line in model_text.splitlines():
        if line.startswith("Tree="):
            current = {}
            trees.append(current)
        elif line == "end of trees":
            break
        elif current is not None and "=" in line:
            key, _, value = line.partition("=")
            if key in _ARRAYS:
                current[key] = np.array(value.split(), dtype=np.float64)
    return trees


def _node_ids(children: np.ndarray, n_internal: int) -> np.ndarray:
    """Graph node ids of LightGBM's children: a negative child ``~leaf`` names a leaf, and leaves
    follow the internal nodes."""
    children = children.astype(np.int64)
    return np.where(children >= 0, children, n_internal + ~children)


def tree_ensemble_attributes(model_text: str) -> dict[str, list]:
    """``TreeEnsembleRegressor`` attributes for a single-output LightGBM model's text."""
    columns: dict[str, list[np.ndarray]] = {name: [] for name in (
        "tree", "node", "feature", "mode", "value", "true", "false", "missing",
        "target_tree", "target_node", "weight",
    )}  # fmt: skip
    for tree_id, tree in enumerate(_trees(model_text)):
        leaves = tree["leaf_value"]
        n_internal = len(tree.get("split_feature", ()))
        n_nodes = n_internal + len(leaves)
        if n_internal:
            decision = tree["decision_type"].astype(np.int64)
            missing = (decision >> _MISSING_SHIFT) & 3
            if np.any(decision & _CATEGORICAL) or np.any(missing == _MISSING_ZERO):
                raise NotImplementedError(
                    "LightGBM categorical and zero-as-missing splits have no converter here"
                )

            columns["feature"].append(tree["split_feature"].astype(np.int64))
            columns["value"].append(floor32(tree["threshold"]))
            columns["true"].append(_node_ids(tree["left_child"], n_internal))
            columns["false"].append(_node_ids(tree["right_child"], n_internal))
            columns["missing"].append(
                ((missing == _MISSING_NAN) & (decision & _DEFAULT_LEFT > 0)).astype(np.int64)
            )
        n_leaves = len(leaves)
        columns["feature"].append(np.zeros(n_leaves, dtype=np.int64))
        columns["value"].append(np.zeros(n_leaves, dtype=np.float32))
        columns["true"].append(np.zeros(n_leaves, dtype=np.int64))
        columns["false"].append(np.zeros(n_leaves, dtype=np.int64))
        columns["missing"].append(np.zeros(n_leaves, dtype=np.int64))
        columns["tree"].append(np.full(n_nodes, tree_id, dtype=np.int64))
        columns["node"].append(np.arange(n_nodes, dtype=np.int64))
        columns["mode"].append(np.array(["BRANCH_LEQ"] * n_internal + ["LEAF"] * n_leaves))
        columns["target_tree"].append(np.full(n_leaves, tree_id, dtype=np.int64))
        columns["target_node"].append(np.arange(n_internal, n_nodes, dtype=np.int64))
        columns["weight"].append(leaves)
    joined = {name: np.concatenate(parts) for name, parts in columns.items()}
    n_leaves = len(joined["weight"])
    return {
        "n_targets": 1,
        "aggregate_function": "SUM",
        "post_transform": "NONE",
        "nodes_treeids": joined["tree"].tolist(),
        "nodes_nodeids": joined["node"].tolist(),
        "nodes_featureids": joined["feature"].tolist(),
        "nodes_modes": joined["mode"].tolist(),
        "nodes_values": joined["value"].astype(np.float64).tolist(),
        "nodes_truenodeids": joined["true"].tolist(),
        "nodes_falsenodeids": joined["false"].tolist(),
        "nodes_missing_value_tracks_true": joined["missing"].tolist(),
        "target_treeids": joined["target_tree"].tolist(),
        "target_nodeids": joined["target_node"].tolist(),
        "target_ids": [0] * n_leaves,
        "target_weights": joined["weight"].tolist(),
    }


def convert_lightgbm_thresholds_down(scope, operator, container) -> None:
    """skl2onnx converter of a fitted single-output LightGBM regressor."""
    booster = operator.raw_operator.booster_
    container.add_node(
        "TreeEnsembleRegressor",
        operator.input_full_names,
        operator.output_full_names,
        op_domain="ai.onnx.ml",
        name=scope.get_unique_operator_name("LightGbmTreeEnsemble"),
        **tree_ensemble_attributes(booster.model_to_string()),
    )
