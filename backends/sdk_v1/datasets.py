"""Register a CSV file as a tabular dataset version, and read one back as a CSV file.

A registered TabularDataset version refers to its path and reads whatever is there when it is
read, so each distinct file goes to a path of its own (named by its content): an older version
keeps reading its own rows, and registering the same rows again returns the same version.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from azureml.core import Dataset, Workspace

from backends.messages import DatasetRef, DatasetUpload

_DATASTORE_FOLDER = "automl-duel"


def register(ws: Workspace, upload: DatasetUpload) -> DatasetRef:
    """Upload the file to a path of its own on the default datastore and register it as a new version."""
    datastore = ws.get_default_datastore()
    digest = hashlib.sha256(Path(upload.csv_path).read_bytes()).hexdigest()[:16]
    target = f"{_DATASTORE_FOLDER}/{upload.name}/{digest}"
    datastore.upload_files([upload.csv_path], target_path=target, overwrite=False, show_progress=False)
    dataset = Dataset.Tabular.from_delimited_files(path=(datastore, f"{target}/{Path(upload.csv_path).name}"))
    registered = dataset.register(
        workspace=ws,
        name=upload.name,
        description=upload.description,
        tags=dict(upload.tags),
        create_new_version=True,
    )
    return DatasetRef(name=registered.name, version=int(registered.version))


def download(ws: Workspace, ref: DatasetRef, csv_path: str) -> str:
    """Write the registered version's rows to ``csv_path``."""
    frame = Dataset.get_by_name(ws, ref.name, version=ref.version).to_pandas_dataframe()
    frame.to_csv(csv_path, index=False)
    return csv_path
