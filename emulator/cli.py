"""The ``emulator`` command: the offline twin of ``az ml run list / show / download``.

Examples::

    emulator run notebook.py --epochs 3        # run plain SDK v1 code against the emulator
    emulator runs list -e housing-hyperdrive    # newest runs first
    emulator runs show HD_1234                  # details, metrics and the child tree
    emulator runs log HD_1234_0                 # the driver log
    emulator runs download HD_1234_0 -o out/
    emulator models list
    emulator models download duel-champion --version 2 -o model/
    emulator datasets list
    emulator services list                      # deployed scoring services and their URIs
    emulator services delete housing-price-svc  # stop the server (or container) and forget it
    emulator studio --port 0                    # runs, trials, images and models in a browser

The workspace is ``--workspace`` (or ``AZUREML_ARM_WORKSPACE_NAME``), else the one named by a
``config.json`` found from the current folder, else the only workspace under ``DUEL_EMULATOR_HOME``.
"""

from __future__ import annotations

import runpy
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from .exceptions import AzureMLException

app = typer.Typer(
    help="Inspect and use the local Azure ML emulator.", no_args_is_help=True, add_completion=False
)
runs_app = typer.Typer(help="List, show, cancel and download runs.", no_args_is_help=True)
models_app = typer.Typer(help="List and download registered models.", no_args_is_help=True)
app.add_typer(runs_app, name="runs")
app.add_typer(models_app, name="models")
services_app = typer.Typer(help="List, inspect and delete deployed scoring services.", no_args_is_help=True)
app.add_typer(services_app, name="services")
console = Console()

WorkspaceOption = Annotated[
    str | None, typer.Option("--workspace", "-w", envvar="AZUREML_ARM_WORKSPACE_NAME", help="Workspace name.")
]


def _fail(message: str) -> typer.Exit:
    Console(stderr=True).print(f"[red]error:[/red] {message}")
    return typer.Exit(1)


def _workspace(name: str | None):
    from .core.workspace import Workspace, emulator_home

    if name:
        return Workspace.get(name)
    try:
        return Workspace.from_config()
    except AzureMLException:
        found = sorted(p.parent.name for p in emulator_home().glob("*/workspace.json"))
        if len(found) == 1:
            return Workspace.get(found[0])
        raise _fail(
            f"pick a workspace with --workspace; found {', '.join(found) or 'none'} in {emulator_home()}"
        ) from None


def _when(timestamp: float | None) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S") if timestamp else "-"


def _get_run(workspace, run_id: str):
    from .core import Run

    try:
        return Run.get(workspace, run_id)
    except AzureMLException as error:
        raise _fail(str(error)) from None


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def run(
    ctx: typer.Context,
    script: Annotated[Path, typer.Argument(help="A Python file written against azureml.*")],
):
    """Run SCRIPT with the import hook on, so its azureml.* imports use the emulator."""
    from . import hook

    if not script.is_file():
        raise _fail(f"no such script: {script}")
    hook.install()
    sys.argv = [str(script), *ctx.args]
    sys.path.insert(0, str(script.resolve().parent))
    runpy.run_path(str(script), run_name="__main__")


@app.command("experiments")
def experiments(workspace: WorkspaceOption = None):
    """List the workspace's experiments."""
    from .core import Experiment

    ws = _workspace(workspace)
    table = Table("experiment", "runs", "archived")
    for experiment in Experiment.list(ws, view_type="All"):
        count = len(ws._store.search_runs(experiment=experiment.name, parent_id=None))
        table.add_row(experiment.name, str(count), "yes" if experiment.archived_time else "")
    console.print(table)


@runs_app.command("list")
def runs_list(
    workspace: WorkspaceOption = None,
    experiment: Annotated[str | None, typer.Option("--experiment", "-e")] = None,
    children: Annotated[bool, typer.Option("--children", help="Include child runs.")] = False,
    status: Annotated[str | None, typer.Option("--status")] = None,
):
    """List runs, newest first."""
    ws = _workspace(workspace)
    records = ws._store.search_runs(experiment=experiment, parent_id=... if children else None)
    table = Table("run id", "experiment", "#", "type", "status", "started", "ended")
    for record in reversed(records):
        if status is None or record["status"] == status:
            table.add_row(
                record["run_id"],
                record["experiment"],
                str(record["number"]),
                record["type"],
                record["status"],
                _when(record["start_time"]),
                _when(record["end_time"]),
            )
    console.print(table)


@runs_app.command("show")
def runs_show(run_id: str, workspace: WorkspaceOption = None):
    """Show a run's details, tags, properties, metrics and its children as a tree."""
    from .core.widgets import run_table, run_tree

    run_ = _get_run(_workspace(workspace), run_id)
    console.print(run_table(run_))
    console.print(run_tree(run_))


@runs_app.command("log")
def runs_log(run_id: str, workspace: WorkspaceOption = None):
    """Print a run's driver log."""
    from .core.run import DRIVER_LOG

    run_ = _get_run(_workspace(workspace), run_id)
    if DRIVER_LOG not in run_.get_file_names():
        raise _fail(f"run {run_id} has no driver log (it was not launched from a script)")
    sys.stdout.write(run_._store.artifact_path(run_id, DRIVER_LOG).read_text(errors="replace"))


@runs_app.command("metrics")
def runs_metrics(run_id: str, workspace: WorkspaceOption = None):
    """Print a run's metrics as name, step, value rows."""
    run_ = _get_run(_workspace(workspace), run_id)
    table = Table("metric", "step", "value")
    for row in run_._get_metric_rows():
        table.add_row(row["name"], "" if row["step"] is None else str(row["step"]), repr(row["value"]))
    console.print(table)


@runs_app.command("download")
def runs_download(
    run_id: str,
    workspace: WorkspaceOption = None,
    prefix: Annotated[str | None, typer.Option("--prefix", help="e.g. outputs/")] = None,
    output: Annotated[Path, typer.Option("--output", "-o")] = Path("."),
):
    """Download a run's files (all, or those under --prefix)."""
    run_ = _get_run(_workspace(workspace), run_id)
    run_.download_files(prefix=prefix, output_directory=str(output))
    console.print(
        f"downloaded {len([n for n in run_.get_file_names() if not prefix or n.startswith(prefix)])} file(s) to {output}"
    )


@runs_app.command("cancel")
def runs_cancel(run_id: str, workspace: WorkspaceOption = None):
    """Cancel a run, terminating its process and those of its active children."""
    run_ = _get_run(_workspace(workspace), run_id)
    run_.cancel()
    console.print(f"{run_id}: {run_.get_status()}")


@models_app.command("list")
def models_list(
    workspace: WorkspaceOption = None, name: Annotated[str | None, typer.Option("--name")] = None
):
    """List registered model versions."""
    from .core import Model

    table = Table("name", "version", "framework", "run id", "tags", "registered")
    for model in Model.list(_workspace(workspace), name=name):
        tags = ", ".join(f"{k}={v}" for k, v in model.tags.items())
        table.add_row(
            model.name,
            str(model.version),
            model.framework,
            model.run_id or "",
            tags,
            _when(model.created_time),
        )
    console.print(table)


@models_app.command("download")
def models_download(
    name: str,
    workspace: WorkspaceOption = None,
    version: Annotated[int | None, typer.Option("--version")] = None,
    output: Annotated[Path, typer.Option("--output", "-o")] = Path("."),
):
    """Download a model version (the latest by default)."""
    from .core import Model

    try:
        path = Model(_workspace(workspace), name, version=version).download(str(output), exist_ok=True)
    except AzureMLException as error:
        raise _fail(str(error)) from None
    console.print(path)


@app.command("datasets")
def datasets(workspace: WorkspaceOption = None):
    """List registered dataset versions with their content hashes."""
    ws = _workspace(workspace)
    table = Table("name", "version", "content hash", "registered", "description")
    for record in ws._store.list_datasets():
        table.add_row(
            record["name"],
            str(record["version"]),
            record["content_hash"][:12],
            _when(record["created"]),
            record.get("description") or "",
        )
    console.print(table)


def _service(workspace: str | None, name: str):
    from .core import Webservice

    try:
        return Webservice(_workspace(workspace), name)
    except AzureMLException as error:
        raise _fail(str(error)) from None


@services_app.command("list")
def services_list(workspace: WorkspaceOption = None):
    """List deployed services with their state and scoring URI."""
    from .core import Webservice

    table = Table("name", "type", "state", "scoring uri", "auth")
    for service in Webservice.list(_workspace(workspace)):
        service.update_deployment_state()
        table.add_row(
            service.name, service.compute_type, service.state, service.scoring_uri, str(service.auth_enabled)
        )
    console.print(table)


@services_app.command("logs")
def services_logs(name: str, workspace: WorkspaceOption = None, lines: int = 200):
    """Print the last lines of a service's log (requests, errors; never keys)."""
    typer.echo(_service(workspace, name).get_logs(num_lines=lines))


@services_app.command("delete")
def services_delete(name: str, workspace: WorkspaceOption = None):
    """Stop a service's server or container and remove it."""
    _service(workspace, name).delete()
    console.print(f"{name}: deleted")


@app.command("studio")
def studio(
    workspace: WorkspaceOption = None,
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port on 127.0.0.1; 0 picks a free one.")
    ] = 0,
):
    """Serve the offline studio (runs, trials, images, models) on 127.0.0.1 until Ctrl+C."""
    from .studio import serve

    ws = _workspace(workspace)
    try:
        serve(ws, port)
    except OSError as error:
        raise _fail(f"cannot serve on 127.0.0.1:{port}: {error.strerror or error}") from None


def main() -> None:
    app()


if __name__ == "__main__":
    main()
