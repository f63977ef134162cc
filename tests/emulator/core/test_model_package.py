"""Model.package: the models and entry script as a Docker image that serves them, or its build context."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pytest

from emulator.core import Environment, Model
from emulator.core.model import ModelPackage
from emulator.core.webservice import InferenceConfig
from emulator.exceptions import WebserviceException
from emulator.serving.process import free_port
from training import SOURCE_DIRECTORY
from training.onnx_layout import predict_file
from training.schema import FEATURE_COLUMNS

SOURCE = str(SOURCE_DIRECTORY)


@pytest.fixture
def model(workspace, housing_onnx):
    return Model.register(workspace, model_path=str(housing_onnx.parent), model_name="housing-price")


@pytest.fixture
def inference_config():
    return InferenceConfig(
        entry_script="score.py", source_directory=SOURCE, environment=Environment("scoring")
    )


def test_a_dockerfile_package_saves_a_context_holding_the_models_and_entry_script(
    workspace, model, inference_config, tmp_path
):
    package = Model.package(workspace, [model], inference_config, generate_dockerfile=True)
    package.wait_for_creation()
    assert package.state == "Succeeded" and package.generate_dockerfile
    package.save(str(tmp_path / "context"))
    context = tmp_path / "context"
    dockerfile = (context / "Dockerfile").read_text()
    assert "COPY azureml-app /var/azureml-app" in dockerfile
    assert "AZUREML_ENTRY_SCRIPT=/var/azureml-app/app/score.py" in dockerfile
    assert "AZUREML_MODEL_DIR=/var/azureml-app/azureml-models/housing-price/1" in dockerfile
    staged = context / "azureml-app" / "azureml-models" / "housing-price" / "1"
    # A folder model (model.onnx and its model_onnx.json) is staged as registered.
    registered = Path(model.get_model_path(model.name, _workspace=workspace))
    staged_files = {p.relative_to(staged).parts[1:]: p.read_bytes() for p in staged.rglob("*") if p.is_file()}
    assert staged_files == {
        p.relative_to(registered).parts: p.read_bytes() for p in registered.rglob("*") if p.is_file()
    }
    assert set(staged_files) == {("model.onnx",), ("model_onnx.json",)}
    assert (context / "azureml-app" / "app" / "score.py").is_file()
    with pytest.raises(WebserviceException, match="A Dockerfile package cannot be pulled. Use save"):
        package.pull()
    # Another handle on the same operation reads the same outcome, as ModelPackage(ws, id, env) does.
    again = ModelPackage(workspace, package._operation_id, inference_config.environment)
    assert (
        again.serialize()
        == package.serialize()
        == {
            "generateDockerfile": True,
            "state": "Succeeded",
            "location": package.location,
        }
    )


def test_packaging_needs_an_inference_config_with_an_environment(workspace, model):
    bare = InferenceConfig(entry_script="score.py", source_directory=SOURCE)
    with pytest.raises(WebserviceException, match="requires an InferenceConfig containing an Environment"):
        Model.package(workspace, [model], bare)


def test_an_image_package_without_a_docker_engine_fails_with_the_reason(
    workspace, model, inference_config, monkeypatch, tmp_path
):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-docker.sock")
    package = Model.package(workspace, [model], inference_config, image_name="housing", image_label="v1")
    assert package.state == "Failed"
    with pytest.raises(WebserviceException, match="(?s)State: Failed.*no Docker engine reachable"):
        package.wait_for_creation()
    assert "Error while fetching server API version" in package.get_logs()


@pytest.mark.docker
def test_an_image_package_serves_the_model_with_nothing_mounted(
    docker_engine, workspace, model, inference_config, housing_path, housing_onnx
):
    package = Model.package(
        workspace, [model], inference_config, image_name="housing-package", image_label="v1"
    )
    package.wait_for_creation(show_output=False)
    assert package.location == "housing-package:v1"
    package.pull()
    with pytest.raises(WebserviceException, match="Docker images cannot be saved"):
        package.save("unused")
    port = free_port()
    container = docker_engine.containers.run(
        package.location, detach=True, ports={"5001/tcp": ("127.0.0.1", port)}
    )
    try:
        rows = pd.read_csv(housing_path).head(50)
        deadline = time.monotonic() + 120
        while True:
            try:
                answer = httpx.post(
                    f"http://127.0.0.1:{port}/score",
                    content=json.dumps({"data": rows[list(FEATURE_COLUMNS)].values.tolist()}),
                    headers={"Content-Type": "application/json"},
                    timeout=10,
                )
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, container.logs().decode()[-3000:]
                time.sleep(0.5)
        assert answer.status_code == 200, answer.text
        native = predict_file(housing_onnx, rows)
        np.testing.assert_array_equal(np.float32(answer.json()["predictions"]), native)
    finally:
        container.remove(force=True)
        docker_engine.images.remove(package.location)
