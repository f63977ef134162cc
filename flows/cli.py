"""`duel`: the project's command — run the duel, reopen its report, promote or roll back the champion,
check the Azure sign-in (`doctor`), export the jobs as SDK v2 YAML.

Heavy imports (Prefect's engine, torch) happen inside the commands that need them, so bad input and
the champion commands answer in a second or two. Bad input is one line on stderr and exit code 2.
"""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

# Plain (click) help, as the emulator command's: typer's rich panels print "<bool>" beside every flag.
app = typer.Typer(
    help="AutoML against a HyperDrive-tuned MLP, judged on one split; the champion is served.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


def _board():
    from tasks.champion import board
    from tasks.settings import DuelSettings

    return board(DuelSettings())


def _fail(message: str, code: int = 2) -> None:
    typer.secho(f"duel: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=code)


def _checked(quick: bool, **parameters):
    """Settings and data checked before Prefect is even imported: bad input fails in seconds."""
    from tasks.housing_csv import DataError
    from tasks.preflight import ConfigError, checked_settings, preflight

    try:
        settings = checked_settings(quick, **parameters)
        preflight(settings)
    except (DataError, ConfigError) as error:
        _fail(str(error))
    return settings


@app.command()
def run(
    quick: Annotated[bool, typer.Option("--quick", help="small budgets and a 5,000-row subset")] = False,
    nightly: Annotated[
        bool, typer.Option("--nightly", help="champion against challenger: only the gate may promote")
    ] = False,
    data: Annotated[
        str | None, typer.Option("--data", metavar="PATH", help="housing.csv (else DUEL_DATA, the cache)")
    ] = None,
    subset: Annotated[int | None, typer.Option("--subset", metavar="ROWS", help="seeded sample size")] = None,
    deploy_target: Annotated[
        str | None, typer.Option("--deploy-target", metavar="TARGET", help="local, docker, aci or none")
    ] = None,
    automl_timeout_minutes: Annotated[
        float | None,
        typer.Option("--automl-timeout-minutes", metavar="MINUTES", help="AutoML's time budget"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the whole result as JSON")] = False,
    temporary_server: Annotated[
        bool,
        typer.Option(
            "--temporary-server",
            help="with no Prefect server running, use one that stops with this run instead of starting one to last",
        ),
    ] = False,
) -> None:
    """Run the duel once on this machine and print who won, the decision and where the report is."""
    parameters = {
        "data": data,
        "subset": subset,
        "deploy_target": deploy_target,
        "automl_timeout_minutes": automl_timeout_minutes,
    }
    settings = _checked(quick, **parameters)
    err = typer.get_text_stream("stderr")
    err.write(f"data checked; workspace folder {_folder(settings)}; starting Prefect...\n")
    if settings.backend == "emulator" and settings.emulator_relax:
        # --quick asks for these; a run never relaxes Azure's limits without saying so.
        err.write(
            f"emulator-only relaxation(s) {settings.emulator_relax} (Azure refuses what they let through: "
            f"AutoML's budget here is {settings.automl_minutes:g} min, Azure's minimum 15); the runs "
            "they change carry the property azureml.emulator.relaxed\n"
        )
    from flows.lasting_server import ServerStartError
    from flows.local_api import prefect_api

    with prefect_api(lasting=not temporary_server) as api:
        err.write(f"{api.described}\n")
        from rich.console import Console

        from flows.comparison import duel
        from flows.terminal import progress_display
        from tasks.gave_up import NoModel
        from tasks.preflight import DETERMINISTIC

        try:
            api.ready()
        except ServerStartError as error:
            _fail(str(error))
        console = Console(stderr=True)
        try:
            if console.is_terminal:
                with progress_display(console):
                    result = duel(quick=quick, champion_challenger=nightly, **parameters)
            else:
                result = duel(quick=quick, champion_challenger=nightly, **parameters)
        except DETERMINISTIC as error:
            _fail(str(error))
        except NoModel as error:
            # The flow already cancelled every job it started; the line says which setting helps.
            _fail(str(error), code=1)
    if as_json:
        typer.echo(json.dumps(result, indent=2, default=str))
    typer.echo("\n".join(result["summary"]))


def _folder(settings):
    from backends import workspace_folder

    return workspace_folder(settings)


@app.command()
def report(
    # Described in the docstring: typer 0.29 lists an argument with "<str>" beside it whatever its metavar.
    run: Annotated[str | None, typer.Argument(metavar="RUN", hidden=True)] = None,
    open_it: Annotated[bool, typer.Option("--open", help="open report.html in the browser")] = False,
) -> None:
    """Show the last report's summary and files, or those of the report whose folder name contains RUN
    (a flow run name such as brave-otter, or a date such as 20261128)."""
    from tasks.report_file import ReportNotFound, find_report
    from tasks.settings import DuelSettings

    try:
        folder = find_report(_folder(DuelSettings()), run)
    except ReportNotFound as error:
        _fail(str(error))
    summary = folder / "summary.txt"
    if summary.is_file():
        typer.echo(summary.read_text().rstrip())
    else:
        typer.echo(f"Report:    {folder / 'report.html'}\n           {folder / 'report.md'}")
    # wait: xdg-open's own exit status says whether anything opened the file.
    if open_it and typer.launch(str(folder / "report.html"), wait=True) != 0:
        # No browser opened it (none installed, no display): the command did not do what was asked.
        _fail(f"could not open {folder / 'report.html'} in a browser; open the file yourself", code=1)


@app.command()
def promote(
    version: Annotated[
        int, typer.Argument(metavar="VERSION", help="registered version of the model to crown")
    ],
    reason: Annotated[str, typer.Option("--reason", "-r", metavar="TEXT", help="why, for the history")],
) -> None:
    """Make a registered version the champion by hand (recorded with your user name)."""
    from tasks.champion import ChampionError

    try:
        entry = _board().crown(version, actor=f"manual:{getpass.getuser()}", reason=reason)
    except ChampionError as exc:
        _fail(str(exc))
    typer.echo(f"{entry.champion} is the champion (was: {entry.previous or 'none'}).")


@app.command()
def rollback(
    reason: Annotated[str, typer.Option("--reason", "-r", metavar="TEXT", help="why, for the history")],
) -> None:
    """Crown again the champion that the current one replaced."""
    from tasks.champion import ChampionError

    try:
        entry = _board().rollback(actor=f"manual:{getpass.getuser()}", reason=reason)
    except ChampionError as exc:
        _fail(str(exc))
    typer.echo(f"{entry.champion} is the champion again (rolled back from {entry.previous}).")


@app.command()
def champion() -> None:
    """The current champion and its history: every crowning, rollback and kept night."""
    board = _board()
    current = board.current()
    typer.echo(f"champion: {current.ref if current is not None else 'none yet'}")
    for entry in board.history():
        typer.echo(
            f"{entry.time:%Y-%m-%d %H:%M} {entry.action:<8} {entry.champion or '-':<20} "
            f"by {entry.actor}: {entry.reason}"
        )


@app.command()
def doctor() -> None:
    """Say which backend, credential and workspace a run would use, before anything is submitted."""
    from backends.doctor import REFUSALS, diagnose
    from tasks.preflight import ConfigError, checked_settings

    try:
        found = diagnose(checked_settings())
    except ConfigError as error:
        _fail(str(error))
    except REFUSALS as error:
        _fail(f"{type(error).__name__}: {error}")
    typer.echo(f"backend: {found.backend}\ncredential: {found.credential}\nworkspace: {found.workspace}")


@app.command("export-jobs")
def export_jobs(
    out: Annotated[Path, typer.Option("--out", help="folder to write the two job files into")],
) -> None:
    """Write the AutoML and sweep jobs as Azure ML SDK v2 YAML, for `az ml job create --file`.

    Both read the latest registered training split and training environment; budgets, search
    space and clusters come from the settings (DUEL_* variables, .env), as for a flow run, held to
    the azure-v2 backend's limits: an unset AutoML budget is its minimum, a smaller one is refused.
    """
    from backends import clusters
    from backends.azure_v2.export import write_jobs
    from backends.messages import DatasetRef
    from tasks.automl_job import automl_job
    from tasks.hyperdrive_job import sweep_job
    from tasks.preflight import ConfigError, checked_settings
    from tasks.registered_split import DataRefs

    try:
        settings = checked_settings(backend="azure-v2")
    except ConfigError as error:
        _fail(str(error))
    specs = clusters(settings)
    # No split is registered here: the files name the latest versions (write_jobs), not these.
    data = DataRefs(
        train=DatasetRef(f"{settings.dataset_name}-train", 0),
        test=DatasetRef(f"{settings.dataset_name}-test", 0),
        split_fingerprint="",
        train_rows=0,
        test_rows=0,
    )
    paths = write_jobs(
        sweep_job(settings, data, specs["gpu_cluster"]),
        automl_job(settings, data, specs["cpu_cluster"]),
        out,
    )
    for path in paths:
        typer.echo(f"wrote {path}  (submit: az ml job create --file {path})")


def main(argv: list[str] | None = None) -> None:
    """The ``duel`` command.

    Args:
        argv: the command's arguments (default: ``sys.argv[1:]``).
    """
    app(args=argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
