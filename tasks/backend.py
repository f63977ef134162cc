"""The seam: one azureml SDK v1 surface, served by the emulator or by the real SDK.

Flow and task code asks :func:`sdk` for the SDK names and :func:`workspace` for a workspace, and
never imports ``azureml`` or ``emulator`` itself, so the same flow runs offline and on Azure.
"""

from __future__ import annotations

import importlib
import os
from functools import cache
from types import SimpleNamespace

from tasks.settings import Backend, DuelSettings

# name -> module, by the SDK's own module paths; the emulator mirrors them under `emulator.`.
_NAMES = {
    "Workspace": "core",
    "Experiment": "core",
    "Run": "core",
    "Dataset": "core",
    "Environment": "core",
    "ScriptRunConfig": "core",
    "PyTorchConfiguration": "core.runconfig",
    "MpiConfiguration": "core.runconfig",
    "Model": "core",
    "ComputeTarget": "core.compute",
    "AmlCompute": "core.compute",
    "InferenceConfig": "core.model",
    "Webservice": "core.webservice",
    "LocalWebservice": "core.webservice",
    "AciWebservice": "core.webservice",
    "HyperDriveConfig": "train.hyperdrive",
    "RandomParameterSampling": "train.hyperdrive",
    "BayesianParameterSampling": "train.hyperdrive",
    "BanditPolicy": "train.hyperdrive",
    "PrimaryMetricGoal": "train.hyperdrive",
    "choice": "train.hyperdrive",
    "uniform": "train.hyperdrive",
    "loguniform": "train.hyperdrive",
    "AutoMLConfig": "train.automl",
    "AutoMLRun": "train.automl.run",
    "ComputeTargetException": "exceptions",
}


@cache
def sdk(backend: Backend = Backend.EMULATOR) -> SimpleNamespace:
    """The SDK names for a backend (``emulator.core.Run`` or ``azureml.core.Run``, ...)."""
    root = "emulator" if backend is Backend.EMULATOR else "azureml"
    names = {}
    for name, module in _NAMES.items():
        try:
            names[name] = getattr(importlib.import_module(f"{root}.{module}"), name)
        except ImportError as exc:
            if backend is Backend.AZURE:
                raise ImportError(
                    "the azure backend needs the SDK v1 clients: install the 'azure' extra into its own "
                    "virtual environment (see README)"
                ) from exc
            raise
    return SimpleNamespace(**names)


def workspace(settings: DuelSettings):
    """The workspace the settings name: a local emulator folder, or config.json for Azure."""
    api = sdk(settings.backend)
    if settings.backend is Backend.AZURE:
        return api.Workspace.from_config(path=str(settings.azure_config) if settings.azure_config else None)
    if settings.emulator_home is not None:
        os.environ["DUEL_EMULATOR_HOME"] = str(settings.emulator_home)
    return api.Workspace(subscription_id="local", resource_group="automl-duel", workspace_name="duel")


def compute_target(settings: DuelSettings, ws, *, gpu: bool):
    """Create or attach the CPU (AutoML) or GPU (HyperDrive) cluster, the SDK's usual idiom."""
    api = sdk(settings.backend)
    name, vm_size = (
        (settings.gpu_cluster, settings.gpu_vm_size) if gpu else (settings.cpu_cluster, settings.cpu_vm_size)
    )
    try:
        return api.ComputeTarget(workspace=ws, name=name)
    except api.ComputeTargetException:
        config = api.AmlCompute.provisioning_configuration(
            vm_size=vm_size, min_nodes=0, max_nodes=settings.max_nodes, idle_seconds_before_scaledown=1800
        )
        target = api.ComputeTarget.create(ws, name, config)
        target.wait_for_completion(show_output=False)
        return target
