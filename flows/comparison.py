"""The duel: AutoML against a HyperDrive-tuned MLP, judged on one split, the winner shipped.

Reads like the recipe it automates: check the inputs, register the data and split, run both
contestants at once, judge them, export the winner to ONNX behind a parity gate, register it, let
the nightly gate decide on the champion, deploy, smoke-test, report.
"""

from __future__ import annotations

import importlib
import threading

from prefect import flow, get_run_logger
from prefect.states import Failed, State
from prefect.task_runners import ThreadPoolTaskRunner

from tasks.automl_job import run_automl
from tasks.contestants import AUTOML, HYPERDRIVE, Contestant, evaluate
from tasks.gave_up import first_failure
from tasks.hyperdrive_job import run_hyperdrive
from tasks.preflight import DETERMINISTIC, checked_settings, preflight
from tasks.promotion import champion_unchanged, nightly_gate
from tasks.publish import publish_report
from tasks.registered_split import prepare_data
from tasks.settings import QUICK, DeployTarget, resolve_settings
from tasks.ship import delete_service, deploy_winner, export_winner, register_winner, smoke_test

__all__ = ["QUICK", "bad_input", "duel", "resolve_settings"]


def bad_input(error: Exception) -> State:
    """The failed state of a run refused for its input.

    Args:
        error: why the input was refused; its message is the state's one line.

    Returns:
        A Failed state carrying the error, so calling the flow raises it.
    """
    return Failed(message=f"bad input: {error}", data=error)


def _preload_for_judging() -> None:
    """Import torch, scikit-learn and the ONNX stack while the contestants run and this process
    only waits, so judging and export do not begin with seconds of imports."""
    for name in ("sklearn.metrics", "onnx_export.mlp", "onnx_export", "onnxruntime"):
        importlib.import_module(name)


@flow(name="automl-duel", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=4))
def duel(
    data: str | None = None,
    subset: int | None = None,
    automl_timeout_minutes: float | None = None,
    automl_iterations: int | None = None,
    hyperdrive_max_total_runs: int | None = None,
    hyperdrive_epochs: int | None = None,
    deploy_target: DeployTarget | None = None,
    quick: bool = False,
    champion_challenger: bool = False,
) -> dict:
    """Run both contestants on the same split and ship the winner.

    Only with ``champion_challenger`` (the nightly run) can the winner become the champion: when
    its ONNX copy beats the champion's, re-scored on today's test split, by the promotion margin.
    Parameters left None take the settings' values (``DUEL_*``, then the defaults).

    Args:
        data: path of housing.csv (else ``DUEL_DATA``, the cache, or a download).
        subset: train and test on a seeded sample of this many rows.
        automl_timeout_minutes: AutoML's time budget.
        automl_iterations: AutoML's most child runs.
        hyperdrive_max_total_runs: the sweep's most trials.
        hyperdrive_epochs: epochs per trial.
        deploy_target: where the winner is served (local, docker, aci, managed or none).
        quick: start from the small budgets of ``QUICK``.
        champion_challenger: let the nightly gate crown the winner.

    Returns:
        The verdict, both contestants, the decision, the endpoint, the smoke test, the workspace and
        the report (``summary``: the lines a person reads; ``report_html``: the report file).
    """
    logger = get_run_logger()
    try:
        settings = checked_settings(
            quick,
            data=data,
            subset=subset,
            automl_timeout_minutes=automl_timeout_minutes,
            automl_iterations=automl_iterations,
            hyperdrive_max_total_runs=hyperdrive_max_total_runs,
            hyperdrive_epochs=hyperdrive_epochs,
            deploy_target=deploy_target,
        )
        preflight(settings)
    except DETERMINISTIC as error:
        # Bad parameters or data: one line in the run's log and state, not the engine's traceback of
        # an exception; the caller still gets the error itself.
        logger.error("bad input: %s", error)
        return bad_input(error)
    refs = prepare_data(settings)
    automl = run_automl.submit(settings, refs)
    hyperdrive = run_hyperdrive.submit(settings, refs)
    threading.Thread(target=_preload_for_judging, name="preload", daemon=True).start()
    failure = first_failure([automl, hyperdrive], settings)
    if failure is not None:
        # Expected on a small budget: one line saying what fixes it, every job already cancelled.
        logger.error("%s", failure)
        return Failed(message=str(failure), data=failure)
    contestants = [Contestant.of(AUTOML, automl.result()), Contestant.of(HYPERDRIVE, hyperdrive.result())]
    verdict, predictions = evaluate(settings, refs, contestants)
    logger.info(
        "%s wins: test MAE %.0f against %.0f", verdict.winner.name, verdict.winner.mae, verdict.loser.mae
    )
    winner = next(c for c in contestants if c.name == verdict.winner.name)
    exported = export_winner(settings, refs, winner, verdict.winner)
    registered = register_winner(settings, refs, winner, verdict.winner, exported)
    if champion_challenger:
        promotion = nightly_gate(settings, refs, verdict, exported.onnx_path, registered.onnx_model)
    else:
        promotion = champion_unchanged(settings)
    endpoint = smoke = None
    # A night serves its champion only; a duel run by hand serves its winner without crowning it.
    serve = promotion.promoted or not champion_challenger
    if serve and settings.deploy_target is not DeployTarget.NONE:
        endpoint = deploy_winner(settings, registered)
        smoke = smoke_test(settings, refs, endpoint, exported)
        if settings.delete_service:
            delete_service(settings, endpoint)
    summary = publish_report(
        settings,
        refs,
        verdict,
        predictions,
        contestants,
        exported,
        registered,
        promotion.summary,
        endpoint,
        smoke,
        service_deleted=endpoint is not None and settings.delete_service,
    )
    return {
        "winner": verdict.winner.as_dict(),
        "loser": verdict.loser.as_dict(),
        "decisive": verdict.decisive,
        "mae_gap_interval": [verdict.gap_low, verdict.gap_high],
        "parity": exported.parity,
        "model": registered.onnx_model.ref,
        "promoted": promotion.promoted,
        "champion": promotion.summary,
        "scoring_uri": endpoint.scoring_uri if endpoint else None,
        "smoke_test": smoke.as_dict() if smoke else None,
        "workspace": summary.workspace,
        "report_html": summary.report_html,
        "report_markdown": summary.report_markdown,
        "summary": summary.lines(),
    }
