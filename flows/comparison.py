"""The duel: AutoML against a HyperDrive-tuned MLP, judged on one split, the winner shipped.

Reads like the recipe it automates: register the data and split, run both contestants at once,
judge them, export the winner to ONNX behind a parity gate, register it, deploy it, smoke-test it,
report.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from prefect import flow, get_run_logger
from prefect.task_runners import ThreadPoolTaskRunner

from tasks.automl_job import run_automl
from tasks.contestants import AUTOML, HYPERDRIVE, Contestant, evaluate
from tasks.datasets import prepare_data
from tasks.hyperdrive_job import run_hyperdrive
from tasks.promotion import champion_unchanged, nightly_gate
from tasks.settings import DeployTarget, DuelSettings
from tasks.ship import deploy_winner, export_winner, publish_report, register_winner, smoke_test

# Small budgets that finish in a few minutes on two cores; the defaults are for a real night.
QUICK = {
    "subset": 5000,
    "automl_timeout_minutes": 1.5,
    "automl_iterations": 12,
    "hyperdrive_max_total_runs": 4,
    "hyperdrive_max_concurrent_runs": 1,
    "hyperdrive_epochs": 25,
}


def resolve_settings(quick: bool = False, **parameters: Any) -> DuelSettings:
    """Settings from the environment and .env, then the quick preset, then explicit flow parameters."""
    settings = DuelSettings()
    if quick:
        settings = settings.merged(**QUICK)
    return settings.merged(**parameters)


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
    """Run both contestants on the same split and ship the winner; returns the verdict and endpoint.

    Only with ``champion_challenger`` (the nightly run) can the winner become the champion: when
    its ONNX copy beats the champion's, re-scored on today's test split, by the promotion margin.
    """
    logger = get_run_logger()
    settings = resolve_settings(
        quick,
        data=data,
        subset=subset,
        automl_timeout_minutes=automl_timeout_minutes,
        automl_iterations=automl_iterations,
        hyperdrive_max_total_runs=hyperdrive_max_total_runs,
        hyperdrive_epochs=hyperdrive_epochs,
        deploy_target=deploy_target,
    )
    refs = prepare_data(settings)
    automl = run_automl.submit(settings, refs)
    hyperdrive = run_hyperdrive.submit(settings, refs)
    contestants = [
        Contestant(AUTOML, automl.result(), f"{settings.experiment_name}-automl"),
        Contestant(HYPERDRIVE, hyperdrive.result(), f"{settings.experiment_name}-hyperdrive"),
    ]
    verdict, predictions = evaluate(settings, refs, contestants)
    logger.info(
        "%s wins: test MAE %.0f against %.0f", verdict.winner.name, verdict.winner.mae, verdict.loser.mae
    )
    winner = next(c for c in contestants if c.name == verdict.winner.name)
    exported = export_winner(settings, refs, winner, verdict.winner)
    registered = register_winner(settings, refs, winner, verdict.winner, exported)
    if champion_challenger:
        promotion = nightly_gate(settings, refs, verdict, exported["onnx_path"], registered["onnx_model"])
    else:
        promotion = champion_unchanged(settings)
    endpoint = smoke = None
    # A night serves its champion only; a duel run by hand serves its winner without crowning it.
    serve = promotion.promoted or not champion_challenger
    if serve and settings.deploy_target is not DeployTarget.NONE:
        endpoint = deploy_winner(settings, registered)
        smoke = smoke_test(settings, refs, endpoint, exported)
    publish_report(
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
    )
    return {
        "winner": verdict.winner.as_dict(),
        "loser": verdict.loser.as_dict(),
        "decisive": verdict.decisive,
        "mae_gap_interval": [verdict.gap_low, verdict.gap_high],
        "parity": exported["parity"],
        "model": registered["onnx_model"],
        "promoted": promotion.promoted,
        "champion": promotion.summary,
        "scoring_uri": endpoint["scoring_uri"] if endpoint else None,
        "smoke_test": smoke,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the AutoML vs HyperDrive duel once, locally.")
    parser.add_argument("--quick", action="store_true", help="small budgets and a 5,000-row subset")
    parser.add_argument("--data", help="path of housing.csv (else DUEL_DATA, the cache, or a download)")
    parser.add_argument("--subset", type=int)
    parser.add_argument("--deploy-target", choices=[t.value for t in DeployTarget])
    parser.add_argument("--champion-challenger", action="store_true")
    args = parser.parse_args(argv)
    result = duel(
        data=args.data,
        subset=args.subset,
        deploy_target=DeployTarget(args.deploy_target) if args.deploy_target else None,
        quick=args.quick,
        champion_challenger=args.champion_challenger,
    )
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
