"""The arguments every ``emulator`` command group shares, and the workspace and run they name."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..exceptions import AzureMLException
from . import _lookup as lookup
from ._output import Format, PlainHelpGroup, fail

# Plain (click) help: typer's rich panels print a "<bool>" placeholder beside every flag.
PLAIN = {"no_args_is_help": True, "rich_markup_mode": None, "cls": PlainHelpGroup}
console = Console()

WorkspaceOption = Annotated[
    str | None,
    typer.Option(
        "--workspace", "-w", envvar="AZUREML_ARM_WORKSPACE_NAME", metavar="NAME", help="Workspace name."
    ),
]
RunId = Annotated[str, typer.Argument(metavar="RUN_ID", help="A run id or a unique prefix of one.")]
ServiceName = Annotated[str, typer.Argument(metavar="NAME", help="A service name or a unique prefix of one.")]
FormatOption = Annotated[Format, typer.Option("--output", "-o", metavar="FORMAT", help="table or json.")]
WideOption = Annotated[bool, typer.Option("--wide", help="Every column, full timestamps.")]
OutputDir = Annotated[Path, typer.Option("--output", "-o", metavar="DIR", help="Where the files go.")]


def open_workspace(name: str | None):
    """The workspace NAME, else the one the home implies (named on stderr); exits with a message."""
    try:
        workspace, note = lookup.workspace(name)
    except (AzureMLException, lookup.LookupFailed) as error:
        raise fail(str(error)) from None
    if note:
        Console(stderr=True).print(f"[dim]using {note}[/dim]", highlight=False)
    return workspace


def get_run(workspace, run_id: str):
    """The run RUN_ID (or a unique prefix of it) in WORKSPACE; exits with a message."""
    from ..core import Run

    try:
        return Run.get(workspace, lookup.run_id(workspace, run_id))
    except (AzureMLException, lookup.LookupFailed) as error:
        raise fail(str(error)) from None
