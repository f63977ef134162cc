"""The azure backend end to end through its subprocess: the SDK v1 steps in another interpreter.

The interpreter is this venv's Python under the emulator's import hook (``python -m emulator run``),
so the step code, its JSON protocol and its error path run exactly as they do in ``.venv-azure``
against Azure; only the SDK behind ``azureml`` differs. Each step is a process of its own (several
seconds of imports), so these tests are few and each covers a whole path.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
from pathlib import Path

import onnx
import pandas as pd
import pytest

from backends import open_backend
from backends.azure import AzureSetupError, open_azure
from backends.messages import (
    AutoMLJob,
    Bandit,
    ClusterSpec,
    DatasetUpload,
    Deployment,
    LoggedRun,
    ModelUpload,
    RunRef,
    SweepJob,
)
from backends.sdk_process import StepError
from tasks.settings import DuelSettings
from training import SOURCE_DIRECTORY
from training.onnx_layout import RESOURCE_FILE, OnnxLayout
from training.schema import FEATURE_COLUMNS

EMULATED_PYTHON = f"{shlex.quote(sys.executable)} -m emulator run"
SERVICE_PRINCIPAL = {
    "AZUREML_SERVICE_PRINCIPAL_TENANT_ID": "00000000-0000-0000-0000-0000000000aa",
    "AZUREML_SERVICE_PRINCIPAL_ID": "duel-ci",
    "AZUREML_SERVICE_PRINCIPAL_PASSWORD": "not-a-secret",
}
CPU = ClusterSpec("cpu-cluster", "STANDARD_DS3_V2", max_nodes=2)
GPU = ClusterSpec("gpu-cluster", "STANDARD_NC4AS_T4_V3", max_nodes=2)
# A trial script: the sweep's first trial fails, the others log val_mae from their --x.
TRIAL = """
import argparse, sys
from azureml.core import Run
args = argparse.ArgumentParser()
args.add_argument("--x", type=float)
x = args.parse_args().x
run = Run.get_context()
if run.id.endswith("_0"):
    sys.exit("this trial fails on purpose")
run.log("val_mae", abs(x - 0.3))
"""


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """An emulator home the step processes inherit, a config.json naming a workspace in it, no credential."""
    monkeypatch.setenv("DUEL_EMULATOR_HOME", str(tmp_path / "emulator"))
    for name in (*SERVICE_PRINCIPAL, "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("IDENTITY_ENDPOINT", raising=False)
    monkeypatch.delenv("MSI_ENDPOINT", raising=False)
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))  # no Azure CLI login to fall back on
    config = {"subscription_id": "sub-1", "resource_group": "rg-duel", "workspace_name": "duel-azure"}
    (tmp_path / "config.json").write_text(json.dumps(config))
    return tmp_path


@pytest.fixture
def backend(home, monkeypatch):
    for name, value in SERVICE_PRINCIPAL.items():
        monkeypatch.setenv(name, value)
    return open_azure(EMULATED_PYTHON, home / "config.json", cpu_cluster=CPU, gpu_cluster=GPU)


def _emulated_workspace(home: Path):
    from emulator.core import Workspace

    return Workspace("sub-1", "rg-duel", "duel-azure")


def _dataset(backend, home: Path, rows: int):
    frame = pd.read_csv(os.environ["DUEL_DATA"]).sample(rows, random_state=0)
    path = home / "train.csv"
    frame.to_csv(path, index=False)
    return backend.register_dataset(
        DatasetUpload(str(path), "housing-train", "a sample", {"rows": str(rows)})
    )


def test_without_a_credential_opening_fails_in_one_line_before_any_workspace_is_touched(home):
    with pytest.raises(StepError) as refused:
        open_azure(EMULATED_PYTHON, home / "config.json", cpu_cluster=CPU, gpu_cluster=GPU)
    assert refused.value.kind == "CredentialError"
    message = str(refused.value)
    assert "\n" not in message and "Traceback" not in message
    assert "AZUREML_SERVICE_PRINCIPAL_PASSWORD" in message and "az login" in message
    assert not (home / "emulator" / "duel-azure").exists()


def test_without_the_sdk_interpreter_opening_says_how_to_build_it(tmp_path):
    settings = DuelSettings(
        backend="azure", automl_timeout_minutes=15, azure_python=str(tmp_path / "no-such-python")
    )
    with pytest.raises(AzureSetupError, match="make azure-env"):
        open_backend(settings)


def test_opening_signs_in_and_registers_both_environments_from_their_files(backend, home):
    assert backend.identity == "azure:sub-1/rg-duel/duel-azure"
    from emulator.core import Environment

    registered = Environment.list(_emulated_workspace(home))
    assert set(registered) == {"duel-training", "duel-serving"}
    training = registered["duel-training"].python.conda_dependencies
    assert "torch==2.13.0" in list(training.pip_packages)
    assert "onnxruntime==1.31.1" in list(registered["duel-serving"].python.conda_dependencies.pip_packages)


def _sweep(source: Path, runs: int) -> SweepJob:
    return SweepJob(
        experiment="duel-hyperdrive",
        source_directory=str(source),
        script="trial.py",
        arguments=(),
        compute=GPU,
        parameter_space={"--x": ("uniform", (0.0, 1.0))},
        policy=Bandit(evaluation_interval=1, slack_factor=0.5, delay_evaluation=10),
        primary_metric="val_mae",
        max_total_runs=runs,
        max_concurrent_runs=1,
        max_duration_minutes=10,
    )


def test_a_gpu_cluster_beyond_quota_fails_naming_the_cluster_and_the_setting(backend, home, monkeypatch):
    monkeypatch.setenv("DUEL_EMULATOR_VCPU_QUOTA", "standardNCASv3_T4Family=6")
    with pytest.raises(StepError) as refused:
        backend.run_sweep(_sweep(home, 2))
    assert refused.value.kind == "ComputeTargetException"
    message = str(refused.value)
    assert "cluster gpu-cluster: no quota for 2 x STANDARD_NC4AS_T4_V3" in message
    assert "QuotaExceeded" in message and "DUEL_GPU_MAX_NODES" in message and "\n" not in message
    assert _emulated_workspace(home).experiments == {}  # nothing was submitted


def test_a_sweep_with_a_failed_trial_reports_it_and_picks_the_best_of_the_rest(backend, home):
    source = home / "trial"
    source.mkdir()
    (source / "trial.py").write_text(TRIAL)
    progress = []
    outcome = backend.run_sweep(_sweep(source, 3), progress.append)
    statuses = {row["run"]: row["status"] for row in outcome.leaderboard}
    assert statuses[f"{outcome.job.run_id}_0"] == "Failed"
    assert outcome.best_run_id != f"{outcome.job.run_id}_0" and statuses[outcome.best_run_id] == "Completed"
    # Progress crossed the process boundary while the sweep ran, ending at the budget.
    assert progress and (progress[-1].finished, progress[-1].expected) == (3, 3)
    from emulator.core import Run

    trial = Run.get(_emulated_workspace(home), outcome.best_run_id)
    definition = trial.get_details()["runDefinition"]
    assert definition["environment"]["name"] == "duel-training"
    assert trial.get_details()["target"] == "gpu-cluster"
    # What a person watches and follows afterwards crosses the boundary too: trials started, best so far,
    # the time budget; each trial's curve for the report; the runs' portal pages.
    last = progress[-1]
    assert (last.started, last.metric, last.budget_seconds) == (3, "val_mae", 600)
    assert last.best == min(row["val_mae"] for row in outcome.leaderboard if row["val_mae"] is not None)
    curves = backend.child_metrics(outcome.job.run_id, "val_mae")
    assert {c.run_id for c in curves} == {run for run, status in statuses.items() if status == "Completed"}
    assert backend.run_urls((outcome.best_run_id,)) == {outcome.best_run_id: trial.get_portal_url()}


def test_the_duels_own_runs_are_logged_and_read_back_through_the_subprocess(backend, home):
    logged = backend.log_run(
        LoggedRun(
            "housing-price-champion",
            "promote housing-price:1",
            {"action": "promote"},
            {"champion_mae": 30_000.0},
        )
    )
    (read,) = backend.list_runs("housing-price-champion")
    assert (read.run_id, read.tags["action"], read.metrics) == (
        logged.run_id,
        "promote",
        {"champion_mae": 30_000.0},
    )


def _automl(training) -> AutoMLJob:
    return AutoMLJob(
        experiment="duel-automl",
        training=training,
        label="median_house_value",
        primary_metric="normalized_mean_absolute_error",
        compute=CPU,
        timeout_minutes=15.0,  # Azure's minimum; the two iterations end it sooner
        iterations=2,
        max_concurrent_iterations=1,
        allowed_models=("LightGBM",),
    )


@pytest.mark.slow
def test_automl_ships_its_onnx_copy_registered_deployed_scored_and_deleted(backend, home, tmp_path):
    training = _dataset(backend, home, 600)
    outcome = backend.run_automl(_automl(training))
    fetched = backend.fetch_automl_model(outcome.job, tmp_path / "fetched")
    assert fetched.run_id == outcome.best_run_id
    assert Path(fetched.path).name == "model.onnx" and Path(fetched.native_path).name == "model.pkl"
    # Azure's layout, fetched by the real SDK v1: one [n, 1] input per raw column, mapped beside it.
    layout = OnnxLayout.read(fetched.path)
    assert set(layout.columns) == set(FEATURE_COLUMNS) and layout.batch
    graph = onnx.load_model(fetched.path)
    assert [value.name for value in graph.graph.input] == [spec.name for spec in layout.inputs]
    assert all(len(value.type.tensor_type.shape.dim) == 2 for value in graph.graph.input)
    folder = tmp_path / "model"
    folder.mkdir()
    for file in (Path(fetched.path), Path(fetched.path).with_name(RESOURCE_FILE)):
        shutil.copy(file, folder / file.name)
    model = backend.register_model(
        ModelUpload(str(folder), "duel-price", {"format": "onnx"}, {}, "AutoML's ONNX copy", "Onnx", "1.23.2")
    )
    endpoint = backend.deploy(
        Deployment("duel-svc", (model.ref,), "score.py", str(SOURCE_DIRECTORY), "local")
    )
    try:
        row = [-122.23, 37.88, 41.0, 880.0, None, 322.0, 126.0, 8.3252, "NEAR BAY"]
        answer = backend.score(endpoint, json.dumps({"data": [row]}))
        assert len(answer["predictions"]) == 1 and answer["predictions"][0] > 0
    finally:
        backend.delete_service(endpoint)
    from emulator.core.webservice import Webservice

    assert Webservice.list(_emulated_workspace(home)) == []


@pytest.mark.slow
def test_an_automl_run_without_an_onnx_child_fails_in_one_line(backend, home, tmp_path):
    from emulator.core import Dataset, Experiment
    from emulator.train.automl import AutoMLConfig

    ws = _emulated_workspace(home)
    training = _dataset(backend, home, 300)
    run = Experiment(ws, "plain-automl").submit(
        AutoMLConfig(
            task="regression",
            primary_metric="normalized_mean_absolute_error",
            training_data=Dataset.get_by_name(ws, training.name, version=training.version),
            label_column_name="median_house_value",
            iterations=1,
            allowed_models=["LightGBM"],
            enable_onnx_compatible_models=False,
        )
    )
    run.wait_for_completion()
    with pytest.raises(StepError) as refused:
        backend.fetch_automl_model(RunRef("plain-automl", run.id), tmp_path)
    assert refused.value.kind == "ConfigException" and "ONNX compatibility disabled" in str(refused.value)


@pytest.mark.azure
def test_a_real_workspace_opens_headlessly_with_both_environments(azure_workspace):
    backend = open_backend(azure_workspace)
    assert backend.identity.startswith("azure:") and backend.identity.count("/") == 2


REAL_SDK_PYTHON = Path(__file__).resolve().parents[2] / ".venv-azure" / "bin" / "python"


@pytest.mark.azure_sdk
@pytest.mark.skipif(
    not REAL_SDK_PYTHON.exists(), reason=f"no real SDK v1 at {REAL_SDK_PYTHON}: `make azure-env`"
)
def test_the_real_sdk_interpreter_runs_the_steps_and_refuses_a_missing_credential_in_one_line(home):
    # Every step module imports under the real SDK; the credential is chosen before anything is contacted.
    with pytest.raises(StepError) as refused:
        open_azure(str(REAL_SDK_PYTHON), home / "config.json", cpu_cluster=CPU, gpu_cluster=GPU)
    assert refused.value.kind == "CredentialError" and "\n" not in str(refused.value)
