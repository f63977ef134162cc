"""HyperDrive trial script: train the PyTorch MLP on the California housing training split.

Plain Azure ML SDK v1 code: it runs unchanged on Azure (upload ``training/`` as the source
directory) and offline under the emulator, whose import hook serves ``azureml.core``. It logs the
validation MAE in dollars as ``val_mae`` after every epoch (the sweep's primary metric, so early
termination policies see every epoch), then ``MAE`` (the best validation MAE), and writes the fitted
model to ``./outputs/model`` (see ``mlp.save``).

Data: ``--train-data`` (the training split as a CSV file, or a folder holding one: the MLTable
input an SDK v2 job mounts), else ``--dataset-name`` (a registered SDK v1 tabular dataset holding
the training split), else the housing CSV at ``--data`` or ``$DUEL_DATA``, of which the project's
fixed split's training part is used (the test rows are never read).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd

# The real SDK on Azure; every process the emulator starts for a run gets its twin under this name.
from azureml.core import Run

try:
    from training import distributed, mlp
    from training.schema import FEATURE_COLUMNS, LABEL
    from training.split import split_frame
except ImportError:  # uploaded alone, training/ is the root
    # Only then on sys.path: imported as a package module, its folder would shadow dask's `distributed`.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import distributed
    import mlp
    from schema import FEATURE_COLUMNS, LABEL
    from split import split_frame


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    data = parser.add_argument_group("data")
    data.add_argument("--data", help="housing CSV (default: $DUEL_DATA)")
    data.add_argument("--train-data", help="the training split: a CSV file or a folder holding one")
    data.add_argument("--dataset-name", help="registered dataset holding the training split")
    data.add_argument("--dataset-version", default="latest")
    data.add_argument("--subset", type=int, help="train on this many rows of the training split (seeded)")
    data.add_argument("--test-size", type=float, default=0.2)
    data.add_argument("--seed", type=int, default=42, help="seed of the split and of the model")
    model = parser.add_argument_group("model")
    model.add_argument("--hidden-1", type=int, default=256)
    model.add_argument("--hidden-2", type=int, default=128, help="0 for one hidden layer")
    model.add_argument("--hidden-3", type=int, default=0, help="0 for at most two hidden layers")
    model.add_argument("--lr", type=float, default=1e-3)
    model.add_argument("--batch-size", type=int, default=256)
    model.add_argument("--epochs", type=int, default=200)
    model.add_argument("--patience", type=int, default=20)
    model.add_argument("--dropout", type=float, default=0.0)
    model.add_argument("--weight-decay", type=float, default=0.0)
    model.add_argument("--loss", choices=("l1", "mse", "huber"), default="l1")
    model.add_argument(
        "--feature-engineering",
        type=int,
        choices=(0, 1),
        default=1,
        help="1 adds ratio, log and location (Fourier) features",
    )
    model.add_argument(
        "--neighbours",
        type=int,
        choices=(0, 1),
        default=1,
        help="1 adds the kernel-weighted prices of the training rows near each location",
    )
    model.add_argument(
        "--ema-decay",
        type=float,
        default=0.995,
        help="per-step decay of the averaged weights; 0 turns it off",
    )
    model.add_argument(
        "--threads",
        type=int,
        default=0,
        help="torch threads (0: this process's cores, shared among a node's ranks)",
    )
    model.add_argument("--output-dir", default="outputs/model")
    return parser.parse_args(argv)


def training_split(frame: pd.DataFrame, test_size: float, seed: int) -> pd.DataFrame:
    """The training part of the project's fixed split (``split.split_frame``)."""
    return split_frame(frame, test_size, seed)[0]


def _training_csv(path: Path) -> Path:
    if path.is_file():
        return path
    found = sorted(path.glob("*.csv"))
    if len(found) != 1:
        raise SystemExit(f"--train-data {path}: expected one CSV file there, found {len(found)}")
    return found[0]


def load_training_data(args: argparse.Namespace, run) -> pd.DataFrame:
    if args.train_data:
        frame = pd.read_csv(_training_csv(Path(args.train_data)))
    elif args.dataset_name:
        from azureml.core import Dataset

        version = args.dataset_version if args.dataset_version == "latest" else int(args.dataset_version)
        frame = Dataset.get_by_name(
            run.experiment.workspace, args.dataset_name, version=version
        ).to_pandas_dataframe()
    else:
        path = args.data or os.environ.get("DUEL_DATA")
        if not path:
            raise SystemExit("no data: pass --data, --dataset-name or set DUEL_DATA to housing.csv")
        frame = training_split(pd.read_csv(path), args.test_size, args.seed)
    if args.subset and args.subset < len(frame):
        frame = frame.sample(n=args.subset, random_state=args.seed)
    return frame


def main(argv=None) -> float:
    args = parse_args(argv)
    run = Run.get_context()
    # Submitted with PyTorchConfiguration/MpiConfiguration, every rank runs this script: they train
    # data-parallel, and rank 0 alone logs and writes the model.
    parallel = distributed.from_environment()
    try:
        return _train(args, run, parallel)
    finally:
        if parallel is not None:
            parallel.close()


def build_model(args: argparse.Namespace, parallel=None) -> mlp.TorchMLPRegressor:
    """The unfitted MLP the model arguments describe (threads shared out among a node's ranks)."""
    hidden = tuple(h for h in (args.hidden_1, args.hidden_2, args.hidden_3) if h > 0)
    return mlp.TorchMLPRegressor(
        hidden_layers=hidden,
        lr=args.lr,
        batch_size=args.batch_size,
        epochs=args.epochs,
        weight_decay=args.weight_decay,
        dropout=args.dropout,
        loss=args.loss,
        patience=args.patience,
        feature_engineering=bool(args.feature_engineering),
        ema_decay=args.ema_decay,
        neighbours=bool(args.neighbours),
        random_state=args.seed,
        n_threads=args.threads or (parallel.threads(mlp.available_cores()) if parallel else None),
    )


def _train(args: argparse.Namespace, run, parallel) -> float:
    main_rank = parallel is None or parallel.is_main
    frame = load_training_data(args, run)
    model = build_model(args, parallel)
    # SDK v1's offline run has no `step` argument: log plain values, one per epoch.
    model.fit(
        frame[list(FEATURE_COLUMNS)],
        frame[LABEL],
        on_epoch=(lambda epoch, mae: run.log("val_mae", mae)) if main_rank else None,
        data_parallel=parallel,
    )
    if not main_rank:
        return model.best_val_mae_
    run.log("MAE", model.best_val_mae_)
    run.log("best_epoch", model.best_epoch_)
    if parallel is not None:
        run.log("world_size", parallel.world_size)
    mlp.save(model, args.output_dir)
    print(
        f"best validation MAE {model.best_val_mae_:,.0f} at epoch {model.best_epoch_}; model in {args.output_dir}"
    )
    return model.best_val_mae_


if __name__ == "__main__":
    main()
