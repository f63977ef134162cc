"""The exploration flow end to end on the emulator, through a Prefect API."""

from __future__ import annotations

import pytest
from prefect.artifacts import Artifact

from backends import open_backend
from emulator import hook
from emulator.core import Run
from flows.exploration import exploration
from tasks.settings import DuelSettings

pytestmark = pytest.mark.slow


@pytest.fixture
def emulated(monkeypatch, tmp_path, prefect_api):
    monkeypatch.setenv("DUEL_EMULATOR_HOME", str(tmp_path / "emulator"))
    yield tmp_path
    # The flow's backend put the emulator's import hook on with this test's home; later tests of the
    # same session that look the emulator up in-process must not find this home.
    hook.uninstall()


def test_randomforest_on_the_registered_datasets_reports_its_run(emulated):
    result = exploration(models="randomforest", data_local=False, subset=300)
    run = Run.get(open_backend(DuelSettings()).workspace, result["run_id"])
    assert run.get_status() == "Completed"
    assert "--test-dataset-name" in run.get_details()["runDefinition"]["arguments"]
    assert result["best_model"] == "randomforest"
    assert result["metrics"]["MAE"] == pytest.approx(run.get_metrics()["MAE"])
    assert result["importance"]["feature"][0] in {"median_income", "longitude", "latitude", "ocean_proximity"}
    assert "**randomforest**" in Artifact.get("exploration-explanation").data


def test_deeplearning_sweep_runs_distributed_trials_then_refits_the_best(emulated):
    result = exploration(
        models="deeplearning", subset=300, hyperdrive=True, process_count=2, epochs=2, sweep_runs=2
    )
    ws = open_backend(DuelSettings()).workspace
    sweep = Run.get(ws, result["sweep_run_id"])
    trials = list(sweep.get_children())
    assert len(trials) == 2
    for trial in trials:
        assert trial.get_metrics()["world_size"] == 2
        assert "azureml-logs/70_driver_log_1.txt" in trial.get_file_names()
    refit = Run.get(ws, result["run_id"])
    assert refit.get_details()["runDefinition"]["distributed"]["process_count"] == 2
    assert len(refit.get_metrics()["val_mae"]) == 2


def test_a_refused_combination_fails_before_any_run(emulated):
    with pytest.raises(ValueError, match="needs models='deeplearning'"):
        exploration(models="sklearnmodels", hyperdrive=True)
