"""Data and model assets on the local workspace: uploaded to the datastore, registered, read back."""

from __future__ import annotations

import pandas as pd

from backends.azure_v2 import datasets, models
from backends.messages import DatasetUpload, ModelUpload
from tests.backends.azure_v2.fake_workspace import ARM


def test_a_split_registers_as_an_mltable_asset_and_reads_back_unchanged(azure, tmp_path):
    frame = pd.DataFrame(
        {"row_id": [7, 3], "median_income": [1.5, None], "ocean_proximity": ["INLAND", "NEAR BAY"]}
    )
    frame.to_csv(tmp_path / "california-housing-test.csv", index=False)
    ml_client = azure.client()

    first = datasets.register(
        ml_client,
        DatasetUpload(
            str(tmp_path / "california-housing-test.csv"),
            "california-housing-test",
            "split",
            {"split_fingerprint": "f1"},
        ),
    )
    second = datasets.register(
        ml_client,
        DatasetUpload(str(tmp_path / "california-housing-test.csv"), "california-housing-test", "split", {}),
    )

    assert (first.version, second.version) == (1, 2)
    (put, _) = azure.sent("PUT", rf"^{ARM}/data/california-housing-test/versions/")
    assert put.body["properties"]["dataType"] == "mltable" and put.body["properties"]["tags"] == {
        "split_fingerprint": "f1"
    }
    mltable = next(content for key, content in azure.blobs.items() if key.endswith("/MLTable"))
    assert b"file: ./california-housing-test.csv" in mltable
    read = datasets.download(ml_client, first, str(tmp_path / "read.csv"))
    pd.testing.assert_frame_equal(pd.read_csv(read), frame)


def _upload(tmp_path, name: str, tags: dict) -> ModelUpload:
    (tmp_path / "model.onnx").write_bytes(b"onnx-bytes")
    return ModelUpload(
        str(tmp_path / "model.onnx"), name, tags, {"parity_max_abs": "0.6"}, "winner", "Onnx", "1.23"
    )


def test_a_model_registers_with_its_lineage_tags_and_framework_and_downloads(azure, tmp_path):
    ml_client = azure.client()

    registered = models.register(
        ml_client, _upload(tmp_path, "housing-price", {"algorithm": "LightGBM", "run_id": "automl_1"})
    )

    assert (registered.name, registered.version, registered.tags["run_id"]) == (
        "housing-price",
        1,
        "automl_1",
    )
    (put,) = azure.sent("PUT", rf"^{ARM}/models/housing-price/versions/1$")
    assert put.body["properties"]["properties"] == {
        "parity_max_abs": "0.6",
        "framework": "Onnx",
        "framework_version": "1.23",
    }
    downloaded = models.download(ml_client, "housing-price", 1, str(tmp_path / "down"))
    assert open(downloaded, "rb").read() == b"onnx-bytes"


def test_champion_tags_are_found_and_moved(azure, tmp_path):
    ml_client = azure.client()
    old = models.register(ml_client, _upload(tmp_path, "housing-price", {"champion": "true"}))
    new = models.register(ml_client, _upload(tmp_path, "housing-price", {"champion": "false"}))

    assert [m.version for m in models.find(ml_client, "housing-price", {"champion": "true"})] == [old.version]
    models.add_tags(ml_client, "housing-price", old.version, {"champion": "false"})
    models.add_tags(ml_client, "housing-price", new.version, {"champion": "true"})

    assert [m.version for m in models.find(ml_client, "housing-price", {"champion": "true"})] == [new.version]
