"""The real SDK v1 objects the Azure path builds, from the flow's real settings, as the SDK serializes them.

The requests come from the tasks' own builders and settings (as ``DUEL_BACKEND=azure`` would make
them); ``build_azure_objects.py`` turns them into ``ScriptRunConfig``, ``HyperDriveConfig``,
``AutoMLConfig``, AmlCompute provisioning configurations, ``InferenceConfig`` and the ACI
deployment configuration with the real SDK in ``.venv-azure`` (``make azure-env``) and prints their
serialized forms. No HTTP leaves the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from backends import clusters
from backends.messages import DatasetRef, RegisteredModel
from backends.sdk_process import encode
from flows.comparison import resolve_settings
from tasks.automl_job import automl_job
from tasks.hyperdrive_job import sweep_job
from tasks.registered_split import DataRefs
from tasks.ship import deployment

HERE = Path(__file__).parent
REPOSITORY = HERE.parents[1]
AZURE_PYTHON = Path(os.environ.get("DUEL_AZURE_PYTHON", REPOSITORY / ".venv-azure" / "bin" / "python"))
pytestmark = [
    pytest.mark.azure_sdk,
    pytest.mark.skipif(
        not AZURE_PYTHON.exists(), reason=f"no real SDK v1 at {AZURE_PYTHON}: `make azure-env` builds it"
    ),
]


@pytest.fixture(scope="module")
def settings():
    """The settings of the `nightly-azure` deployment: its environment and parameters over the defaults,
    with two budgets a user would set."""
    deployment = next(
        d
        for d in yaml.safe_load((REPOSITORY / "deployments" / "prefect.yaml").read_text())["deployments"]
        if d["name"] == "nightly-azure"
    )
    with pytest.MonkeyPatch.context() as patch:
        for name, value in deployment["work_pool"]["job_variables"]["env"].items():
            patch.setenv(name, value)
        patch.setenv("DUEL_HYPERDRIVE_MAX_TOTAL_RUNS", "12")
        patch.setenv("DUEL_GPU_MAX_NODES", "2")
        return resolve_settings(**deployment.get("parameters", {}))


@pytest.fixture(scope="module")
def built(settings, tmp_path_factory) -> dict:
    specs = clusters(settings)
    data = DataRefs(
        DatasetRef("california-housing-train", 3),
        DatasetRef("california-housing-test", 3),
        "f" * 16,
        16512,
        4128,
    )
    request = {
        "automl": encode(automl_job(settings, data, specs["cpu_cluster"])),
        "sweep": encode(sweep_job(settings, data, specs["gpu_cluster"])),
        "deployment": encode(deployment(settings, RegisteredModel("housing-price", 7, "housing-price:7"))),
        "clusters": encode(tuple(specs.values())),
    }
    done = subprocess.run(
        [str(AZURE_PYTHON), str(HERE / "build_azure_objects.py")],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=300,
        # AutoMLConfig writes automl.log into the working folder.
        cwd=tmp_path_factory.mktemp("sdk"),
        env={**os.environ, "PYTHONPATH": str(REPOSITORY), "AZUREML_LOG_DEPRECATION_WARNING_ENABLED": "False"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_the_sweep_trials_run_on_the_gpu_cluster_in_the_registered_training_environment(built, settings):
    assert settings.backend == "azure"
    run_config = built["run_config"]
    assert run_config["target"] == settings.gpu_cluster
    assert run_config["script"] == "train_mlp.py"
    assert run_config["arguments"][:2] == ["--dataset-name", "california-housing-train"]
    environment = run_config["environment"]
    assert environment["name"] == "duel-training"
    pip = environment["python"]["condaDependencies"]["dependencies"][-1]["pip"]
    assert "torch==2.13.0" in pip and any(p.startswith("azureml-core") for p in pip)
    assert "cuda" in environment["docker"]["baseImage"]


def test_the_sweep_minimises_val_mae_within_the_settings_budget(built, settings):
    hyperdrive = built["hyperdrive"]
    assert hyperdrive["primary_metric"] == {"name": "val_mae", "goal": "minimize"}
    assert hyperdrive["max_total_runs"] == settings.hyperdrive_max_total_runs == 12
    assert hyperdrive["max_concurrent_runs"] == settings.hyperdrive_max_concurrent_runs
    assert hyperdrive["max_duration_minutes"] == settings.hyperdrive_max_duration_minutes
    assert hyperdrive["policy"]["name"] == "Bandit"
    assert hyperdrive["generator"]["name"] == "RANDOM"
    assert hyperdrive["generator"]["parameter_space"]["--lr"][0] == "loguniform"


def test_automl_runs_on_the_cpu_cluster_with_onnx_compatible_models_within_budget(built, settings):
    automl = built["automl"]
    assert automl["compute_target"] == settings.cpu_cluster
    assert automl["task_type"] == "regression"
    assert automl["primary_metric"] == "normalized_mean_absolute_error"
    assert automl["iterations"] == settings.automl_iterations
    assert automl["experiment_timeout_minutes"] == settings.automl_timeout_minutes == 30
    assert automl["max_concurrent_iterations"] == settings.automl_max_concurrent_iterations
    assert automl["enable_onnx_compatible_models"] is True


def test_clusters_are_provisioned_from_settings_and_scale_down_when_idle(built, settings):
    gpu = built["clusters"][settings.gpu_cluster]["properties"]["properties"]
    assert gpu["vmSize"] == settings.gpu_vm_size
    assert gpu["scaleSettings"] == {
        "maxNodeCount": 2,
        "minNodeCount": settings.gpu_min_nodes,
        "nodeIdleTimeBeforeScaleDown": f"PT{settings.cluster_idle_seconds}S",
    }
    cpu = built["clusters"][settings.cpu_cluster]["properties"]["properties"]
    assert (cpu["vmSize"], cpu["scaleSettings"]["maxNodeCount"]) == (
        settings.cpu_vm_size,
        settings.cpu_max_nodes,
    )


def test_the_service_scores_with_score_py_in_the_onnxruntime_environment_behind_a_key(built):
    inference = built["inference"]
    assert inference["entry_script"] == "score.py"
    assert inference["source_directory"].endswith("training")
    pip = inference["environment"]["python"]["condaDependencies"]["dependencies"][-1]["pip"]
    assert inference["environment"]["name"] == "duel-serving" and "onnxruntime==1.31.1" in pip
    aci = built["aci"]
    assert aci["computeType"] == "ACI" and aci["authEnabled"] is True
    assert aci["containerResourceRequirements"]["cpu"] == 1
    assert aci["environmentImageRequest"]["environment"]["name"] == "duel-serving"
