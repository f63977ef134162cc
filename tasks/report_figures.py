"""The report's evidence read back from the finished runs, and the report stored with the runs.

Figures come from what the workspace holds (each HyperDrive trial's logged ``val_mae`` per epoch,
each AutoML iteration's primary metric, the champion history) so the report shows what the runs
recorded, not what the flow remembers. The finished report (markdown with the figures embedded)
and each figure's PNG are uploaded to a run of the experiment ``<experiment>-report``: in the
emulator's workspace (``emulator runs``) or in Azure ML studio beside the training runs.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from backends import Backend
from backends.messages import LoggedRun
from tasks import figures, trend
from tasks.champion import board
from tasks.contestants import AUTOML, HYPERDRIVE, Contestant
from tasks.settings import DuelSettings

AUTOML_METRIC = "normalized_mean_absolute_error"
TRIAL_METRIC = "val_mae"
REPORT_FOLDER = "outputs/report"


def sweep_curves(backend: Backend, sweep_run_id: str) -> dict[str, list[float]]:
    """Each trial of the sweep: its validation MAE per epoch, in logging order.

    Args:
        backend: the open backend.
        sweep_run_id: the sweep run.

    Returns:
        Each trial's curve by trial id.
    """
    return {c.run_id: list(c.values) for c in backend.child_metrics(sweep_run_id, TRIAL_METRIC)}


def automl_iterations(backend: Backend, automl_run_id: str) -> list[tuple[str, float]]:
    """(iteration and pipeline, primary metric) of every AutoML child that logged it.

    Args:
        backend: the open backend.
        automl_run_id: the AutoML parent run.

    Returns:
        The rows.
    """
    return [(c.label, c.values[-1]) for c in backend.child_metrics(automl_run_id, AUTOML_METRIC)]


def report_figures(
    settings: DuelSettings, backend: Backend, y_true, predictions: dict, contestants: list[Contestant]
) -> tuple[list[figures.Figure], str]:
    """Every figure of the report, and the nightly trend table (empty before the first night).

    Args:
        settings: the run's settings.
        backend: the open backend.
        y_true: the test split's prices.
        predictions: each contestant's predictions by name.
        contestants: both contestants.

    Returns:
        The figures and the trend table.
    """
    by_name = {c.name: c for c in contestants}
    shown = [figures.predicted_vs_true(y_true, predictions), figures.residuals(y_true, predictions)]
    if HYPERDRIVE in by_name:
        sweep = by_name[HYPERDRIVE]
        shown.append(figures.trial_curves(sweep_curves(backend, sweep.job.run_id), sweep.model_run_id))
    if AUTOML in by_name:
        shown.append(figures.leaderboard(automl_iterations(backend, by_name[AUTOML].job.run_id)))
    nights = trend.nights(board(settings, backend).history())
    if not nights:
        return shown, ""
    shown.append(figures.nightly_trend(nights, trend.series(nights)))
    return shown, trend.table(nights)


def store_report(
    settings: DuelSettings, backend: Backend, markdown: str, shown: list[figures.Figure], tags: dict
) -> str:
    """Upload the report and its figures to a new run of ``<experiment>-report``; returns its run id.

    Args:
        settings: the run's settings.
        backend: the open backend.
        markdown: the report.
        shown: its figures.
        tags: the run's tags.

    Returns:
        The run id.
    """
    with tempfile.TemporaryDirectory(prefix="duel-report-") as folder:
        report = Path(folder) / "report.md"
        report.write_text(markdown)
        files = {f"{REPORT_FOLDER}/report.md": str(report)}
        for figure in shown:
            files[f"{REPORT_FOLDER}/{figure.name}.png"] = str(figure.save(Path(folder)))
        stored = backend.log_run(
            LoggedRun(
                f"{settings.experiment_name}-report",
                "report",
                {key: str(value) for key, value in tags.items()},
                files=files,
            )
        )
    return stored.run_id
