"""``emulator env --v2``: the shell environment that points azure-ai-ml, azure-identity and mlflow at
the emulator's v2 surface (``eval "$(emulator env --v2)"``), with the workspace's config.json written
where ``MLClient.from_config`` finds it."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Annotated

import typer

from ._arguments import WorkspaceOption
from ._output import fail

DEFAULT_WORKSPACE = "emulator-ws"
_CONFIG = Path(".azureml") / "config.json"


def _workspace_name(name: str | None) -> str:
    from ..core import Workspace
    from ..exceptions import AzureMLException
    from ._lookup import LookupFailed, workspace

    if name is None:
        try:
            return workspace(None)[0].name
        except (AzureMLException, LookupFailed):
            name = DEFAULT_WORKSPACE
    Workspace(
        "00000000-0000-0000-0000-000000000000", "emulator-rg", name
    )  # made on first use, as Workspace.create would
    return name


def _write_config(config: dict) -> str:
    """Write ``.azureml/config.json`` here unless one naming another workspace is there; a note for stderr."""
    if _CONFIG.exists():
        present = json.loads(_CONFIG.read_text())
        if present.get("workspace_name") != config["workspace_name"]:
            return f"# {_CONFIG} names workspace {present.get('workspace_name')!r}; left as it is"
    _CONFIG.parent.mkdir(exist_ok=True)
    _CONFIG.write_text(json.dumps(config, indent=2) + "\n")
    return f"# wrote {_CONFIG.resolve()}"


def env(
    v2: Annotated[bool, typer.Option("--v2", help="The Azure ML SDK v2 (azure-ai-ml) surface.")] = False,
    workspace: WorkspaceOption = None,
):
    """Print the shell environment that reaches the emulator: eval "$(emulator env --v2)"."""
    if not v2:
        raise fail("only --v2 has an environment to print (SDK v1 code runs with `emulator run`)")
    from ..v2 import _lasting

    name = _workspace_name(workspace)
    try:
        state = _lasting.ensure(name)
    except TimeoutError as error:
        raise fail(str(error)) from None
    typer.echo(_write_config(state["config"]))
    for key, value in state["environment"].items():
        typer.echo(f"export {key}={shlex.quote(value)}")
