"""Contestants' files fetched from their jobs' artifacts on the local workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from backends.azure_v2 import models
from backends.messages import RunRef


def _automl_parent(azure, best: str) -> RunRef:
    azure.add_finished_child("automl_parent", {})
    azure.job_tags["automl_parent"] = {"automl_best_child_run_id": best}
    return RunRef("automl-duel-automl", "automl_parent")


def test_automl_ships_its_best_childs_onnx_copy_with_its_pickle_beside_it(azure, tmp_path):
    azure.add_finished_child(
        "automl_3",
        {"outputs/model.onnx": b"onnx graph", "outputs/model.pkl": b"pickle"},
        run_algorithm="LightGBM",
    )

    fetched = models.fetch_automl_model(azure.client(), _automl_parent(azure, "automl_3"), str(tmp_path))

    assert (fetched.run_id, fetched.algorithm) == ("automl_3", "LightGBM")
    assert Path(fetched.path).read_bytes() == b"onnx graph"
    assert Path(fetched.native_path).read_bytes() == b"pickle"


def test_a_best_child_without_an_onnx_copy_is_refused_by_name(azure, tmp_path):
    azure.add_finished_child("automl_4", {"outputs/model.pkl": b"pickle"})

    with pytest.raises(RuntimeError, match="automl_4 has no outputs/model.onnx"):
        models.fetch_automl_model(azure.client(), _automl_parent(azure, "automl_4"), str(tmp_path))


def test_the_best_trials_model_folder_is_downloaded(azure, tmp_path):
    azure.add_finished_child(
        "sweep_3",
        {"outputs/model/weights.pt": b"weights", "outputs/model/meta.json": b"{}", "logs/x.txt": b""},
    )

    fetched = models.fetch_run_outputs(azure.client(), "sweep_3", "outputs/model", str(tmp_path))

    assert sorted(p.name for p in Path(fetched.path).iterdir()) == ["meta.json", "weights.pt"]
