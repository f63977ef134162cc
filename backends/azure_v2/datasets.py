"""Register a CSV file as an MLTable data asset version, and read one back as a CSV file (SDK v2).

AutoML v2 reads tabular data only as MLTable: a folder with the file and an ``MLTable`` definition.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from azure.ai.ml import MLClient
from azure.ai.ml.constants import AssetTypes
from azure.ai.ml.entities import Data

from backends.azure_v2.private import download_data
from backends.messages import DatasetRef, DatasetUpload

MLTABLE = """paths:
  - file: ./{file}
transformations:
  - read_delimited:
      delimiter: ','
      encoding: utf8
      header: all_files_same_headers
"""


def register(ml_client: MLClient, upload: DatasetUpload) -> DatasetRef:
    """Upload the file with its MLTable definition as the next version of ``upload.name``."""
    with tempfile.TemporaryDirectory(prefix="duel-mltable-") as folder:
        csv = Path(upload.csv_path)
        shutil.copyfile(csv, Path(folder) / csv.name)
        (Path(folder) / "MLTable").write_text(MLTABLE.format(file=csv.name))
        data = Data(
            path=folder,
            type=AssetTypes.MLTABLE,
            name=upload.name,
            description=upload.description,
            tags=dict(upload.tags),
        )
        registered = ml_client.data.create_or_update(data)
    return DatasetRef(name=registered.name, version=int(registered.version))


def download(ml_client: MLClient, ref: DatasetRef, csv_path: str) -> str:
    """Write the registered version's CSV file to ``csv_path``."""
    data = ml_client.data.get(ref.name, version=str(ref.version))
    with tempfile.TemporaryDirectory(prefix="duel-dataset-") as folder:
        download_data(ml_client, data.path, folder)
        (found,) = Path(folder).rglob("*.csv")
        shutil.copyfile(found, csv_path)
    return csv_path
