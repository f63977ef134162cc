"""Opening the v2 backend: credential chosen headlessly, workspace read once, environments registered."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from backends import clusters, credentials
from backends.azure_v2 import environments
from backends.azure_v2.workspace import WorkspaceError, open_azure_v2
from tests.backends.azure_v2.fake_workspace import (
    ARM,
    GROUP,
    SUBSCRIPTION,
    WORKSPACE,
    LocalTransport,
    StubCredential,
)


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(
        json.dumps({"subscription_id": SUBSCRIPTION, "resource_group": GROUP, "workspace_name": WORKSPACE})
    )
    return path


def _open(azure, config, settings, credential):
    return open_azure_v2(
        config, credential=credential, transport=LocalTransport(azure.port), **clusters(settings)
    )


def test_opening_reads_the_workspace_and_registers_both_environments_from_their_files(
    azure, config, settings
):
    backend = _open(azure, config, settings, StubCredential())

    assert backend.identity == f"azure-v2:{SUBSCRIPTION}/{GROUP}/{WORKSPACE}"
    assert azure.sent("GET", rf"^{ARM}$")
    for name in (environments.TRAINING, environments.SERVING):
        (put,) = azure.sent("PUT", rf"^{ARM}/environments/{name}/versions/{environments.version(name)}$")
        conda_file, image = environments.DEFINITIONS[name]
        assert put.body["properties"]["image"] == image
        assert "onnxruntime" in put.body["properties"]["condaFile"] or name == environments.TRAINING
    assert backend.cpu_cluster.name == settings.cpu_cluster


def test_an_expired_credential_fails_on_opening_in_one_line(azure, config, settings):
    azure.expired_tokens.add("stale")

    with pytest.raises(credentials.CredentialError, match="^Azure refused the credential: .*expir"):
        _open(azure, config, settings, StubCredential("stale"))
    assert not azure.sent("PUT", "environments")


def test_a_missing_config_names_the_setting(tmp_path, settings):
    with pytest.raises(WorkspaceError, match="set DUEL_AZURE_CONFIG"):
        open_azure_v2(tmp_path / "absent.json", credential=StubCredential(), **clusters(settings))


def test_environment_versions_follow_their_files_content():
    assert environments.version(environments.TRAINING) != environments.version(environments.SERVING)
    assert environments.reference(environments.TRAINING).endswith(environments.version(environments.TRAINING))


def test_the_duels_backend_drives_the_v2_steps(azure, config, settings, tmp_path):
    from backends.messages import DatasetUpload, ModelUpload

    backend = _open(azure, config, settings, StubCredential())
    frame = pd.DataFrame({"row_id": [4, 9], "median_income": [2.5, 8.1]})
    frame.to_csv(tmp_path / "split.csv", index=False)
    (tmp_path / "model.onnx").write_bytes(b"graph")

    ref = backend.register_dataset(
        DatasetUpload(str(tmp_path / "split.csv"), "california-housing-test", "t", {})
    )
    model = backend.register_model(
        ModelUpload(str(tmp_path / "model.onnx"), "housing-price", {"champion": "true"}, {}, "d", "Onnx", "1")
    )

    pd.testing.assert_frame_equal(backend.read_dataset(ref), frame)
    assert backend.find_models("housing-price", {"champion": "true"}) == (model,)
    assert backend.download_model(model, tmp_path / "down").read_bytes() == b"graph"
