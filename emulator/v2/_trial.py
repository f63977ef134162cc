"""``python -m emulator.v2._trial TEMPLATE --name value ...``: one sweep trial's command. HyperDrive
appends the sampled hyperparameters as ``--name value`` pairs (its v1 contract); a v2 trial names
them in its command as ``${{search_space.name}}`` (or ``${{inputs.name}}``), so they are put there
and the line is run in this run's shell."""

from __future__ import annotations

import os
import re
import shlex
import sys


def fill(template: str, pairs: list[str]) -> str:
    """``template`` with each swept ``${{search_space.x}}`` / ``${{inputs.x}}`` replaced by its value."""
    values = {key.removeprefix("--"): value for key, value in zip(pairs[::2], pairs[1::2], strict=True)}

    def replace(found: re.Match) -> str:
        name = found.group(2)
        return shlex.quote(values[name]) if name in values else found.group(0)

    return re.sub(r"\$\{\{\s*(search_space|inputs)\.([A-Za-z0-9_]+)\s*\}\}", replace, template)


if __name__ == "__main__":
    line = fill(sys.argv[1], sys.argv[2:])
    print(f"trial command: {line}", flush=True)
    os.environ.setdefault("MLFLOW_RUN_ID", os.environ.get("AZUREML_RUN_ID", ""))
    os.execv("/bin/sh", ["sh", "-c", line])
