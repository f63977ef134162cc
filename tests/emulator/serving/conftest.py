"""A real scoring server process on loopback, serving training/score.py with the test ONNX model."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

import training.score
from emulator.serving.auth import write_keys
from emulator.serving.config import ServerConfig
from emulator.serving.process import free_port, start_server, stop_process, wait_until_healthy


@dataclass
class Server:
    url: str
    keys_file: Path
    log_path: Path
    primary: str = "primary-key-for-tests"
    secondary: str = "secondary-key-for-tests"

    def headers(self, key: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {key or self.primary}"}


def launch(
    tmp: Path,
    housing_onnx: Path,
    *,
    workers: int = 1,
    max_body: int = 256 * 1024,
    entry_script: Path | None = None,
):
    model_dir = tmp / "azureml-models" / "housing-price" / "1"
    model_dir.mkdir(parents=True)
    for file in housing_onnx.parent.iterdir():  # model.onnx and its model_onnx.json
        shutil.copy(file, model_dir / file.name)
    server = Server(url="", keys_file=tmp / "keys.json", log_path=tmp / "server.log")
    write_keys(server.keys_file, server.primary, server.secondary)
    config = ServerConfig(entry_script or Path(training.score.__file__), server.keys_file, max_body)
    port = free_port()
    process = start_server(config, model_dir=model_dir, port=port, log_path=server.log_path, workers=workers)
    server.url = f"http://127.0.0.1:{port}"
    if not wait_until_healthy(server.url, lambda: process.poll() is None, timeout=60):
        stop_process(process.pid)
        pytest.fail(f"scoring server did not start:\n{server.log_path.read_text()}")
    return server, process


@pytest.fixture
def launch_server():
    """Start extra servers with other settings; each is stopped at the end of the test."""
    started = []

    def _launch(tmp: Path, housing_onnx: Path, **options):
        running, process = launch(tmp, housing_onnx, **options)
        started.append(process)
        return running

    yield _launch
    for process in started:
        stop_process(process.pid)


@pytest.fixture(scope="package")
def server(tmp_path_factory, housing_onnx):
    running, process = launch(tmp_path_factory.mktemp("server"), housing_onnx)
    yield running
    stop_process(process.pid)


@pytest.fixture(scope="package")
def client(server):
    with httpx.Client(base_url=server.url, headers=server.headers(), timeout=30) as http:
        yield http
