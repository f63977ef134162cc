"""Runs the duel logs itself (champion decisions, stored reports), child metrics, and run addresses."""

from __future__ import annotations

from azureml.core import Experiment, Run, Workspace

from backends.messages import ChildMetric, LoggedRun, RunRef


def log_run(ws: Workspace, record: LoggedRun) -> RunRef:
    """A completed run of ``record.experiment`` holding the record's tags, metrics and files."""
    run = Experiment(ws, record.experiment).start_logging(display_name=record.display_name)
    run.set_tags(dict(record.tags))
    for name, value in record.metrics.items():
        run.log(name, float(value))
    for name, path in record.files.items():
        run.upload_file(name, path)
    run.complete()
    return RunRef(record.experiment, run.id)


def _values(logged) -> tuple[float, ...]:
    return tuple(float(v) for v in logged) if isinstance(logged, list) else (float(logged),)


def list_runs(ws: Workspace, experiment: str) -> tuple[LoggedRun, ...]:
    """Every run of ``experiment``, newest first (as ``Experiment.get_runs`` gives them); metrics: last value."""
    records = []
    for run in Experiment(ws, experiment).get_runs():
        metrics = {
            name: _values(value)[-1]
            for name, value in run.get_metrics().items()
            if isinstance(value, int | float | list)
        }
        records.append(
            LoggedRun(experiment, run.display_name or "", dict(run.get_tags()), metrics, run_id=run.id)
        )
    return tuple(records)


def child_metrics(ws: Workspace, parent_run_id: str, metric: str) -> tuple[ChildMetric, ...]:
    """Each child of the run that logged ``metric``: its values in order, labelled by algorithm if known."""
    children = []
    for child in sorted(Run.get(ws, parent_run_id).get_children(), key=lambda run: run.id):
        logged = child.get_metrics(name=metric).get(metric)
        if logged is None:
            continue
        algorithm = child.properties.get("run_algorithm")
        iteration = child.properties.get("iteration")
        label = algorithm or child.id.rsplit("_", 1)[-1]
        if algorithm and iteration is not None:
            label = f"{iteration}: {algorithm}"
        children.append(ChildMetric(child.id, label, _values(logged)))
    return tuple(children)


def portal_urls(ws: Workspace, run_ids: tuple[str, ...]) -> tuple[str, ...]:
    """Each run's page in Azure ML studio (one call for all: on Azure each step is a process)."""
    return tuple(Run.get(ws, run_id).get_portal_url() for run_id in run_ids)
