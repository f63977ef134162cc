"""Data-parallel MLP training: two gloo ranks in one emulated run train the model one process trains."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from training import mlp
from training.schema import FEATURE_COLUMNS

TRAINING_DIR = Path(mlp.__file__).resolve().parent
ARGUMENTS = [
    "--subset",
    "1500",
    "--epochs",
    "4",
    "--hidden-1",
    "32",
    "--hidden-2",
    "16",
    "--batch-size",
    "128",
]
# The ranks split every batch and average gradients, so they take one process's steps; only the order
# of float sums differs. 1% of the validation MAE is far below what a different model would give.
MAE_TOLERANCE = 0.01


def _train(experiment, housing_path, tmp_path, name, **distributed):
    from emulator.core import ScriptRunConfig
    from emulator.core.runconfig import PyTorchConfiguration

    config = ScriptRunConfig(
        source_directory=str(TRAINING_DIR),
        script="train_mlp.py",
        arguments=["--data", str(housing_path), *ARGUMENTS],
        distributed_job_config=PyTorchConfiguration(**distributed) if distributed else None,
    )
    run = experiment.submit(config)
    run.wait_for_completion(raise_on_error=True)
    run.download_files(prefix="outputs/model", output_directory=str(tmp_path / name))
    return run, mlp.load(tmp_path / name / "outputs" / "model")


def test_two_gloo_ranks_train_the_model_one_process_trains(tmp_path, monkeypatch, housing_path):
    monkeypatch.setenv("DUEL_EMULATOR_HOME", str(tmp_path / "home"))
    from emulator.core import Experiment, Workspace

    experiment = Experiment(Workspace("sub", "rg", "ddp-tests"), "train-mlp-ddp")
    single, single_model = _train(experiment, housing_path, tmp_path, "single")
    pair, pair_model = _train(
        experiment, housing_path, tmp_path, "pair", communication_backend="gloo", process_count=2
    )

    one, two = single.get_metrics(), pair.get_metrics()
    assert two["world_size"] == 2
    assert len(two["val_mae"]) == 4  # rank 0's epochs only, not one series per rank
    assert two["MAE"] == pytest.approx(one["MAE"], rel=MAE_TOLERANCE)
    rows = pd.read_csv(housing_path, nrows=200)
    np.testing.assert_allclose(
        pair_model.predict(rows[list(FEATURE_COLUMNS)]),
        single_model.predict(rows[list(FEATURE_COLUMNS)]),
        rtol=0.02,
    )
    logs = pair.get_details_with_logs()["logFiles"]
    assert {"azureml-logs/70_driver_log_0.txt", "azureml-logs/70_driver_log_1.txt"} <= set(logs)
    assert "Traceback" not in logs["azureml-logs/70_driver_log_1.txt"]
