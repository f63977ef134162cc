"""The scoring server's HTTP contract, exercised on a real uvicorn process over loopback."""

from __future__ import annotations

import json
import time

import httpx
import numpy as np
import pandas as pd
import pytest

from emulator.serving.auth import write_keys
from training.onnx_layout import predict_file
from training.schema import FEATURE_COLUMNS
from training.score import INPUT_EXAMPLE


def _rows(frame: pd.DataFrame) -> list[list]:
    return frame[list(FEATURE_COLUMNS)].astype(object).where(frame.notna(), None).values.tolist()


def test_liveness_answers_healthy_without_a_key(server):
    response = httpx.get(server.url + "/")
    assert response.status_code == 200 and response.text == "Healthy"


def test_swagger_is_azures_document_for_an_undecorated_run(server):
    document = httpx.get(server.url + "/swagger.json").json()
    assert document["swagger"] == "2.0" and document["info"]["title"] == "ML service"
    assert set(document["paths"]) == {"/", "/score", "/swagger.json"}
    assert document["definitions"]["ServiceInput"] == {"type": "object", "example": {}}
    assert httpx.get(server.url + "/swagger.json?version=3").json()["openapi"] == "3.0.3"
    unknown = httpx.get(server.url + "/swagger.json?version=9")
    assert unknown.status_code == 404 and unknown.json()["message"].startswith(
        "Swagger version [9] is not valid"
    )


def test_predictions_over_http_equal_onnxruntime_in_process(client, housing_path, housing_onnx):
    frame = pd.read_csv(housing_path).sample(1000, random_state=7)
    response = client.post("/score", content=json.dumps({"data": _rows(frame)}))
    assert response.status_code == 200
    expected = predict_file(housing_onnx, frame)
    np.testing.assert_array_equal(np.float32(response.json()["predictions"]), expected)


def test_missing_key_is_refused_with_401(server):
    response = httpx.post(server.url + "/score", content=json.dumps(INPUT_EXAMPLE))
    assert response.status_code == 401 and "missing Authorization" in response.json()["message"]


def test_wrong_key_is_refused_with_401(server):
    response = httpx.post(
        server.url + "/score", content=json.dumps(INPUT_EXAMPLE), headers=server.headers("nope")
    )
    assert response.status_code == 401 and response.json()["message"] == "invalid key"


def test_both_primary_and_secondary_keys_are_accepted(server):
    for key in (server.primary, server.secondary):
        response = httpx.post(
            server.url + "/score", content=json.dumps(INPUT_EXAMPLE), headers=server.headers(key)
        )
        assert response.status_code == 200


def test_rewritten_keys_invalidate_the_old_key_without_a_restart(server):
    body = json.dumps(INPUT_EXAMPLE)
    write_keys(server.keys_file, "fresh-primary", server.secondary)
    try:
        assert httpx.post(server.url + "/score", content=body, headers=server.headers()).status_code == 401
        assert (
            httpx.post(
                server.url + "/score", content=body, headers=server.headers("fresh-primary")
            ).status_code
            == 200
        )
    finally:
        write_keys(server.keys_file, server.primary, server.secondary)


def test_body_over_the_limit_is_refused_with_413(client):
    big = json.dumps({"data": [INPUT_EXAMPLE["data"][0]] * 5000})
    assert client.post("/score", content=big).status_code == 413


def test_chunked_body_over_the_limit_is_refused_with_413(client):
    chunk = (" " * 16 * 1024).encode()
    response = client.post("/score", content=iter([chunk] * 20))  # no Content-Length: chunked
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("body", "names"),
    [
        (b"{not json", "Expecting property name"),
        (b"\xff\xfe", "Input cannot be decoded as UTF-8"),
        (json.dumps({"data": [[1.0, "INLAND"]]}).encode(), "expected 9 values"),
        (
            json.dumps({"data": [[*INPUT_EXAMPLE["data"][0][:7], "rich", "INLAND"]]}).encode(),
            "'median_income'",
        ),
        (json.dumps({"data": [{"longitude": 1.0}]}).encode(), "missing column(s) latitude"),
    ],
)
def test_bad_input_is_a_400_naming_the_problem(client, body, names):
    response = client.post("/score", content=body)
    assert response.status_code == 400 and names in response.json()["message"]


def test_a_run_failure_is_azures_500_and_an_amlresponse_keeps_its_status(
    tmp_path, housing_onnx, launch_server
):
    script = tmp_path / "failing.py"
    script.write_text(
        "from azureml.contrib.services.aml_response import AMLResponse\n"
        "def init():\n    pass\n"
        "def run(raw):\n"
        "    if raw == 'teapot':\n        return AMLResponse({'message': 'short and stout'}, 418, json_str=True)\n"
        "    raise RuntimeError('secret detail')\n"
    )
    running = launch_server(tmp_path, housing_onnx, entry_script=script)
    failed = httpx.post(running.url + "/score", content=b"{}", headers=running.headers())
    assert failed.status_code == 500 and failed.headers["x-ms-run-function-failed"] == "True"
    assert failed.json() == {
        "message": "An unexpected error occurred in scoring script. Check the logs for more info."
    }
    assert "secret detail" in running.log_path.read_text()
    teapot = httpx.post(running.url + "/score", content=b"teapot", headers=running.headers())
    assert teapot.status_code == 418 and teapot.json() == {"message": "short and stout"}


def test_unknown_route_is_404_and_put_on_score_is_405(client):
    assert client.get("/nowhere").status_code == 404
    assert client.put("/score").status_code == 405


def test_request_log_records_requests_but_never_keys(client, server):
    client.post("/score", content=json.dumps(INPUT_EXAMPLE))
    log = server.log_path.read_text()
    assert '"POST /score" 200' in log
    assert server.primary not in log and server.secondary not in log


def test_binds_loopback_and_runs_the_configured_number_of_workers(tmp_path, housing_onnx, launch_server):
    running = launch_server(tmp_path, housing_onnx, workers=2)
    response = httpx.post(
        running.url + "/score", content=json.dumps(INPUT_EXAMPLE), headers=running.headers()
    )
    assert response.status_code == 200
    deadline = time.monotonic() + 30
    while running.log_path.read_text().count("Started server process") < 2:
        if time.monotonic() > deadline:
            pytest.fail(f"two workers had not started 30 s after launch:\n{running.log_path.read_text()}")
        time.sleep(0.1)
    log = running.log_path.read_text()
    assert "http://127.0.0.1:" in log
    assert log.count("Started server process") == 2
