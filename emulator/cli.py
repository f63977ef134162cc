"""The ``emulator`` command: the offline twin of ``az ml run list / show / download``.

Examples::

    emulator run notebook.py --epochs 3        # run plain SDK v1 code against the emulator
    emulator run -m mypackage.job --quick      # the same for a module, as `python -m` runs it
    emulator runs list -e housing-hyperdrive    # newest runs first, whole ids
    emulator runs list -o json                  # every field, for scripts
    emulator runs show HD_12                    # any unique prefix of a run id
    emulator runs log HD_1234_0                 # the driver log
    emulator runs download HD_1234_0 -o out/
    emulator runs compare RUN_A RUN_B           # metrics side by side
    emulator models list
    emulator models download duel-champion --version 2 -o model/
    emulator models promote RUN_ID --artifact-path outputs/model.pkl --name housing-rf
    emulator datasets list
    emulator services list                      # deployed scoring services and their URIs
    emulator services delete housing-price      # stop the server (or container) and forget it
    emulator studio                             # runs, trials, images and models in a browser

Run ids, model names and service names may be given by a unique prefix. The home is ``--home`` (or
``DUEL_EMULATOR_HOME``), else the ``.duel/emulator`` of the automl-duel checkout around the current
folder, else the emulator's per-user default. The workspace is ``--workspace`` (or
``AZUREML_ARM_WORKSPACE_NAME``), else the one named by a ``config.json`` found from the current
folder, else the only workspace in the home, else the one with the most recent run (named on stderr).
"""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from . import _cli_lookup as lookup
from ._cli_output import Format, PlainHelpGroup, duration, iso, json_rows, show, stepped, when
from ._cli_output import fail as _fail
from .exceptions import AzureMLException
from .studio import STUDIO_PORT

# Plain (click) help: typer's rich panels print a "<bool>" placeholder beside every flag.
_PLAIN = {"no_args_is_help": True, "rich_markup_mode": None, "cls": PlainHelpGroup}
app = typer.Typer(help="Inspect and use the local Azure ML emulator.", add_completion=False, **_PLAIN)
runs_app = typer.Typer(help="List, show, cancel and download runs.", **_PLAIN)
models_app = typer.Typer(help="List and download registered models.", **_PLAIN)
app.add_typer(runs_app, name="runs")
app.add_typer(models_app, name="models")
services_app = typer.Typer(help="List, inspect and delete deployed scoring services.", **_PLAIN)
app.add_typer(services_app, name="services")
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


@app.callback()
def _home(
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            envvar="DUEL_EMULATOR_HOME",
            metavar="DIR",
            help="Emulator home (default: the checkout's .duel/emulator, else the per-user folder).",
        ),
    ] = None,
):
    if home is not None:
        os.environ["DUEL_EMULATOR_HOME"] = str(home)
    lookup.use_checkout_home()


def _workspace(name: str | None):
    try:
        workspace, note = lookup.workspace(name)
    except (AzureMLException, lookup.LookupFailed) as error:
        raise _fail(str(error)) from None
    if note:
        Console(stderr=True).print(f"[dim]using {note}[/dim]", highlight=False)
    return workspace


def _get_run(workspace, run_id: str):
    from .core import Run

    try:
        return Run.get(workspace, lookup.run_id(workspace, run_id))
    except (AzureMLException, lookup.LookupFailed) as error:
        raise _fail(str(error)) from None


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def run(
    ctx: typer.Context,
    script: Annotated[
        Path | None,
        typer.Argument(metavar="SCRIPT", help="A Python file written against azureml.*", show_default=False),
    ] = None,
    module: Annotated[
        str | None,
        typer.Option("-m", "--module", metavar="MODULE", help="Run this module instead, as `python -m` does"),
    ] = None,
):
    """Run SCRIPT (or `-m MODULE`) with the import hook on, so its azureml.* imports use the emulator."""
    from . import hook

    if (script is None) == (module is None):
        raise _fail("give either a SCRIPT or -m MODULE")
    if script is not None and not script.is_file():
        raise _fail(f"no such script: {script}")
    hook.install()
    if module is not None:
        # As `python -m`: the current folder first on the path, the module's file as argv[0].
        sys.argv = [module, *ctx.args]
        sys.path.insert(0, str(Path.cwd()))
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        return
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


@runs_app.command("list")
def runs_list(
    workspace: WorkspaceOption = None,
    experiment: Annotated[str | None, typer.Option("--experiment", "-e", metavar="NAME")] = None,
    children: Annotated[bool, typer.Option("--children", help="Include child runs.")] = False,
    status: Annotated[str | None, typer.Option("--status", metavar="STATUS", help="e.g. Completed")] = None,
    wide: WideOption = False,
    output: FormatOption = Format.TABLE,
):
    """List runs, newest first."""
    ws = _workspace(workspace)
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


@runs_app.command("show")
def runs_show(run_id: RunId, workspace: WorkspaceOption = None):
    """Show a run's details, tags, properties, metrics and its children as a tree."""
    from .core.widgets import run_table, run_tree

    run_ = _get_run(_workspace(workspace), run_id)
    console.print(run_table(run_))
    show(run_tree(run_))


@runs_app.command("log")
def runs_log(run_id: RunId, workspace: WorkspaceOption = None):
    """Print a run's driver log."""
    from .core.run import DRIVER_LOG

    run_ = _get_run(_workspace(workspace), run_id)
    if DRIVER_LOG not in run_.get_file_names():
        raise _fail(f"run {run_.id} has no driver log (it was not launched from a script)")
    sys.stdout.write(run_._store.artifact_path(run_.id, DRIVER_LOG).read_text(errors="replace"))


@runs_app.command("metrics")
def runs_metrics(run_id: RunId, workspace: WorkspaceOption = None, output: FormatOption = Format.TABLE):
    """Print a run's metrics as name, step, value rows (repeated values without steps count from 0)."""
    run_ = _get_run(_workspace(workspace), run_id)
    rows = stepped(run_._get_metric_rows())
    if output is Format.JSON:
        return json_rows([{"name": r["name"], "step": step, "value": r["value"]} for r, step in rows])
    table = Table("metric", "step", "value")
    for row, step in rows:
        table.add_row(row["name"], "" if step is None else str(step), repr(row["value"]))
    show(table)


@runs_app.command("download")
def runs_download(
    run_id: RunId,
    workspace: WorkspaceOption = None,
    prefix: Annotated[str | None, typer.Option("--prefix", metavar="PREFIX", help="e.g. outputs/")] = None,
    output: OutputDir = Path("."),
):
    """Download a run's files (all, or those under --prefix)."""
    run_ = _get_run(_workspace(workspace), run_id)
    run_.download_files(prefix=prefix, output_directory=str(output))
    console.print(
        f"downloaded {len([n for n in run_.get_file_names() if not prefix or n.startswith(prefix)])} file(s) to {output}"
    )


@runs_app.command("cancel")
def runs_cancel(run_id: RunId, workspace: WorkspaceOption = None):
    """Cancel a run, terminating its process and those of its active children."""
    run_ = _get_run(_workspace(workspace), run_id)
    run_.cancel()
    console.print(f"{run_.id}: {run_.get_status()}")


@models_app.command("list")
def models_list(
    workspace: WorkspaceOption = None,
    name: Annotated[
        str | None, typer.Option("--name", metavar="NAME", help="Only this model's versions.")
    ] = None,
    output: FormatOption = Format.TABLE,
):
    """List registered model versions (the run id falls back on the training_run_id tag)."""
    from .core import Model

    models = Model.list(_workspace(workspace), name=name)
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


@models_app.command("download")
def models_download(
    name: Annotated[str, typer.Argument(metavar="MODEL", help="name, name:version, or a unique prefix.")],
    workspace: WorkspaceOption = None,
    version: Annotated[
        int | None, typer.Option("--version", metavar="N", help="Default: the latest.")
    ] = None,
    output: OutputDir = Path("."),
):
    """Download a model version (the latest by default)."""
    from .core import Model

    ws = _workspace(workspace)
    try:
        full, given_version = lookup.model_name(ws, name)
        path = Model(ws, full, version=version or given_version).download(str(output), exist_ok=True)
    except (AzureMLException, lookup.LookupFailed) as error:
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
            when(record["created"]),
            record.get("description") or "",
        )
    console.print(table)


def _service(workspace: str | None, name: str):
    from .core import Webservice

    ws = _workspace(workspace)
    try:
        return Webservice(ws, lookup.service_name(ws, name))
    except (AzureMLException, lookup.LookupFailed) as error:
        raise _fail(str(error)) from None


@services_app.command("list")
def services_list(workspace: WorkspaceOption = None, output: FormatOption = Format.TABLE):
    """List deployed services with their state and scoring URI."""
    from .core import Webservice

    rows = []
    for service in Webservice.list(_workspace(workspace)):
        service.update_deployment_state()
        rows.append(
            {
                "name": service.name,
                "type": service.compute_type,
                "state": service.state,
                "scoring_uri": service.scoring_uri,
                "auth": service.auth_enabled,
            }
        )
    if output is Format.JSON:
        return json_rows(rows)
    table = Table("name", "type", "state", "scoring uri", "auth")
    for row in rows:
        table.add_row(row["name"], row["type"], row["state"], row["scoring_uri"], str(row["auth"]))
    show(table)


@services_app.command("logs")
def services_logs(
    name: ServiceName,
    workspace: WorkspaceOption = None,
    lines: Annotated[int, typer.Option("--lines", metavar="N", help="How many of the last lines.")] = 200,
):
    """Print the last lines of a service's log (requests, errors; never keys)."""
    typer.echo(_service(workspace, name).get_logs(num_lines=lines))


@services_app.command("delete")
def services_delete(name: ServiceName, workspace: WorkspaceOption = None):
    """Stop a service's server or container and remove it."""
    service = _service(workspace, name)
    service.delete()
    console.print(f"{service.name}: deleted")


_PORT_HELP = f"Port on 127.0.0.1 ({STUDIO_PORT}: where run links point); 0 picks a free one."


@app.command("studio")
def studio(
    workspace: WorkspaceOption = None,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help=_PORT_HELP)] = STUDIO_PORT,
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


from . import _cli_compare, _cli_env  # noqa: E402, F401 (register `runs compare`, `models promote`, `env`)

if __name__ == "__main__":
    main()
