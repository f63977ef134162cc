"""Probe the scoring server as an attacker would (issue 13): slow scripts, half-open connections,
bodies that never arrive, unreadable keys and impossible feature values. Loopback only, bounded.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import textwrap
import threading
import time
from pathlib import Path

import httpx
import pytest

import training.score
from emulator.serving.app import _Placement
from emulator.serving.auth import write_keys
from emulator.serving.config import ServerConfig
from emulator.serving.process import free_port, start_server, stop_process, wait_until_healthy

pytestmark = pytest.mark.reliability

HALF_OPEN = 300
ROW = [-122.23, 37.88, 41.0, 880.0, 129.0, 322.0, 126.0, 8.3252, "NEAR BAY"]


@pytest.fixture
def serve(tmp_path):
    """``serve(entry_script, **config)`` starts a server with short timeouts; stopped after the test."""
    started = []

    def _serve(entry: Path, model_dir: Path | None = None, **options) -> str:
        options = {"body_timeout_seconds": 1.0, "header_timeout_seconds": 1.0, **options}
        config = ServerConfig(entry.resolve(), **options)
        port = free_port()
        log = tmp_path / f"server-{port}.log"
        process = start_server(config, model_dir=model_dir or tmp_path, port=port, log_path=log)
        started.append(process)
        url = f"http://127.0.0.1:{port}"
        assert wait_until_healthy(url, lambda: process.poll() is None, timeout=60), log.read_text()
        return url

    yield _serve
    for process in started:
        stop_process(process.pid)


def entry_script(folder: Path, run_body: str) -> Path:
    """A ``score.py`` in ``folder`` whose ``run(raw_data)`` is ``run_body`` (``time`` imported)."""
    folder.mkdir()
    body = textwrap.indent(textwrap.dedent(run_body).strip(), "    ")
    (folder / "score.py").write_text(
        f"import time\n\n\ndef init():\n    pass\n\n\ndef run(raw_data):\n{body}\n"
    )
    return folder / "score.py"


@pytest.fixture
def slow_script(tmp_path) -> Path:
    return entry_script(tmp_path / "slow", 'time.sleep(3)\nreturn {"slept": 3}')


@pytest.fixture
def housing_server(serve, tmp_path, housing_onnx):
    model_dir = tmp_path / "azureml-models" / "housing-price" / "1"
    model_dir.mkdir(parents=True)
    for file in housing_onnx.parent.iterdir():  # model.onnx and its model_onnx.json
        shutil.copy(file, model_dir / file.name)
    keys = tmp_path / "keys.json"
    write_keys(keys, "primary", "secondary")
    url = serve(Path(training.score.__file__), model_dir=model_dir, keys_file=keys)
    return url, keys


def test_a_slow_run_does_not_block_liveness(serve, slow_script):
    url = serve(slow_script)
    scoring = threading.Thread(
        target=httpx.post, args=(f"{url}/score",), kwargs={"content": "{}", "timeout": 30}
    )
    scoring.start()
    time.sleep(0.5)  # the POST is inside run() now
    # run() sleeps 3 s in a worker thread; the event loop still answers at once
    assert httpx.get(f"{url}/", timeout=1.5).text == "Healthy"
    scoring.join()


def test_a_fast_script_runs_on_the_loop_until_one_slow_call_sends_it_back_to_the_pool(serve, tmp_path):
    script = entry_script(
        tmp_path / "turns-slow",
        """
        if raw_data == "slow":
            time.sleep(1.5)
        return {"ok": True}
        """,
    )
    url = serve(script)
    with httpx.Client(timeout=30) as client:
        for _ in range(_Placement.PROVEN + 5):  # proven fast on the pool: small requests move onto the loop
            assert client.post(f"{url}/score", content="fast").json() == {"ok": True}
        assert client.post(f"{url}/score", content="slow").json() == {"ok": True}  # on the loop, once
    log = next(tmp_path.glob("server-*.log"))
    assert "every request runs on the thread pool from now on" in log.read_text()
    scoring = threading.Thread(
        target=httpx.post, args=(f"{url}/score",), kwargs={"content": "slow", "timeout": 30}
    )
    scoring.start()
    time.sleep(0.5)  # the second slow call is inside run(), on a pool thread this time
    assert httpx.get(f"{url}/", timeout=1.0).text == "Healthy"
    scoring.join()


def test_half_open_connections_are_closed_after_the_header_timeout(serve, slow_script):
    url = serve(slow_script)
    port = int(url.rsplit(":", 1)[1])
    sockets = []
    for i in range(HALF_OPEN):
        connection = socket.create_connection(("127.0.0.1", port), timeout=5)
        if i % 2:  # half send a partial request, half nothing at all
            connection.sendall(b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n")
        sockets.append(connection)
    time.sleep(3)
    closed = 0
    for connection in sockets:
        connection.settimeout(5)
        try:
            closed += connection.recv(1024) == b""
        except ConnectionResetError:
            closed += 1
        connection.close()
    assert closed == HALF_OPEN
    assert httpx.get(f"{url}/", timeout=5).text == "Healthy"


def test_a_body_that_never_arrives_is_answered_408(serve, slow_script):
    url = serve(slow_script)
    port = int(url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(b'POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"data"')
        # The head and the body may come in separate segments: read until the body is whole.
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer.partition(b"\r\n\r\n")[2]) < int(
            re.search(rb"content-length: (\d+)", answer, re.I).group(1)
        ):
            chunk = connection.recv(4096)
            assert chunk, answer
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408") and b"not received within 1 seconds" in answer


def test_unreadable_keys_give_503_with_a_clear_body_then_recover(housing_server):
    url, keys = housing_server
    headers = {"Authorization": "Bearer primary"}
    body = json.dumps({"data": [ROW]})
    assert httpx.post(f"{url}/score", content=body, headers=headers).status_code == 200
    keys.write_text("{not json")
    refused = httpx.post(f"{url}/score", content=body, headers=headers)
    assert refused.status_code == 503 and "keys cannot be read" in refused.json()["message"]
    keys.unlink()
    assert httpx.post(f"{url}/score", content=body, headers=headers).status_code == 503
    write_keys(keys, "primary", "secondary")
    assert httpx.post(f"{url}/score", content=body, headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("value", "index", "column"),
    [
        ("Infinity", 7, "median_income"),
        ("1e308", 3, "total_rooms"),
        ("-3", 6, "households"),
        ('"ATLANTIS"', 8, "ocean_proximity"),
    ],
)
def test_impossible_feature_values_get_422_naming_the_field(housing_server, value, index, column):
    url, _ = housing_server
    row = [json.dumps(v) for v in ROW]
    row[index] = value
    response = httpx.post(
        f"{url}/score",
        content='{"data": [[' + ", ".join(row) + "]]}",
        headers={"Authorization": "Bearer primary"},
    )
    assert response.status_code == 422
    assert f"column '{column}'" in response.json()["message"]
