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
from pathlib import Path

import httpx
import pytest

import training.score
from emulator.serving.config import ServerConfig
from emulator.serving.process import free_port, start_server, stop_process, wait_until_healthy
from tests.conformance.scoring_corpus import Request, corpus

REPOSITORY = Path(__file__).resolve().parents[2]
AZMLINFSRV = Path(os.environ.get("DUEL_AZMLINFSRV", REPOSITORY / ".venv-infsrv" / "bin" / "azmlinfsrv"))
pytestmark = pytest.mark.skipif(
    not AZMLINFSRV.exists(), reason=f"no azmlinfsrv at {AZMLINFSRV}: `make infsrv-env` builds it"
)
_COMPARED = ("content-type", "x-ms-run-function-failed", "x-request-id", "x-ms-request-id")
_COMPARED += ("x-ms-client-request-id", "traceid")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def _wait(url: str, process: subprocess.Popen, log: Path) -> None:
    if not wait_until_healthy(url, lambda: process.poll() is None, timeout=120):
        stop_process(process.pid)
        pytest.fail(f"server at {url} did not start:\n{log.read_text(errors='replace')[-4000:]}")


@pytest.fixture(scope="module")
def service(tmp_path_factory, housing_onnx):
    """The service folder both servers share: the app root, the entry script and the model."""
    root = tmp_path_factory.mktemp("service")
    model_dir = root / "azureml-models" / "housing-price" / "1"
    model_dir.mkdir(parents=True)
    shutil.copy(housing_onnx, model_dir / "model.onnx")
    return root, Path(training.score.__file__), model_dir


@pytest.fixture(scope="module")
def azure_url(service):
    root, script, model_dir = service
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
    yield url
    stop_process(process.pid)


@pytest.fixture(scope="module")
def emulator_url(service):
    root, script, model_dir = service
    port, log = free_port(), root / "emulator.log"
    config = ServerConfig(entry_script=script, app_root=root)
    process = start_server(config, model_dir=model_dir, port=port, log_path=log)
    url = f"http://127.0.0.1:{port}"
    _wait(url, process, log)
    yield url
    stop_process(process.pid)


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


def test_emulator_answers_every_request_as_azmlinfsrv(azure_url, emulator_url, housing_path):
    differences = []
    statuses: dict[int, int] = {}
    for request in corpus(housing_path):
        azure, emulated = _send(azure_url, request), _send(emulator_url, request)
        statuses[azure.status_code] = statuses.get(azure.status_code, 0) + 1
        if azure.status_code != emulated.status_code or azure.content != emulated.content:
            differences.append(
                f"{request.name}: azmlinfsrv {azure.status_code} {azure.content[:200]!r} / "
                f"emulator {emulated.status_code} {emulated.content[:200]!r}"
            )
        elif _contract_headers(azure) != _contract_headers(emulated):
            differences.append(f"{request.name}: {_contract_headers(azure)} / {_contract_headers(emulated)}")
    assert not differences, f"{len(differences)} differences:\n" + "\n".join(differences)
    # the corpus reaches every kind of answer: scores, refusals, 404/405/431 and Azure's 500s
    assert {200, 400, 404, 405, 431} <= statuses.keys(), statuses
