"""Write the duel's two v2 jobs as YAML for ``az ml job create --file``, reloadable by ``load_job``."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from azure.ai.ml import load_job

from backends.azure_v2.environments import TRAINING, latest
from backends.azure_v2.specs import automl_job, data_input, sweep_job
from backends.messages import AutoMLJob, SweepJob

SWEEP_FILE = "hyperdrive-sweep.yml"
AUTOML_FILE = "automl-regression.yml"


def _valued(tags: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in tags.items() if value}


def write_jobs(sweep: SweepJob, automl: AutoMLJob, out: str | Path) -> tuple[Path, Path]:
    """Both jobs under ``out`` (created), reading the latest registered versions of the training data
    and environment; the trial's code folder is written as an absolute path (the SDK's dump makes any
    relative one absolute against the current folder). Tags without a value are left out."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    code = str(Path(sweep.source_directory).resolve())
    local = dataclasses.replace(sweep, source_directory=code, tags=_valued(sweep.tags))
    automl = dataclasses.replace(automl, tags=_valued(automl.tags))
    training = data_input(automl.training.name)
    jobs = (
        (folder / SWEEP_FILE, sweep_job(local, latest(TRAINING), training)),
        (folder / AUTOML_FILE, automl_job(automl, training)),
    )
    for path, job in jobs:
        job.dump(path)
        load_job(path)  # what the CLI will do with it: refuse to write a file it cannot read back
    return jobs[0][0], jobs[1][0]
