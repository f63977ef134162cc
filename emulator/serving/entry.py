"""Loading an Azure ML entry script (a module with ``init()`` and ``run(raw_data)``)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from . import aml_response

# The names an entry script imports Azure's response class by; azmlinfsrv maps them the same way.
CONTRIB_MODULES = {"azureml.contrib.services.aml_response": aml_response}


def load_entry_script(path: Path) -> ModuleType:
    """Import the script by path with its folder on ``sys.path``, as Azure's server does, and check it.

    ``azureml.contrib.services.aml_response`` is importable from the script, as under Azure's server.

    Raises ``FileNotFoundError`` for a missing file and ``TypeError`` when ``init`` or ``run`` is
    missing or not callable.
    """
    if not path.is_file():
        raise FileNotFoundError(f"entry script {path} does not exist")
    sys.modules.update(CONTRIB_MODULES)
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("init", "run"):
        if not callable(getattr(module, name, None)):
            raise TypeError(f"entry script {path} must define a function {name}()")
    return module
