"""``emulator runs compare`` (metrics of several runs side by side) and ``emulator models promote``
(a run's artifact registered as a model version), registered on the ``emulator`` command's groups."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from .cli import RunId, WorkspaceOption, _fail, _get_run, _workspace, console, models_app, runs_app
from .exceptions import AzureMLException


def _metric_cells(run_) -> dict[str, str]:
    """{metric: one cell}: a scalar as it is, a repeated one as its last value and count, other
    kinds (lists, tables, images) by kind and size, since they do not fit side by side."""
    rows: dict[str, list[dict]] = {}
    for row in run_._get_metric_rows():
        rows.setdefault(row["name"], []).append(row)
    cells = {}
    for name, entries in rows.items():
        kind, value = entries[-1]["kind"], entries[-1]["value"]
        if kind == "scalar":
            shown = f"{value:,.6g}" if isinstance(value, float) else str(value)
            cells[name] = shown if len(entries) == 1 else f"{shown} (last of {len(entries)})"
        elif kind == "list":
            cells[name] = f"<list of {len(value)}>"
        else:
            cells[name] = f"<{kind}>"
    return cells


@runs_app.command("compare")
def runs_compare(
    run_ids: Annotated[
        list[str], typer.Argument(metavar="RUN_ID...", help="Two or more run ids (or unique prefixes).")
    ],
    workspace: WorkspaceOption = None,
):
    """Show the metrics of several runs side by side (a metric a run lacks shows as -)."""
    if len(run_ids) < 2:
        raise _fail("compare needs at least two run ids")
    ws = _workspace(workspace)
    runs = [_get_run(ws, run_id) for run_id in run_ids]
    metrics = [_metric_cells(r) for r in runs]
    table = Table("metric", *[r.id for r in runs])
    table.add_row("status", *[r.get_status() for r in runs])
    table.add_row("experiment", *[r.experiment.name for r in runs])
    for name in sorted(set().union(*metrics)):
        table.add_row(name, *[m.get(name, "-") for m in metrics])
    console.print(table)


@models_app.command("promote")
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
    run_ = _get_run(_workspace(workspace), run_id)
    try:
        model = run_.register_model(name, model_path=artifact_path, tags={"promoted_from": run_.id})
    except AzureMLException as error:
        raise _fail(str(error)) from None
    console.print(f"registered {model.name}:{model.version} from {run_.id}/{artifact_path}")
