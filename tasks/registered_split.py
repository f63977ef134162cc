"""The prepare-data task: split the housing file and register both halves as tabular datasets."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from prefect import get_run_logger, task

from backends import Backend
from backends.messages import DatasetRef, DatasetUpload
from tasks.housing_csv import load_housing
from tasks.opened import opened_backend
from tasks.preflight import transient_only
from tasks.settings import DuelSettings
from training.split import split_frame

ROW_ID = "row_id"


@dataclass(frozen=True)
class DataRefs:
    """Plain references to the registered split: what tasks pass each other instead of frames."""

    train: DatasetRef
    test: DatasetRef
    split_fingerprint: str
    train_rows: int
    test_rows: int


def read_split(backend: Backend, ref: DatasetRef) -> pd.DataFrame:
    """A registered split as a frame indexed by the file's row numbers.

    Args:
        backend: the open backend.
        ref: the registered dataset.

    Returns:
        Its rows.
    """
    frame = backend.read_dataset(ref)
    if ROW_ID in frame.columns:
        frame = frame.set_index(ROW_ID).rename_axis(None)
    return frame


def _register(backend: Backend, frame: pd.DataFrame, name: str, description: str, tags: dict) -> DatasetRef:
    with tempfile.TemporaryDirectory(prefix="duel-split-") as folder:
        path = Path(folder) / f"{name}.csv"
        frame.to_csv(path, index=False)
        return backend.register_dataset(DatasetUpload(str(path), name, description, tags))


@task(name="prepare-data", retries=1, retry_condition_fn=transient_only)
def prepare_data(settings: DuelSettings) -> DataRefs:
    """Load and validate the file, split it, register both halves; same inputs, same versions' content.

    Args:
        settings: the run's settings.

    Returns:
        References to both registered halves and the split's fingerprint.
    """
    logger = get_run_logger()
    frame = load_housing(
        settings.data, subset=settings.subset, seed=settings.split_seed, cache_dir=settings.cache_dir
    )
    train, test, fingerprint = split_frame(frame, settings.test_size, settings.split_seed)
    backend = opened_backend(settings)
    described = f"California housing, split seed {settings.split_seed}, test size {settings.test_size}"
    tags = {"split_fingerprint": fingerprint, "split_seed": str(settings.split_seed)}
    train_ref = _register(backend, train, f"{settings.dataset_name}-train", described, tags)
    # The test half keeps the file's row numbers, so anyone can recompute its fingerprint from the registry.
    test_ref = _register(
        backend, test.rename_axis(ROW_ID).reset_index(), f"{settings.dataset_name}-test", described, tags
    )
    logger.info("split %s: %d train rows, %d test rows", fingerprint, len(train), len(test))
    return DataRefs(
        train=train_ref,
        test=test_ref,
        split_fingerprint=fingerprint,
        train_rows=len(train),
        test_rows=len(test),
    )
