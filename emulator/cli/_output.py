"""How the ``emulator`` command prints: tables that never cut ids, JSON, times, steps, plain help."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import typer
from rich.console import Console

_console = Console()
_UNBOUNDED = 10_000


class PlainHelpGroup(typer.core.TyperGroup):
    """Typer's group, with help that names arguments by their metavar alone.

    typer 0.29 prints its type ("RUN_ID <str>") beside every argument whatever the metavar, and
    braces around required ones in the usage line ("{RUN_ID}"), which read as a set of choices.
    """

    def get_command(self, ctx, cmd_name):
        command = super().get_command(ctx, cmd_name)
        for param in getattr(command, "params", ()):
            if isinstance(param, typer.core.TyperArgument):
                param.display_type_rich = lambda ctx=None: None
                param._usage_display_name = lambda name=param.display_name_raw: name
        return command


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


def when(timestamp: float | None, wide: bool = True) -> str:
    shape = "%Y-%m-%d %H:%M:%S" if wide else "%m-%d %H:%M"
    return datetime.fromtimestamp(timestamp, UTC).strftime(shape) if timestamp else "-"


def iso(timestamp: float | None) -> str | None:
    return datetime.fromtimestamp(timestamp, UTC).isoformat() if timestamp else None


def show(renderable) -> None:
    """Print a table or tree; piped, at its natural width, so nothing (an id above all) is cut or wrapped."""
    if _console.is_terminal:
        _console.print(renderable)
    else:
        natural = _console.measure(renderable, options=_console.options.update_width(_UNBOUNDED)).maximum
        Console(width=max(natural, _console.width)).print(renderable)


def json_rows(rows: list[dict[str, Any]]) -> None:
    typer.echo(json.dumps(rows, indent=2, default=str))


def duration(record: dict) -> str:
    if not record["start_time"]:
        return "-"
    seconds = int((record["end_time"] or datetime.now(UTC).timestamp()) - record["start_time"])
    return (
        f"{seconds // 3600}h{seconds // 60 % 60:02d}m"
        if seconds >= 3600
        else f"{seconds // 60}m{seconds % 60:02d}s"
    )


def stepped(rows: list[dict]) -> list[tuple[dict, int | None]]:
    """Rows with their step; a scalar logged repeatedly without steps (per epoch) counts 0, 1, 2, ..."""
    repeated = Counter(r["name"] for r in rows if r["kind"] == "scalar" and r["step"] is None)
    seen: Counter = Counter()
    numbered = []
    for row in rows:
        step = row["step"]
        if step is None and repeated[row["name"]] > 1:
            step = seen[row["name"]]
            seen[row["name"]] += 1
        numbered.append((row, step))
    return numbered


def fail(message: str) -> typer.Exit:
    """Print ``error: message`` on stderr; the exit (code 1) for the caller to raise."""
    Console(stderr=True).print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(1)
