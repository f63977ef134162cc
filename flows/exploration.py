"""Exploration before the duel: the recipe's ``--models randomforest | sklearnmodels | deeplearning``.

One typed parameter per switch of the recipe: ``models``, ``data_local`` (the local file, or the
registered split datasets), ``subset`` (a sample for heavy models), ``hyperdrive`` (sweep the
network first; deeplearning only) and ``process_count``/``node_count`` (data-parallel training of
the network). A refused combination fails the flow at once, saying why.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from prefect import flow

from flows.lasting_server import ServerStartError
from flows.local_api import prefect_api
from tasks.exploration import ExplorationSpec, ModelSwitch, publish_exploration, run_exploration
from tasks.registered_split import prepare_data
from tasks.settings import DuelSettings


@flow(name="exploration", log_prints=True)
def exploration(
    models: ModelSwitch = ModelSwitch.RANDOMFOREST,
    data_local: bool = True,
    subset: int | None = None,
    hyperdrive: bool = False,
    process_count: int = 1,
    node_count: int = 1,
    max_concurrent_models: int = 2,
    epochs: int = 30,
    sweep_runs: int = 4,
    data: str | None = None,
) -> dict:
    """Run one switch of the exploration.

    Args:
        models: randomforest, sklearnmodels (15 regressors) or deeplearning (the MLP).
        data_local: read the CSV on this machine instead of the registered split datasets.
        subset: train on this many sampled training rows.
        hyperdrive: sweep the MLP, then refit its best trial (deeplearning only).
        process_count: processes per node training the MLP data-parallel.
        node_count: nodes training the MLP.
        max_concurrent_models: sklearnmodels fitted at a time.
        epochs: the MLP's epochs.
        sweep_runs: the sweep's trials.
        data: path of housing.csv (else ``DUEL_DATA``, the cache, or a download).

    Returns:
        The run to look at, the winner and its test metrics.
    """
    spec = ExplorationSpec(
        models,
        data_local,
        subset,
        hyperdrive,
        process_count,
        node_count,
        max_concurrent_models,
        epochs,
        sweep_runs,
    )
    settings = DuelSettings().merged(data=data)
    spec.check_backend(settings.capabilities)
    refs = None if data_local else prepare_data(settings)
    result = run_exploration(settings, spec, refs)
    publish_exploration(result)
    return asdict(result)


def main(argv: list[str] | None = None) -> None:
    """``python -m flows.exploration``: run one switch on the same Prefect API as ``duel run``.

    Args:
        argv: the command's arguments (default: ``sys.argv[1:]``).
    """
    parser = argparse.ArgumentParser(description="Run one exploration switch locally.")
    parser.add_argument("--models", choices=[m.value for m in ModelSwitch], default="randomforest")
    parser.add_argument("--registered-data", action="store_true", help="data_local=False")
    parser.add_argument("--subset", type=int)
    parser.add_argument("--hyperdrive", action="store_true")
    parser.add_argument("--process-count", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--data", help="path of housing.csv (else DUEL_DATA, the cache, or a download)")
    args = parser.parse_args(argv)
    # The same Prefect API as `duel run`: a set URL, a server running here, else one started to last.
    with prefect_api() as api:
        print(api.described, file=sys.stderr)
        try:
            api.ready()
        except ServerStartError as error:
            raise SystemExit(f"exploration: {error}") from None
        result = exploration(
            models=ModelSwitch(args.models),
            data_local=not args.registered_data,
            subset=args.subset,
            hyperdrive=args.hyperdrive,
            process_count=args.process_count,
            epochs=args.epochs,
            data=args.data,
        )
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
