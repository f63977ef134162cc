"""The ``emulator`` command: the offline twin of ``az ml run list / show / download``.

Examples (``emulator --help`` and ``emulator/README.md`` list every command)::

    emulator run notebook.py --epochs 3        # run plain SDK v1 code against the emulator
    emulator runs list -e housing-hyperdrive    # newest runs first, whole ids
    emulator runs show HD_12                    # any unique prefix of a run id
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
from typing import Annotated

import typer
from rich.table import Table

from ..studio import STUDIO_PORT
from . import _lookup as lookup
from . import models, runs, services
from ._arguments import PLAIN, WorkspaceOption, console, open_workspace
from ._output import fail, when
from .env import env

app = typer.Typer(help="Inspect and use the local Azure ML emulator.", add_completion=False, **PLAIN)
app.add_typer(runs.app, name="runs")
app.add_typer(models.app, name="models")
app.add_typer(services.app, name="services")
app.command("env")(env)


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
    from .. import hook

    if (script is None) == (module is None):
        raise fail("give either a SCRIPT or -m MODULE")
    if script is not None and not script.is_file():
        raise fail(f"no such script: {script}")
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
    from ..core import Experiment

    ws = open_workspace(workspace)
    table = Table("experiment", "runs", "archived")
    for experiment in Experiment.list(ws, view_type="All"):
        count = len(ws._store.search_runs(experiment=experiment.name, parent_id=None))
        table.add_row(experiment.name, str(count), "yes" if experiment.archived_time else "")
    console.print(table)


@app.command("datasets")
def datasets(workspace: WorkspaceOption = None):
    """List registered dataset versions with the paths they read."""
    ws = open_workspace(workspace)
    table = Table("name", "version", "reads", "registered", "description")
    for record in ws._store.list_datasets():
        table.add_row(
            record["name"],
            str(record["version"]),
            ", ".join(record.get("references") or record.get("sources") or []),
            when(record["created"]),
            record.get("description") or "",
        )
    console.print(table)


_PORT_HELP = f"Port on 127.0.0.1 ({STUDIO_PORT}: where run links point); 0 picks a free one."


@app.command("studio")
def studio(
    workspace: WorkspaceOption = None,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help=_PORT_HELP)] = STUDIO_PORT,
):
    """Serve the offline studio (runs, trials, images, models) on 127.0.0.1 until Ctrl+C."""
    from ..studio import serve

    ws = open_workspace(workspace)
    try:
        serve(ws, port)
    except OSError as error:
        raise fail(f"cannot serve on 127.0.0.1:{port}: {error.strerror or error}") from None


def main() -> None:
    app()
