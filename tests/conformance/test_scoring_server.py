"""The emulator's scoring server answers every request as Azure's own server does.

Microsoft's ``azureml-inference-server-http`` (``azmlinfsrv``, what Azure's inference images run) is
the reference, as moto checks itself against AWS: both servers load the same ``training/score.py``
and model, one corpus of good and bad requests (``scoring_corpus.py``) goes to each, and every answer
must match in status, body bytes and Azure's headers. Azure's server lives in ``.venv-infsrv``
(``make infsrv-env``; its pins clash with prefect's); without it the test skips and says so.

Headers left out on purpose: ``Server``, ``Date`` and ``Connection`` (gunicorn's, not the contract's),
``x-ms-server-version`` (set by Azure's launcher from its own version), ``Allow`` on Flask's 405s,
and the value of ``x-ms-run-fn-exec-ms`` (a timing; its presence is compared).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

import training.score
from emulator.serving.config import ServerConfig
from emulator.serving.process import free_port, start_server, stop_process, wait_until_healthy
from tests.conformance.scoring_corpus import Request, corpus

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parents[1]
AZMLINFSRV = Path(os.environ.get("DUEL_AZMLINFSRV", REPOSITORY / ".venv-infsrv" / "bin" / "azmlinfsrv"))
pytestmark = pytest.mark.skipif(
    not AZMLINFSRV.exists(), reason=f"no azmlinfsrv at {AZMLINFSRV}: `make infsrv-env` builds it"
)
_COMPARED = ("content-type", "x-ms-run-function-failed", "x-request-id", "x-ms-request-id")
_COMPARED += (
    "x-ms-client-request-id",
    "traceid",
    "x-custom",
    "cache-control",
)  # the last two: probe_score.py
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def _wait(url: str, process: subprocess.Popen, log: Path) -> None:
    if not wait_until_healthy(url, lambda: process.poll() is None, timeout=120):
        stop_process(process.pid)
        pytest.fail(f"server at {url} did not start:\n{log.read_text(errors='replace')[-4000:]}")


def _start_azure(root: Path, script: Path, model_dir: Path) -> tuple[str, subprocess.Popen]:
    port, log = free_port(), root / "azmlinfsrv.log"
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("AZUREML_", "AML_")) and k != "PYTHONPATH"
    }
    command = [
        str(AZMLINFSRV),
        "--entry_script",
        str(script),
        "--model_dir",
        str(model_dir),
        "--port",
        str(port),
    ]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    _wait(url, process, log)
    return url, process


def _start_emulator(root: Path, script: Path, model_dir: Path) -> tuple[str, subprocess.Popen]:
    port, log = free_port(), root / "emulator.log"
    config = ServerConfig(entry_script=script, app_root=root)
    process = start_server(config, model_dir=model_dir, port=port, log_path=log)
    url = f"http://127.0.0.1:{port}"
    _wait(url, process, log)
    return url, process


@contextmanager
def _both_servers(root: Path, script: Path, model_dir: Path):
    """Azure's server and the emulator's, on one app root, entry script and model folder."""
    urls, processes = [], []
    try:
        for start in (_start_azure, _start_emulator):
            url, process = start(root, script, model_dir)
            urls.append(url)
            processes.append(process)
        yield tuple(urls)
    finally:
        for process in processes:
            stop_process(process.pid)


@pytest.fixture(scope="module")
def housing_servers(tmp_path_factory, housing_onnx):
    """Both servers on training/score.py and the test model, laid out as Azure lays out a model."""
    root = tmp_path_factory.mktemp("service")
    model_dir = root / "azureml-models" / "housing-price" / "1"
    model_dir.mkdir(parents=True)
    for file in housing_onnx.parent.iterdir():  # model.onnx and its model_onnx.json
        shutil.copy(file, model_dir / file.name)
    with _both_servers(root, Path(training.score.__file__), model_dir) as urls:
        yield urls


@pytest.fixture(scope="module")
def probe_servers(tmp_path_factory):
    """Both servers on probe_score.py, whose run() answers each kind of result."""
    root = tmp_path_factory.mktemp("probe")
    with _both_servers(root, HERE / "probe_score.py", root) as urls:
        yield urls


def _send(url: str, request: Request) -> httpx.Response:
    with httpx.Client(timeout=120) as client:
        return client.request(
            request.method, url + request.path, content=request.body, headers=request.headers
        )


def _contract_headers(response: httpx.Response) -> dict[str, str]:
    found = {
        name: _UUID.sub("<uuid>", response.headers[name]) for name in _COMPARED if name in response.headers
    }
    found["x-ms-run-fn-exec-ms"] = "present" if "x-ms-run-fn-exec-ms" in response.headers else "absent"
    return found


def test_corpus_is_large_and_mixed(housing_path):
    requests = corpus(housing_path)
    assert len(requests) >= 200
    assert len({r.name for r in requests}) == len(requests)


def _differences(urls: tuple[str, str], requests: list[Request]) -> tuple[list[str], dict[int, int]]:
    differences, statuses = [], {}
    for request in requests:
        azure, emulated = _send(urls[0], request), _send(urls[1], request)
        statuses[azure.status_code] = statuses.get(azure.status_code, 0) + 1
        if azure.status_code != emulated.status_code or azure.content != emulated.content:
            differences.append(
                f"{request.name}: azmlinfsrv {azure.status_code} {azure.content[:200]!r} / "
                f"emulator {emulated.status_code} {emulated.content[:200]!r}"
            )
        elif _contract_headers(azure) != _contract_headers(emulated):
            differences.append(f"{request.name}: {_contract_headers(azure)} / {_contract_headers(emulated)}")
    return differences, statuses


def test_emulator_answers_every_request_as_azmlinfsrv(housing_servers, housing_path):
    differences, statuses = _differences(housing_servers, corpus(housing_path))
    assert not differences, f"{len(differences)} differences:\n" + "\n".join(differences)
    # the corpus reaches every kind of answer: scores, refusals, 404/405/431 and Azure's 500s
    assert {200, 400, 404, 405, 431} <= statuses.keys(), statuses


def test_every_kind_of_run_result_is_sent_as_azmlinfsrv_sends_it(probe_servers):
    kinds = ["dict", "text", "nan", "numpy", "unicode", "none", "teapot", "aml-text", "aml-bytes"]
    kinds += [
        "aml-headers",
        "aml-none",
        "aml-503",
        "aml-surrogate",
        "aml-json-surrogate",
        "raise-value",
        "raise-key",
    ]
    requests = [
        Request(kind, "POST", "/score", kind.encode(), {"Content-Type": "text/plain"}) for kind in kinds
    ]
    differences, statuses = _differences(probe_servers, requests)
    assert not differences, f"{len(differences)} differences:\n" + "\n".join(differences)
    assert {200, 418, 500, 503} <= statuses.keys(), statuses
