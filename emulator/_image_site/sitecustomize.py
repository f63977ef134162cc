"""Imported first by a script run in its materialised environment (``DUEL_EMULATOR_BUILD_VENV``):
the script sees that environment's packages and nothing of the emulator's interpreter, except
``azureml``, which the import hook serves from the emulator so the run logs as any run does.

The emulator's own few dependencies (psutil, yaml) come from its interpreter's site-packages only
when an emulator module imports them; a package the environment lacks stays missing for the script.
If the environment installs the real ``azureml.core``, it is imported first, as Azure's image would,
so a broken install (setuptools without ``pkg_resources``) fails the run here too.
"""

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys

_ROOT = os.environ["DUEL_EMULATOR_ROOT"]
_SITE = os.environ["DUEL_EMULATOR_SITE"].split(os.pathsep)
_EMULATOR = os.path.join(_ROOT, "emulator") + os.sep


class _EmulatorOnly(importlib.abc.MetaPathFinder):
    """Finds ``emulator`` itself, and top-level modules the emulator's own code imports."""

    def find_spec(self, name, path=None, target=None):
        if path is not None:
            return None
        if name == "emulator":
            return importlib.machinery.PathFinder.find_spec(name, [_ROOT])
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename.startswith("<frozen"):
            frame = frame.f_back
        if frame is None or not frame.f_code.co_filename.startswith((_EMULATOR, *_SITE)):
            return None
        return importlib.machinery.PathFinder.find_spec(name, _SITE)


if importlib.util.find_spec("azureml") is not None and importlib.util.find_spec("azureml.core") is not None:
    import azureml.core  # noqa: F401  (the real one: its import must work in the image)

sys.meta_path.append(_EmulatorOnly())

from emulator import hook  # noqa: E402

hook.install()
