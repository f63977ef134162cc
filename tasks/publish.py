"""Publish the duel's outcome: the report (Prefect artifact, workspace run, files) and the summary."""

from __future__ import annotations

from datetime import UTC, datetime

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from backends import workspace_folder
from backends.messages import Endpoint
from tasks.compare import Verdict
from tasks.contestants import Contestant
from tasks.opened import opened_backend
from tasks.registered_split import DataRefs
from tasks.report import render_markdown
from tasks.report_figures import report_figures, store_report
from tasks.report_file import report_folder, write_report
from tasks.settings import DuelSettings
from tasks.ship import ExportedModel, Registration, SmokeTest
from tasks.summary import Summary


def _report_name() -> str:
    # Sortable by time, findable by the flow run's name that Prefect's UI and logs show.
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{flow_run.get_name() or 'duel'}"


@task(name="publish-report")
def publish_report(
    settings: DuelSettings,
    refs: DataRefs,
    verdict: Verdict,
    predictions: dict,
    contestants: list[Contestant],
    exported: ExportedModel,
    registered: Registration,
    decision: str,
    endpoint: Endpoint | None,
    smoke: SmokeTest | None,
    service_deleted: bool = False,
) -> Summary:
    """The report with every figure embedded: the Prefect artifact ``duel-report``, a run of
    ``<experiment>-report`` in the workspace, and ``report.html``/``report.md`` in the workspace folder.
    Returns the summary that the command prints.

    Args:
        settings: the run's settings.
        refs: the registered train and test splits.
        verdict: the verdict.
        predictions: each contestant's test predictions by name.
        contestants: both contestants.
        exported: the winner's ONNX file and parity figures.
        registered: its registered versions.
        decision: what happened to the champion, in one sentence.
        endpoint: the deployed service, if any.
        smoke: the smoke test, if the service was tested.
        service_deleted: whether the service was deleted after it.

    Returns:
        The summary that the command prints.
    """
    backend = opened_backend(settings)
    shown, trend_table = report_figures(
        settings,
        backend,
        predictions["y_true"],
        {name: values for name, values in predictions.items() if name != "y_true"},
        contestants,
    )
    run_ids = {verdict.winner.run_id, verdict.loser.run_id, *(c.job.run_id for c in contestants)}
    links = backend.run_urls(tuple(sorted(run_ids)))
    markdown = render_markdown(
        verdict,
        split_rows=refs.test_rows,
        parity=exported.parity,
        registered=registered.onnx_model.ref,
        endpoint=endpoint.scoring_uri if endpoint else None,
        smoke=smoke.as_dict() if smoke else None,
        promotion=decision,
        figures=shown,
        trend_table=trend_table,
        links=links,
        timings={c.name: backend.job_timing(c.job.run_id) for c in contestants},
    )
    create_markdown_artifact(key="duel-report", markdown=markdown, description="AutoML vs HyperDrive")
    stored = store_report(
        settings,
        backend,
        markdown,
        shown,
        {"winner": verdict.winner.name, "model": registered.onnx_model.ref},
    )
    root = workspace_folder(settings)
    folder = report_folder(root, _report_name())
    served = endpoint.scoring_uri if endpoint else None
    if served and service_deleted:
        served += " (deleted after its smoke test: DUEL_DELETE_SERVICE)"
    summary = Summary.of(
        verdict,
        links,
        decision=decision,
        endpoint=served,
        workspace=backend.identity,
        report_html=str(folder / "report.html"),
        report_markdown=str(folder / "report.md"),
    )
    write_report(
        root, folder.name, markdown, summary.text(), f"AutoML vs HyperDrive: {verdict.winner.name} wins"
    )
    logger = get_run_logger()
    logger.info("report and %d figures stored with run %s", len(shown), stored)
    for line in summary.lines():
        logger.info(line)
    return summary
