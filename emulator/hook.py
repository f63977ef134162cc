"""The opt-in import hook: ``import azureml.core`` (and its siblings) resolves to the emulator.

Like moto's ``mock_aws``: ``install()`` puts a finder at the front of ``sys.meta_path`` that serves
every module in :data:`MODULES` from its ``emulator`` twin and refuses other ``azureml.*``
modules with a clear error. Real ``azureml`` modules already imported are set aside while the hook
is on and restored by ``uninstall()``, so where the real SDK is installed it is untouched outside
the hook.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import os
import sys
import types
from contextlib import contextmanager

# azureml module -> emulator module serving it. Each feature adds its own rows.
MODULES: dict[str, str] = {
    "azureml.core": "emulator.core",
    "azureml.core.workspace": "emulator.core.workspace",
    "azureml.core.experiment": "emulator.core.experiment",
    "azureml.core.run": "emulator.core.run",
    "azureml.core.script_run_config": "emulator.core.script_run_config",
    "azureml.core.runconfig": "emulator.core.runconfig",
    "azureml.core.environment": "emulator.core.environment",
    "azureml.core.conda_dependencies": "emulator.core.conda_dependencies",
    "azureml.core.compute": "emulator.core.compute",
    "azureml.core.compute_target": "emulator.exceptions",
    "azureml.core.model": "emulator.core.model",
    "azureml.core.container_registry": "emulator.core.model_package",
    "azureml.core.dataset": "emulator.core.dataset",
    "azureml.core.datastore": "emulator.core.datastore",
    "azureml.core.authentication": "emulator.core.authentication",
    "azureml.core.webservice": "emulator.core.webservice",
    "azureml.core.webservice.webservice": "emulator.core.webservice.webservice",
    "azureml.core.webservice.aci": "emulator.core.webservice.aci",
    "azureml.core.webservice.local": "emulator.core.webservice.local",
    "azureml.data.dataset_factory": "emulator.core.dataset",
    "azureml.exceptions": "emulator.exceptions",
    "azureml.widgets": "emulator.core.widgets",
    "azureml.train.hyperdrive": "emulator.train.hyperdrive",
    "azureml.train.hyperdrive.parameter_expressions": "emulator.train.hyperdrive.parameter_expressions",
    "azureml.train.hyperdrive.policy": "emulator.train.hyperdrive.policy",
    "azureml.train.hyperdrive.sampling": "emulator.train.hyperdrive.sampling",
    "azureml.train.hyperdrive.runconfig": "emulator.train.hyperdrive.runconfig",
    "azureml.train.hyperdrive.run": "emulator.train.hyperdrive.run",
    "azureml.train.hyperdrive.exceptions": "emulator.train.hyperdrive.exceptions",
    "azureml.train.automl": "emulator.train.automl",
    "azureml.train.automl.run": "emulator.train.automl.run",
    "azureml.contrib.services.aml_response": "emulator.serving.aml_response",
}
# Parents that exist only to hold the modules above.
_NAMESPACES = ("azureml", "azureml.train", "azureml.data", "azureml.contrib", "azureml.contrib.services")


class _AliasLoader(importlib.abc.Loader):
    """Loads an alias by returning the emulator module itself (one module object, two names)."""

    def __init__(self, target: str | None):
        self.target = target

    def create_module(self, spec):
        if self.target is None:
            module = types.ModuleType(spec.name)
            module.__path__ = []
            return module
        return importlib.import_module(self.target)

    def exec_module(self, module):
        """Nothing to run: the emulator module is already executed."""


class _EmulatorFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname in MODULES:
            return importlib.util.spec_from_loader(fullname, _AliasLoader(MODULES[fullname]))
        if fullname in _NAMESPACES:
            return importlib.util.spec_from_loader(fullname, _AliasLoader(None), is_package=True)
        if fullname.startswith("azureml."):
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: the azureml emulator does not provide it "
                "(see emulator.hook.MODULES for the modules it serves)",
                name=fullname,
            )
        return None


_finder = _EmulatorFinder()
_set_aside: dict[str, types.ModuleType] = {}


def _azureml_modules() -> list[str]:
    return [name for name in sys.modules if name == "azureml" or name.startswith("azureml.")]


def installed() -> bool:
    return _finder in sys.meta_path


def install(home: str | os.PathLike | None = None) -> None:
    """Serve ``azureml.*`` from the emulator in this process (idempotent).

    ``home`` names the emulator home for this process (and the runs it starts) instead of
    ``DUEL_EMULATOR_HOME``; :func:`uninstall` forgets it.
    """
    if home is not None:
        from emulator.core.workspace import use_home

        use_home(home)
    if installed():
        return
    for name in _azureml_modules():
        _set_aside[name] = sys.modules.pop(name)
    sys.meta_path.insert(0, _finder)


def uninstall() -> None:
    """Stop serving ``azureml.*`` and restore any real ``azureml`` modules set aside."""
    if not installed():
        return
    from emulator.core.workspace import use_home

    use_home(None)
    sys.meta_path.remove(_finder)
    for name in _azureml_modules():
        del sys.modules[name]
    sys.modules.update(_set_aside)
    _set_aside.clear()


@contextmanager
def azureml_emulated():
    """``with azureml_emulated(): from azureml.core import Run`` gives the emulator's ``Run``."""
    was_installed = installed()
    install()
    try:
        yield
    finally:
        if not was_installed:
            uninstall()
