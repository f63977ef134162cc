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

from tasks import figures, trend
from tasks.backend import sdk, workspace
from tasks.champion import board
from tasks.contestants import AUTOML, HYPERDRIVE, Contestant
from tasks.settings import DuelSettings

AUTOML_METRIC = "normalized_mean_absolute_error"
TRIAL_METRIC = "val_mae"
REPORT_FOLDER = "outputs/report"


def _as_list(value) -> list[float]:
    return [float(v) for v in value] if isinstance(value, list) else [float(value)]


def sweep_curves(api, ws, best_trial_id: str) -> dict[str, list[float]]:
    """Each trial of the best trial's sweep: its validation MAE per epoch, in logging order."""
    sweep = api.Run.get(ws, best_trial_id).parent
    curves = {}
    for trial in sorted(sweep.get_children(), key=lambda run: run.id):
        logged = trial.get_metrics(name=TRIAL_METRIC).get(TRIAL_METRIC)
        if logged is not None:
            curves[trial.id] = _as_list(logged)
    return curves


def automl_iterations(api, ws, experiment: str, automl_run_id: str) -> list[tuple[str, float]]:
    """(iteration and pipeline, primary metric) of every AutoML child that logged it."""
    parent = api.AutoMLRun(api.Experiment(ws, experiment), automl_run_id)
    rows = []
    for child in parent.get_children():
        value = child.get_metrics(name=AUTOML_METRIC).get(AUTOML_METRIC)
        if value is not None:
            name = child.properties.get("run_algorithm", child.display_name or child.id)
            rows.append((f"{child.properties.get('iteration', '?')}: {name}", _as_list(value)[-1]))
    return rows


def report_figures(
    settings: DuelSettings, y_true, predictions: dict, contestants: list[Contestant]
) -> tuple[list[figures.Figure], str]:
    """Every figure of the report, and the nightly trend table (empty before the first night)."""
    api = sdk(settings.backend)
    ws = workspace(settings)
    by_name = {c.name: c for c in contestants}
    shown = [figures.predicted_vs_true(y_true, predictions), figures.residuals(y_true, predictions)]
    if HYPERDRIVE in by_name:
        shown.append(
            figures.trial_curves(
                sweep_curves(api, ws, by_name[HYPERDRIVE].run_id), by_name[HYPERDRIVE].run_id
            )
        )
    if AUTOML in by_name:
        automl = by_name[AUTOML]
        shown.append(figures.leaderboard(automl_iterations(api, ws, automl.experiment, automl.run_id)))
    nights = trend.nights(board(settings).history())
    if not nights:
        return shown, ""
    shown.append(figures.nightly_trend(nights, trend.series(nights)))
    return shown, trend.table(nights)


def store_report(settings: DuelSettings, markdown: str, shown: list[figures.Figure], tags: dict) -> str:
    """Upload the report and its figures to a new run of ``<experiment>-report``; returns its run id."""
    api = sdk(settings.backend)
    run = api.Experiment(workspace(settings), f"{settings.experiment_name}-report").start_logging()
    run.set_tags({key: str(value) for key, value in tags.items()})
    with tempfile.TemporaryDirectory(prefix="duel-report-") as folder:
        report = Path(folder) / "report.md"
        report.write_text(markdown)
        run.upload_file(f"{REPORT_FOLDER}/report.md", str(report))
        for figure in shown:
            run.upload_file(f"{REPORT_FOLDER}/{figure.name}.png", str(figure.save(Path(folder))))
    run.complete()
    return run.id
