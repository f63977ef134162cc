"""Model.deploy and the web service classes, against real server processes (and a real container)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pytest

from emulator.core import Model, Workspace
from emulator.core.webservice import (
    AciWebservice,
    DockerWebservice,
    InferenceConfig,
    LocalWebservice,
    Webservice,
)
from emulator.exceptions import WebserviceException
from emulator.serving.process import free_port
from training import score
from training.onnx_layout import predict_file
from training.schema import FEATURE_COLUMNS

SOURCE = str(Path(score.__file__).parent)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    home = tmp_path_factory.mktemp("emulator-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DUEL_EMULATOR_HOME", str(home))
        yield Workspace.create("serving-ws", subscription_id="sub", resource_group="rg")


@pytest.fixture(scope="module")
def model(workspace, housing_onnx):
    return Model.register(workspace, model_path=str(housing_onnx.parent), model_name="housing-price")


@pytest.fixture(scope="module")
def inference_config():
    return InferenceConfig(entry_script="score.py", source_directory=SOURCE)


@pytest.fixture(scope="module")
def aci(workspace, model, inference_config):
    config = AciWebservice.deploy_configuration(
        cpu_cores=1, memory_gb=1, auth_enabled=True, tags={"team": "duel"}
    )
    service = Model.deploy(workspace, "housing-aci", [model], inference_config, config)
    try:
        service.wait_for_deployment()
        yield service
    finally:
        service.delete()


@pytest.fixture(scope="module")
def sample(housing_path):
    return pd.read_csv(housing_path).sample(200, random_state=3)


def _rows(frame):
    return frame[list(FEATURE_COLUMNS)].astype(object).where(frame.notna(), None).values.tolist()


def _onnxruntime(path, frame):
    return predict_file(path, frame)


def test_aci_service_predicts_what_onnxruntime_predicts_in_process(aci, sample, housing_onnx, model):
    assert aci.state == "Healthy" and aci.compute_type == "ACI"
    answer = aci.run(json.dumps({"data": _rows(sample)}))
    np.testing.assert_array_equal(np.float32(answer["predictions"]), _onnxruntime(housing_onnx, sample))
    assert answer["model"] == {"name": model.name, "version": model.version}


def test_aci_deploy_returns_transitioning_before_the_server_answers(workspace, model, inference_config):
    service = Model.deploy(workspace, "housing-early", [model], inference_config)
    try:
        assert service.state == "Transitioning"
        service.wait_for_deployment()
        assert service.state == "Healthy"
    finally:
        service.delete()


def test_both_keys_work_and_a_missing_or_wrong_key_is_401(aci):
    primary, secondary = aci.get_keys()
    body = json.dumps(score.INPUT_EXAMPLE)
    for key, status in ((primary, 200), (secondary, 200), ("wrong", 401)):
        response = httpx.post(aci.scoring_uri, content=body, headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == status
    assert httpx.post(aci.scoring_uri, content=body).status_code == 401


def test_regen_key_invalidates_the_old_key(aci):
    old_primary, secondary = aci.get_keys()
    aci.regen_key("Primary")
    new_primary, still_secondary = aci.get_keys()
    assert new_primary != old_primary and still_secondary == secondary
    body = json.dumps(score.INPUT_EXAMPLE)
    assert (
        httpx.post(
            aci.scoring_uri, content=body, headers={"Authorization": f"Bearer {old_primary}"}
        ).status_code
        == 401
    )
    assert aci.run(body)["predictions"]  # run() signs with the new primary key
    aci.regen_key("Secondary", set_key="chosen-secondary")
    assert aci.get_keys()[1] == "chosen-secondary"
    with pytest.raises(WebserviceException, match='Must be "Primary" or "Secondary"'):
        aci.regen_key("Tertiary")


def test_bad_input_surfaces_as_webservice_exception_with_the_400(aci):
    with pytest.raises(WebserviceException, match="Response Code: 400") as caught:
        aci.run({"data": [[1.0, 2.0]]})
    assert "expected 9 values" in str(caught.value)


def test_logs_hold_the_request_log_but_not_the_keys(aci):
    aci.run(json.dumps(score.INPUT_EXAMPLE))
    logs = aci.get_logs()
    assert '"POST /score" 200' in logs
    assert all(key not in logs for key in aci.get_keys())


def test_swagger_uri_serves_azures_document(aci):
    document = httpx.get(aci.swagger_uri).json()
    assert document["paths"]["/score"]["post"]["operationId"] == "RunMLService"


def test_another_process_finds_and_calls_the_service_by_name(aci, workspace):
    script = (
        "import json, sys; from emulator.core import Workspace; from emulator.core.webservice import Webservice;"
        "ws = Workspace.get('serving-ws'); service = Webservice(ws, 'housing-aci');"
        "print(type(service).__name__, service.state, json.dumps(service.run(sys.argv[1])['model']))"
    )
    # the workspace folder's parent is the emulator home this module's workspace lives in
    env = {**os.environ, "DUEL_EMULATOR_HOME": str(workspace._folder.parent)}
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(score.INPUT_EXAMPLE)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split(" ", 2)[:2] == ["AciWebservice", "Healthy"]


def test_list_filters_by_compute_type_model_and_tags(aci, workspace, model):
    assert [s.name for s in Webservice.list(workspace, compute_type="ACI")] == ["housing-aci"]
    assert [s.name for s in Webservice.list(workspace, model_name=model.name)] == ["housing-aci"]
    assert [s.name for s in Webservice.list(workspace, tags=[["team", "duel"]])] == ["housing-aci"]
    assert Webservice.list(workspace, compute_type="AKS") == []


def test_update_to_a_new_model_version_restarts_on_it(aci, workspace, housing_onnx):
    newer = Model.register(workspace, model_path=str(housing_onnx.parent), model_name="housing-price")
    aci.update(models=[newer], description="second version")
    aci.wait_for_deployment()
    assert aci.run(json.dumps(score.INPUT_EXAMPLE))["model"]["version"] == newer.version
    assert aci.description == "second version"
    with pytest.raises(WebserviceException, match="No parameters provided to update."):
        aci.update()


def test_local_service_is_healthy_on_return_keyless_and_gone_after_delete(workspace, model, inference_config):
    port = free_port()
    service = Model.deploy(
        workspace, "housing-local", [model], inference_config, LocalWebservice.deploy_configuration(port=port)
    )
    assert isinstance(service, LocalWebservice) and service.state == "Healthy"
    assert service.scoring_uri == f"http://127.0.0.1:{port}/score"
    assert len(service.run(score.INPUT_EXAMPLE)["predictions"]) == 1
    with pytest.raises(WebserviceException, match="keys are not enabled"):
        service.get_keys()
    service.delete()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/")
    with pytest.raises(WebserviceException, match="WebserviceNotFound"):
        Webservice(workspace, "housing-local")


def test_entry_script_failing_in_init_leaves_the_service_failed_with_logs(workspace, model, tmp_path):
    (tmp_path / "broken.py").write_text(
        "def init():\n    raise RuntimeError('model file is corrupt')\n\ndef run(raw):\n    return raw\n"
    )
    config = InferenceConfig(entry_script="broken.py", source_directory=str(tmp_path))
    service = Model.deploy(workspace, "housing-broken", [model], config)
    try:
        with pytest.raises(
            WebserviceException, match="non-successful terminal state, current service state: Failed"
        ):
            service.wait_for_deployment()
        assert service.state == "Failed"
        assert "model file is corrupt" in service.get_logs()
    finally:
        service.delete()


def test_existing_name_is_refused_unless_overwrite(aci, workspace, model, inference_config):
    with pytest.raises(WebserviceException, match="already a service with name housing-aci"):
        Model.deploy(workspace, "housing-aci", [model], inference_config)


@pytest.mark.parametrize("name", ["Housing", "ab", "-housing", "housing-", "housing_price", "x" * 33])
def test_invalid_service_names_are_refused_with_the_sdk_message(workspace, model, inference_config, name):
    with pytest.raises(WebserviceException, match="provided service name is invalid"):
        Model.deploy(workspace, name, [model], inference_config)


def test_deploy_warns_future_warning_unless_disabled(workspace, model, inference_config, monkeypatch):
    monkeypatch.setenv("AZUREML_LOG_DEPRECATION_WARNING_ENABLED", "True")
    with pytest.warns(FutureWarning, match="recommends using CLI/SDK v2"):
        with pytest.raises(WebserviceException):
            Model.deploy(workspace, "Bad_Name", [model], inference_config)
    monkeypatch.setenv("AZUREML_LOG_DEPRECATION_WARNING_ENABLED", "False")
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        with pytest.raises(WebserviceException):
            Model.deploy(workspace, "Bad_Name", [model], inference_config)


def test_inference_config_names_a_missing_entry_script(tmp_path):
    with pytest.raises(WebserviceException, match="unable to find entry_script"):
        InferenceConfig(entry_script="missing.py", source_directory=str(tmp_path))


def test_deployment_configurations_refuse_non_positive_resources():
    with pytest.raises(WebserviceException, match="cpu_cores must be greater than zero"):
        AciWebservice.deploy_configuration(cpu_cores=0)
    with pytest.raises(WebserviceException, match="port must be an integer"):
        LocalWebservice.deploy_configuration(port=70000)


@pytest.mark.docker
def test_docker_service_scores_the_test_split_like_onnxruntime(
    docker_engine, workspace, model, inference_config, housing_path, housing_onnx
):
    from sklearn.model_selection import train_test_split

    _, test = train_test_split(pd.read_csv(housing_path), test_size=0.2, random_state=42)
    service = Model.deploy(
        workspace,
        "housing-docker",
        [model],
        inference_config,
        DockerWebservice.deploy_configuration(cpu_cores=1),
    )
    container = service._record["handle"]["container"]
    try:
        assert service.state == "Healthy" and isinstance(
            Webservice(workspace, "housing-docker"), DockerWebservice
        )
        answer = service.run(json.dumps({"data": _rows(test)}))
        np.testing.assert_array_equal(np.float32(answer["predictions"]), _onnxruntime(housing_onnx, test))
        image = docker_engine.containers.get(container).image
        installed = docker_engine.containers.run(image, entrypoint=["pip", "list"], remove=True).decode()
        assert "onnxruntime" in installed and "torch" not in installed and "scikit-learn" not in installed
    finally:
        service.delete()
    assert container not in {c.id for c in docker_engine.containers.list(all=True)}


def test_cli_lists_shows_logs_and_deletes_a_service_by_unique_prefix(workspace, model, inference_config, aci):
    from typer.testing import CliRunner

    from emulator.cli import app

    service = Model.deploy(
        workspace, "housing-cli", [model], inference_config, LocalWebservice.deploy_configuration()
    )
    runner = CliRunner()

    def invoke(*args):
        home = {"DUEL_EMULATOR_HOME": str(workspace._folder.parent)}
        return runner.invoke(app, [*args, "--workspace", workspace.name], env=home, catch_exceptions=False)

    try:
        listed = invoke("services", "list")
        assert listed.exit_code == 0 and "housing-cli" in listed.output and "Healthy" in listed.output
        assert "Uvicorn running" in invoke("services", "logs", "housing-cl").output  # a unique prefix
        ambiguous = invoke("services", "delete", "housing-")
        assert (
            ambiguous.exit_code == 1 and "ambiguous" in ambiguous.output and "housing-cli" in ambiguous.output
        )
        assert invoke("services", "delete", "housing-cli").exit_code == 0
    finally:
        if service.state != "Deleted" and "housing-cli" in [s.name for s in Webservice.list(workspace)]:
            service.delete()
    missing = invoke("services", "logs", "housing-cli")
    assert missing.exit_code == 1 and "not found" in missing.output
