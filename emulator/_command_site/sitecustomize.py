"""Imported at start-up by every Python process of a ``ScriptRunConfig(command=...)`` run (this
folder leads its ``PYTHONPATH``): ``from azureml.core import Run`` there resolves to the emulator,
and ``Run.get_context()`` to the run, as in a script run."""

from emulator import hook

hook.install()
