"""`duel`: the project's command — run the duel, and let a person promote or roll back the champion.

Heavy imports (Prefect's engine, torch) happen inside the commands that need them, so the champion
commands answer in a second.
"""

from __future__ import annotations

import getpass
import json
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


def _fail(message: str) -> None:
    typer.secho(f"duel: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=2)


@app.command()
def run(
    quick: Annotated[bool, typer.Option("--quick", help="small budgets and a 5,000-row subset")] = False,
    nightly: Annotated[
        bool, typer.Option("--nightly", help="champion against challenger: only the gate may promote")
    ] = False,
) -> None:
    """Run the duel once on this machine (the data comes from DUEL_DATA, the cache or a download)."""
    from flows.comparison import duel

    result = duel(quick=quick, champion_challenger=nightly)
    typer.echo(json.dumps(result, indent=2, default=str))


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
    typer.echo(f"champion: {f'{current.name}:{current.version}' if current is not None else 'none yet'}")
    for entry in board.history():
        typer.echo(
            f"{entry.time:%Y-%m-%d %H:%M} {entry.action:<8} {entry.champion or '-':<20} "
            f"by {entry.actor}: {entry.reason}"
        )


def main() -> None:
    app()


if __name__ == "__main__":
    main()
