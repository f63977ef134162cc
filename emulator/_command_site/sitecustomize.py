"""Imported at start-up by every Python process of an emulated run (this folder leads its
``PYTHONPATH``): the script, its ranks and worker processes, and a command run's programs. There
``from azureml.core import Run`` resolves to the emulator, and ``Run.get_context()`` to the run."""

from emulator import hook

hook.install()
