"""Register the housing data and the shared split in the workspace as tabular datasets."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from prefect import get_run_logger, task

from tasks.backend import sdk, workspace
from tasks.data import load_housing
from tasks.settings import Backend, DuelSettings
from tasks.split import split_frame

ROW_ID = "row_id"


@dataclass(frozen=True)
class DataRefs:
    """Plain references to the registered split: what tasks pass each other instead of frames."""

    train_name: str
    train_version: int
    test_name: str
    test_version: int
    split_fingerprint: str
    train_rows: int
    test_rows: int


def _register_frame(settings: DuelSettings, ws, frame: pd.DataFrame, name: str, description: str, tags: dict):
    """Register a frame; a test frame keeps the file's row numbers as a ``row_id`` column."""
    api = sdk(settings.backend)
    if settings.backend is Backend.AZURE:
        datastore = ws.get_default_datastore()
        return api.Dataset.Tabular.register_pandas_dataframe(
            frame, target=(datastore, f"automl-duel/{name}"), name=name, description=description, tags=tags
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.csv"
        frame.to_csv(path, index=False)
        dataset = api.Dataset.Tabular.from_delimited_files(path=str(path))
        return dataset.register(
            workspace=ws, name=name, description=description, tags=tags, create_new_version=True
        )


def read_split(settings: DuelSettings, ws, name: str, version: int) -> pd.DataFrame:
    """A registered split as a frame indexed by the file's row numbers."""
    frame = sdk(settings.backend).Dataset.get_by_name(ws, name, version=version).to_pandas_dataframe()
    if ROW_ID in frame.columns:
        frame = frame.set_index(ROW_ID).rename_axis(None)
    return frame


@task(name="prepare-data", retries=1)
def prepare_data(settings: DuelSettings) -> DataRefs:
    """Load and validate the file, split it, register both halves; same inputs, same versions' content."""
    logger = get_run_logger()
    frame = load_housing(settings.data, subset=settings.subset, seed=settings.split_seed)
    train, test, fingerprint = split_frame(frame, settings.test_size, settings.split_seed)
    ws = workspace(settings)
    described = f"California housing, split seed {settings.split_seed}, test size {settings.test_size}"
    tags = {"split_fingerprint": fingerprint, "split_seed": str(settings.split_seed)}
    train_ds = _register_frame(settings, ws, train, f"{settings.dataset_name}-train", described, tags)
    # The test half keeps the file's row numbers, so anyone can recompute its fingerprint from the registry.
    test_ds = _register_frame(
        settings, ws, test.rename_axis(ROW_ID).reset_index(), f"{settings.dataset_name}-test", described, tags
    )
    logger.info("split %s: %d train rows, %d test rows", fingerprint, len(train), len(test))
    return DataRefs(
        train_name=train_ds.name,
        train_version=int(train_ds.version),
        test_name=test_ds.name,
        test_version=int(test_ds.version),
        split_fingerprint=fingerprint,
        train_rows=len(train),
        test_rows=len(test),
    )
