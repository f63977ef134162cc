"""Fetch each contestant's native model from its run and score it on the shared test split."""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from prefect import get_run_logger, task

from tasks.backend import sdk, workspace
from tasks.compare import TestScore, Verdict, judge, score
from tasks.datasets import DataRefs, read_split
from tasks.settings import DuelSettings
from tasks.split import fingerprint
from training import mlp
from training.schema import FEATURE_COLUMNS, LABEL

AUTOML = "AutoML"
HYPERDRIVE = "HyperDrive"


@dataclass(frozen=True)
class Contestant:
    """Which run produced a contestant's model; enough to fetch it again anywhere."""

    name: str
    run_id: str
    experiment: str


def load_model(settings: DuelSettings, contestant: Contestant):
    """The fitted native model (taking the raw feature frame, returning dollars), its algorithm name
    and the run that trained it.

    Judging, export and registration all need the winner: it is fetched from its run once per process.
    """
    return _load_model(settings.model_dump_json(), contestant)


@functools.lru_cache(maxsize=4)
def _load_model(settings_json: str, contestant: Contestant):
    settings = DuelSettings.model_validate_json(settings_json)
    api = sdk(settings.backend)
    ws = workspace(settings)
    if contestant.name == AUTOML:
        automl_run = api.AutoMLRun(api.Experiment(ws, contestant.experiment), contestant.run_id)
        best_run, model = automl_run.get_output()
        algorithm = best_run.properties.get("run_algorithm") or type(model).__name__
        return model, algorithm, best_run.id
    run = api.Run.get(ws, contestant.run_id)
    with tempfile.TemporaryDirectory() as tmp:
        run.download_files(prefix="outputs/model", output_directory=tmp)
        model = mlp.load(Path(tmp) / "outputs" / "model")
    layers = "/".join(str(n) for n in model.hidden_layers)
    return model, f"TorchMLP {layers}", run.id


@task(name="judge-contestants")
def evaluate(settings: DuelSettings, data: DataRefs, contestants: list[Contestant]) -> tuple[Verdict, dict]:
    """Score both native models on the registered test split and judge them; also returns predictions."""
    logger = get_run_logger()
    ws = workspace(settings)
    test = read_split(settings, ws, data.test_name, data.test_version)
    if fingerprint(test) != data.split_fingerprint:
        raise RuntimeError(
            f"registered test split {data.test_name}:{data.test_version} does not match fingerprint "
            f"{data.split_fingerprint}"
        )
    features, y_true = test.loc[:, list(FEATURE_COLUMNS)], test[LABEL].to_numpy()
    scores: list[TestScore] = []
    predictions: dict[str, np.ndarray] = {}
    for contestant in contestants:
        model, algorithm, run_id = load_model(settings, contestant)
        predictions[contestant.name] = np.asarray(model.predict(features), dtype=float).ravel()
        scores.append(
            score(
                contestant.name,
                algorithm,
                run_id,
                y_true,
                predictions[contestant.name],
                data.split_fingerprint,
            )
        )
        logger.info("%s (%s): test MAE %.0f", contestant.name, algorithm, scores[-1].mae)
    verdict = judge(scores[0], predictions[scores[0].name], scores[1], predictions[scores[1].name], y_true)
    return verdict, {"y_true": y_true, **predictions}
