"""The winner on a managed online endpoint: same score.py, key auth, all traffic, scored, deleted."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from backends.azure_v2 import environments, services
from backends.messages import Deployment
from tests.backends.azure_v2.fake_workspace import ARM
from training import SOURCE_DIRECTORY, score
from training.schema import FEATURE_COLUMNS

DEPLOYMENT = Deployment(
    "housing-price-svc", ("housing-price:3",), "score.py", str(SOURCE_DIRECTORY), "managed"
)


@pytest.fixture
def served(azure, housing_onnx, tmp_path, monkeypatch):
    """The endpoint's container: training/score.py on a model folder, as Azure mounts it."""
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    shutil.copy(housing_onnx, model_dir / "model.onnx")
    shutil.copy(housing_onnx.with_name("model_onnx.json"), model_dir / "model_onnx.json")
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(model_dir))
    score.init()
    azure.scoring = score
    return azure


def test_the_endpoint_uses_key_auth_and_its_deployment_the_same_score_py_and_takes_all_traffic(served):
    endpoint = services.deploy(served.client(), DEPLOYMENT)

    assert endpoint.scoring_uri == "https://housing-price-svc.eastus.inference.ml.azure.com/score"
    first, *_, last = served.sent("PUT", rf"^{ARM}/onlineEndpoints/housing-price-svc$")
    assert first.body["properties"]["authMode"] == "Key" and last.body["properties"]["traffic"] == {
        "blue": 100
    }
    (put,) = served.sent("PUT", rf"^{ARM}/onlineEndpoints/housing-price-svc/deployments/blue$")
    properties = put.body["properties"]
    assert properties["model"].endswith("/models/housing-price/versions/3")
    assert properties["environmentId"].endswith(
        f"/environments/{environments.SERVING}/versions/{environments.version(environments.SERVING)}"
    )
    assert properties["codeConfiguration"]["scoringScript"] == "score.py"
    uploaded = {Path(path).name: content for path, content in served.blobs.items()}
    assert uploaded["score.py"] == (SOURCE_DIRECTORY / "score.py").read_bytes()


def test_scoring_goes_through_the_endpoint_with_its_key(served, housing):
    ml_client = served.client()
    services.deploy(ml_client, DEPLOYMENT)
    rows = housing.loc[:, list(FEATURE_COLUMNS)].head(3).astype(object).where(housing.notna(), None)

    answer = services.score(ml_client, DEPLOYMENT.service_name, json.dumps({"data": rows.values.tolist()}))

    assert len(answer["predictions"]) == 3 and all(p > 0 for p in answer["predictions"])
    assert served.sent("POST", r"/listKeys$")


def test_deleting_removes_the_endpoint(served):
    ml_client = served.client()
    services.deploy(ml_client, DEPLOYMENT)

    services.delete(ml_client, DEPLOYMENT.service_name)

    assert served.sent("DELETE", rf"^{ARM}/onlineEndpoints/housing-price-svc$") and not served.endpoints


def test_a_target_other_than_managed_is_refused_naming_the_setting(azure):
    from dataclasses import replace

    with pytest.raises(ValueError, match="set DUEL_DEPLOY_TARGET=managed"):
        services.deploy(azure.client(), replace(DEPLOYMENT, target="aci"))
    assert not azure.requests
