"""The training jobs' progress drawn in a terminal while ``duel run`` waits (rich progress bars).

One bar per job, fed by :func:`tasks.progress.listen`: children finished against the budget,
children started and cancelled, the best primary metric so far, and the time against the job's
time budget. Off a terminal nothing is drawn: the same figures are in the log lines.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from backends.messages import Progress as JobProgress
from tasks.progress import listen


def _detail(progress: JobProgress) -> str:
    parts = [f"started {progress.started}"]
    if progress.canceled:
        parts.append(f"cancelled {progress.canceled}")
    if progress.best is not None:
        parts.append(progress.best_text())
    budget = f" / {progress.budget_seconds:,.0f}" if progress.budget_seconds else ""
    parts.append(f"{progress.elapsed_seconds:,.0f}{budget} s")
    return ", ".join(parts)


@contextlib.contextmanager
def _log_lines_above(console: Console) -> Iterator[None]:
    """Prefect's console log lines printed through ``console``, so they scroll above the bars instead
    of being written over them (each Prefect console handler prints through a rich console of its own)."""
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in logging.root.manager.loggerDict)]
    swapped = [
        (handler, handler.console)
        for logger in loggers
        for handler in getattr(logger, "handlers", ())
        if isinstance(getattr(handler, "console", None), Console)
    ]
    for handler, _ in swapped:
        handler.console = console
    try:
        yield
    finally:
        for handler, own in swapped:
            handler.console = own


@contextlib.contextmanager
def progress_display(console: Console) -> Iterator[Progress]:
    """Draw every job's progress until the block ends.

    Args:
        console: where the bars are drawn.

    Yields:
        The bars; the block's job progress reaches them through ``tasks.progress.listen``.
    """
    bars = Progress(
        TextColumn("[bold]{task.description:<10}"),
        BarColumn(bar_width=24),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        console=console,
        transient=False,
    )
    tasks: dict[str, int] = {}

    def show(label: str, progress: JobProgress) -> None:
        if label not in tasks:
            tasks[label] = bars.add_task(label, total=progress.expected, detail="submitted")
        bars.update(
            tasks[label], completed=progress.finished, total=progress.expected, detail=_detail(progress)
        )

    stop = listen(show)
    try:
        with bars, _log_lines_above(console):
            yield bars
    finally:
        stop()
