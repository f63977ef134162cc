"""``emulator models``: list, download and promote registered models."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..exceptions import AzureMLException
from . import _lookup as lookup
from ._arguments import (
    PLAIN,
    FormatOption,
    OutputDir,
    RunId,
    WorkspaceOption,
    console,
    get_run,
    open_workspace,
)
from ._output import Format, fail, iso, json_rows, show, when

app = typer.Typer(help="List and download registered models.", **PLAIN)


@app.command("list")
def models_list(
    workspace: WorkspaceOption = None,
    name: Annotated[
        str | None, typer.Option("--name", metavar="NAME", help="Only this model's versions.")
    ] = None,
    output: FormatOption = Format.TABLE,
):
    """List registered model versions (the run id falls back on the training_run_id tag)."""
    from ..core import Model

    models = Model.list(open_workspace(workspace), name=name)
    # Models registered from a file (the duel's ONNX copies) name their run only in a tag.
    run_ids = [model.run_id or model.tags.get("training_run_id") for model in models]
    if output is Format.JSON:
        keys = ("id", "name", "version", "framework", "tags")
        return json_rows(
            [
                {**{key: getattr(m, key) for key in keys}, "run_id": run_id, "created": iso(m.created_time)}
                for m, run_id in zip(models, run_ids, strict=True)
            ]
        )
    table = Table("name", "version", "framework", "run id", "tags", "registered")
    table.columns[3].no_wrap = True
    for model, run_id in zip(models, run_ids, strict=True):
        tags = ", ".join(f"{k}={v}" for k, v in model.tags.items())
        table.add_row(
            model.name, str(model.version), model.framework, run_id or "", tags, when(model.created_time)
        )
    show(table)


@app.command("download")
def models_download(
    name: Annotated[str, typer.Argument(metavar="MODEL", help="name, name:version, or a unique prefix.")],
    workspace: WorkspaceOption = None,
    version: Annotated[
        int | None, typer.Option("--version", metavar="N", help="Default: the latest.")
    ] = None,
    output: OutputDir = Path("."),
):
    """Download a model version (the latest by default)."""
    from ..core import Model

    ws = open_workspace(workspace)
    try:
        full, given_version = lookup.model_name(ws, name)
        path = Model(ws, full, version=version or given_version).download(str(output), exist_ok=True)
    except (AzureMLException, lookup.LookupFailed) as error:
        raise fail(str(error)) from None
    console.print(path)


@app.command("promote")
def models_promote(
    run_id: RunId,
    artifact_path: Annotated[
        str, typer.Option("--artifact-path", metavar="PATH", help="e.g. outputs/model.pkl")
    ],
    name: Annotated[
        str, typer.Option("--name", metavar="NAME", help="Model name; a new version if it exists.")
    ],
    workspace: WorkspaceOption = None,
):
    """Register a run's artifact (a file or a folder) as a new version of model NAME."""
    run_ = get_run(open_workspace(workspace), run_id)
    try:
        model = run_.register_model(name, model_path=artifact_path, tags={"promoted_from": run_.id})
    except AzureMLException as error:
        raise fail(str(error)) from None
    console.print(f"registered {model.name}:{model.version} from {run_.id}/{artifact_path}")
