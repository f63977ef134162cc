"""``emulator runs``: list, show, log, metrics, download, cancel and compare runs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ._arguments import (
    PLAIN,
    FormatOption,
    OutputDir,
    RunId,
    WideOption,
    WorkspaceOption,
    console,
    get_run,
    open_workspace,
)
from ._output import Format, duration, fail, iso, json_rows, show, stepped, when

app = typer.Typer(help="List, show, cancel and download runs.", **PLAIN)


def _run_row(record: dict) -> dict[str, Any]:
    return {
        "run_id": record["run_id"],
        "experiment": record["experiment"],
        "number": record["number"],
        "type": record["type"],
        "status": record["status"],
        "parent_id": record["parent_id"],
        "start_time": iso(record["start_time"]),
        "end_time": iso(record["end_time"]),
    }


@app.command("list")
def runs_list(
    workspace: WorkspaceOption = None,
    experiment: Annotated[str | None, typer.Option("--experiment", "-e", metavar="NAME")] = None,
    children: Annotated[bool, typer.Option("--children", help="Include child runs.")] = False,
    status: Annotated[str | None, typer.Option("--status", metavar="STATUS", help="e.g. Completed")] = None,
    wide: WideOption = False,
    output: FormatOption = Format.TABLE,
):
    """List runs, newest first."""
    ws = open_workspace(workspace)
    records = [
        r
        for r in reversed(ws._store.search_runs(experiment=experiment, parent_id=... if children else None))
        if status is None or r["status"] == status
    ]
    if output is Format.JSON:
        return json_rows([_run_row(r) for r in records])
    table = Table(*(["run id", "experiment", "#"] if wide else ["run id", "experiment"]))
    # Ids are what a user copies: never cut, never wrapped; other columns give way first.
    table.columns[0].no_wrap = True
    table.columns[0].min_width = max((len(r["run_id"]) for r in records), default=6)
    for column in ("type", "status", "started", "ended" if wide else "duration"):
        table.add_column(column)
    for record in records:
        cells = [record["run_id"], record["experiment"]] + ([str(record["number"])] if wide else [])
        last = when(record["end_time"]) if wide else duration(record)
        table.add_row(*cells, record["type"], record["status"], when(record["start_time"], wide), last)
    show(table)


@app.command("show")
def runs_show(run_id: RunId, workspace: WorkspaceOption = None):
    """Show a run's details, tags, properties, metrics and its children as a tree."""
    from ..core.widgets import run_table, run_tree

    run_ = get_run(open_workspace(workspace), run_id)
    console.print(run_table(run_))
    show(run_tree(run_))


@app.command("log")
def runs_log(run_id: RunId, workspace: WorkspaceOption = None):
    """Print a run's driver log."""
    from ..core.run import DRIVER_LOG

    run_ = get_run(open_workspace(workspace), run_id)
    if DRIVER_LOG not in run_.get_file_names():
        raise fail(f"run {run_.id} has no driver log (it was not launched from a script)")
    sys.stdout.write(run_._store.artifact_path(run_.id, DRIVER_LOG).read_text(errors="replace"))


@app.command("metrics")
def runs_metrics(run_id: RunId, workspace: WorkspaceOption = None, output: FormatOption = Format.TABLE):
    """Print a run's metrics as name, step, value rows (repeated values without steps count from 0)."""
    run_ = get_run(open_workspace(workspace), run_id)
    rows = stepped(run_._get_metric_rows())
    if output is Format.JSON:
        return json_rows([{"name": r["name"], "step": step, "value": r["value"]} for r, step in rows])
    table = Table("metric", "step", "value")
    for row, step in rows:
        table.add_row(row["name"], "" if step is None else str(step), repr(row["value"]))
    show(table)


@app.command("download")
def runs_download(
    run_id: RunId,
    workspace: WorkspaceOption = None,
    prefix: Annotated[str | None, typer.Option("--prefix", metavar="PREFIX", help="e.g. outputs/")] = None,
    output: OutputDir = Path("."),
):
    """Download a run's files (all, or those under --prefix)."""
    run_ = get_run(open_workspace(workspace), run_id)
    run_.download_files(prefix=prefix, output_directory=str(output))
    console.print(
        f"downloaded {len([n for n in run_.get_file_names() if not prefix or n.startswith(prefix)])} file(s) to {output}"
    )


@app.command("cancel")
def runs_cancel(run_id: RunId, workspace: WorkspaceOption = None):
    """Cancel a run, terminating its process and those of its active children."""
    run_ = get_run(open_workspace(workspace), run_id)
    run_.cancel()
    console.print(f"{run_.id}: {run_.get_status()}")


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


@app.command("compare")
def runs_compare(
    run_ids: Annotated[
        list[str], typer.Argument(metavar="RUN_ID...", help="Two or more run ids (or unique prefixes).")
    ],
    workspace: WorkspaceOption = None,
):
    """Show the metrics of several runs side by side (a metric a run lacks shows as -)."""
    if len(run_ids) < 2:
        raise fail("compare needs at least two run ids")
    ws = open_workspace(workspace)
    runs = [get_run(ws, run_id) for run_id in run_ids]
    metrics = [_metric_cells(r) for r in runs]
    table = Table("metric", *[r.id for r in runs])
    table.add_row("status", *[r.get_status() for r in runs])
    table.add_row("experiment", *[r.experiment.name for r in runs])
    for name in sorted(set().union(*metrics)):
        table.add_row(name, *[m.get(name, "-") for m in metrics])
    console.print(table)
