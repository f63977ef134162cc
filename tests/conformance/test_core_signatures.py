"""Signatures of the emulator's core classes against the real azureml-core, where it is installed.

Every public method the emulator defines must accept exactly the parameters (names, kinds,
defaults, order) of the SDK method of the same name. Runs only where the real SDK imports (the
``azure`` extra, in its own virtual environment); skips with the reason elsewhere.
"""

from __future__ import annotations

import importlib
import inspect

import pytest

from emulator import hook
from emulator.core import (
    ComputeTarget,
    Dataset,
    Datastore,
    Environment,
    Experiment,
    Model,
    Run,
    RunConfiguration,
    ScriptRunConfig,
    Workspace,
)
from emulator.core.compute import AmlCompute
from emulator.core.conda_dependencies import CondaDependencies

pytestmark = pytest.mark.azure

EMULATED = {
    "azureml.core.Workspace": Workspace,
    "azureml.core.Experiment": Experiment,
    "azureml.core.Run": Run,
    "azureml.core.Model": Model,
    "azureml.core.Dataset": Dataset,
    "azureml.core.Datastore": Datastore,
    "azureml.core.Environment": Environment,
    "azureml.core.ScriptRunConfig": ScriptRunConfig,
    "azureml.core.RunConfiguration": RunConfiguration,
    "azureml.core.ComputeTarget": ComputeTarget,
    "azureml.core.compute.AmlCompute": AmlCompute,
    "azureml.core.conda_dependencies.CondaDependencies": CondaDependencies,
}


def _real(path: str):
    if hook.installed():
        pytest.skip("the import hook is on, so azureml.* is the emulator")
    module, name = path.rsplit(".", 1)
    try:
        return getattr(importlib.import_module(module), name)
    except ImportError as error:
        pytest.skip(
            f"the real azureml SDK is not installed ({error}); install the 'azure' extra in its own venv"
        )


def _shape(function) -> list[tuple[str, str, str]]:
    parameters = inspect.signature(function).parameters.values()
    return [(p.name, p.kind.name, repr(p.default) if p.default is not p.empty else "") for p in parameters]


def _public_methods(cls) -> list[str]:
    names = set()
    for klass in cls.__mro__[:-1]:
        names |= {
            n for n, v in vars(klass).items() if callable(v) or isinstance(v, staticmethod | classmethod)
        }
    return sorted(n for n in names if not n.startswith("_") or n == "__init__")


@pytest.mark.parametrize("path", sorted(EMULATED))
def test_public_methods_take_the_sdk_parameters(path):
    real = _real(path)
    emulated = EMULATED[path]
    mismatches = {
        name: (_shape(getattr(emulated, name)), _shape(getattr(real, name)))
        for name in _public_methods(emulated)
        if hasattr(real, name) and _shape(getattr(emulated, name)) != _shape(getattr(real, name))
    }
    assert not mismatches, f"{path}: emulator vs SDK signatures differ: {mismatches}"


@pytest.mark.parametrize("path", sorted(EMULATED))
def test_emulated_classes_exist_in_the_sdk(path):
    assert inspect.isclass(_real(path))
