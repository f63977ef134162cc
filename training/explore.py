"""Exploration script: the modelling switchboard ``--models randomforest | sklearnmodels | deeplearning``.

Plain Azure ML SDK v1 code: it runs unchanged on an Azure cluster (upload ``training/`` as the
source directory) and offline under the emulator. Every model is judged on the held-out test split
and its run gets the test metrics (MAE, RMSE, R2, MAPE), error percentiles (a list), errors by
price band (a table), images (predicted vs true, residuals, a map of errors) and its model file.

* ``randomforest``: one random forest in this run.
* ``sklearnmodels``: 15 scikit-learn regressors, each a child run, fitted ``--max-concurrent-models``
  at a time in worker processes; this run logs the comparison table and chart.
* ``deeplearning``: the PyTorch MLP (``train_mlp.py``'s model options pass through); started as
  several ranks (``PyTorchConfiguration``) it trains data-parallel.

The winner of the exploration (the only model, or the best child) is explained: permutation
importance of each raw column on the test split, a table and an image. Data: ``--data-local 1``
reads the housing CSV (``--data`` or ``$DUEL_DATA``) and makes the project's fixed split;
``--data-local 0`` reads the registered split datasets ``--dataset-name``/``--test-dataset-name``.
``--subset N`` trains on N sampled training rows (and tests on a proportional sample of the test rows).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

import joblib
import pandas as pd

# The real SDK on Azure; every process the emulator starts for a run gets its twin under this name.
from azureml.core import Dataset, Run

try:
    from training import explore_models, explore_report
    from training.schema import FEATURE_COLUMNS, LABEL
    from training.split import split_frame
except ImportError:  # uploaded alone, training/ is the root
    # Only then on sys.path: imported as a package module, its folder would shadow dask's `distributed`.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import explore_models
    import explore_report
    from schema import FEATURE_COLUMNS, LABEL
    from split import split_frame

SWITCHES = ("randomforest", "sklearnmodels", "deeplearning")


def parse_args(argv=None) -> tuple[argparse.Namespace, list[str]]:
    """The exploration's own arguments, and the rest (the MLP's model options for ``deeplearning``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", choices=SWITCHES, required=True)
    parser.add_argument("--data-local", type=int, choices=(0, 1), default=1)
    parser.add_argument("--data", help="housing CSV when --data-local 1 (default: $DUEL_DATA)")
    parser.add_argument("--dataset-name", help="registered training split when --data-local 0")
    parser.add_argument("--test-dataset-name", help="registered test split when --data-local 0")
    parser.add_argument("--subset", type=int, help="train on this many sampled training rows")
    parser.add_argument("--test-size", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--max-concurrent-models", type=int, default=0, help="sklearnmodels fitted at once (0: one per core)"
    )
    parser.add_argument("--only", nargs="+", choices=explore_models.MODEL_NAMES, help="sklearnmodels to fit")
    args, rest = parser.parse_known_args(argv)
    if args.subset is not None and args.subset < 10:
        parser.error(f"--subset must be at least 10 rows, got {args.subset}")
    if rest and args.models != "deeplearning":
        parser.error(f"unrecognized arguments for --models {args.models}: {' '.join(rest)}")
    return args, rest


def load_split(args: argparse.Namespace, run) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, test) frames, from the local file or the registered datasets, subset if asked."""
    if args.data_local:
        path = args.data or os.environ.get("DUEL_DATA")
        if not path:
            raise SystemExit("--data-local 1 needs --data or $DUEL_DATA pointing at housing.csv")
        train, test, _ = split_frame(pd.read_csv(path), args.test_size, args.seed)
    else:
        if not (args.dataset_name and args.test_dataset_name):
            raise SystemExit(
                "--data-local 0 needs --dataset-name and --test-dataset-name (registered splits)"
            )
        workspace = run.experiment.workspace
        train, test = (
            Dataset.get_by_name(workspace, name).to_pandas_dataframe()
            for name in (args.dataset_name, args.test_dataset_name)
        )
    if args.subset and args.subset < len(train):
        test_rows = min(len(test), max(10, round(args.subset * len(test) / len(train))))
        train = train.sample(n=args.subset, random_state=args.seed)
        test = test.sample(n=test_rows, random_state=args.seed)
    return train, test


def _save(run, model) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.pkl"
        joblib.dump(model, path)
        run.upload_file("outputs/model.pkl", str(path))


def explore_randomforest(args, run, train, test) -> None:
    X_test, y_test = test[list(FEATURE_COLUMNS)], test[LABEL]
    _, model, evaluation = explore_models.fit_and_evaluate(
        "randomforest", train[list(FEATURE_COLUMNS)], train[LABEL], X_test, y_test, args.seed
    )
    explore_report.log_evaluation(run, evaluation)
    explore_report.log_importance(run, model, X_test, y_test, args.seed)
    _save(run, model)


def _single_thread_worker() -> None:
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)  # each worker is one core's share: no BLAS or OpenMP oversubscription


def _fit_all(names, args, train, test):
    """Yield (name, None) when a fit starts and (name, (name, model, evaluation)) when it ends, with
    at most ``--max-concurrent-models`` fits at a time."""
    work = (train[list(FEATURE_COLUMNS)], train[LABEL], test[list(FEATURE_COLUMNS)], test[LABEL], args.seed)
    workers = args.max_concurrent_models or len(os.sched_getaffinity(0))
    if workers == 1:
        for name in names:
            yield name, None
            yield name, explore_models.fit_and_evaluate(name, *work)
        return
    pending, queue = {}, list(names)
    # spawn, not fork: the parent holds store connections and torch's threads.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_single_thread_worker) as pool:
        while queue or pending:
            while queue and len(pending) < workers:
                name = queue.pop(0)
                pending[pool.submit(explore_models.fit_and_evaluate, name, *work)] = name
                yield name, None
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield pending.pop(future), future.result()


def explore_sklearnmodels(args, run, train, test) -> None:
    X_test, y_test = test[list(FEATURE_COLUMNS)], test[LABEL]
    children, results, models = {}, {}, {}
    for name, outcome in _fit_all(args.only or explore_models.MODEL_NAMES, args, train, test):
        if name not in children:
            children[name] = run.child_run(name=name)
            children[name].tag("model", name)
        if outcome is None:
            continue
        child = children[name]
        _, models[name], evaluation = outcome
        results[name] = explore_report.log_evaluation(child, evaluation)
        _save(child, models[name])
        child.complete()
        print(
            f"{name}: test MAE {results[name]['MAE']:,.0f}, fitted in {evaluation.fit_seconds:.1f} s",
            flush=True,
        )
    table = explore_report.log_comparison(run, results)
    best = table["model"][0]
    run.tag("best_model", best)
    run.log("best_MAE", results[best]["MAE"])
    explore_report.log_importance(run, models[best], X_test, y_test, args.seed)
    _save(run, models[best])


def explore_deeplearning(args, model_options: list[str], run, train, test) -> None:
    # Imported here: torch is slow to import, and every sklearnmodels worker re-imports this script.
    try:
        from training import distributed, mlp, train_mlp
    except ImportError:
        import distributed
        import mlp
        import train_mlp

    options = train_mlp.parse_args([*model_options, "--seed", str(args.seed)])
    parallel = distributed.from_environment()
    try:
        model = train_mlp.build_model(options, parallel)
        main_rank = parallel is None or parallel.is_main
        model.fit(
            train[list(FEATURE_COLUMNS)],
            train[LABEL],
            on_epoch=(lambda epoch, mae: run.log("val_mae", mae)) if main_rank else None,
            data_parallel=parallel,
        )
    finally:
        if parallel is not None:
            parallel.close()
    if not main_rank:
        return
    X_test, y_test = test[list(FEATURE_COLUMNS)], test[LABEL]
    explore_report.log_evaluation(run, explore_report.evaluate(X_test, y_test, model.predict(X_test)))
    explore_report.log_importance(run, model, X_test, y_test, args.seed)
    mlp.save(model, "outputs/model")


def main(argv=None) -> None:
    args, rest = parse_args(argv)
    run = Run.get_context()
    train, test = load_split(args, run)
    run.tag("models", args.models)
    print(f"{args.models}: {len(train)} training rows, {len(test)} test rows", flush=True)
    if args.models == "randomforest":
        explore_randomforest(args, run, train, test)
    elif args.models == "sklearnmodels":
        explore_sklearnmodels(args, run, train, test)
    else:
        explore_deeplearning(args, rest, run, train, test)


if __name__ == "__main__":
    main()
