"""Probe: concurrent deployments of one service name: one wins, the others get a clear error."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from emulator.core import Model
from emulator.core.webservice import InferenceConfig, LocalWebservice, Webservice
from emulator.exceptions import WebserviceException
from training import score

pytestmark = pytest.mark.reliability
DEPLOYERS = 4


def test_concurrent_deploys_of_one_name_leave_one_service_and_refuse_the_rest(workspace, housing_onnx):
    model = Model.register(workspace, str(housing_onnx.parent), "housing-price")
    config = InferenceConfig(entry_script="score.py", source_directory=str(Path(score.__file__).parent))
    barrier = threading.Barrier(DEPLOYERS)
    outcomes: list[object] = []

    def deploy() -> None:
        barrier.wait()
        try:
            outcomes.append(
                Model.deploy(workspace, "same-name", [model], config, LocalWebservice.deploy_configuration())
            )
        except Exception as exc:  # anything but WebserviceException fails the assertion below
            outcomes.append(exc)

    threads = [threading.Thread(target=deploy) for _ in range(DEPLOYERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    services = [o for o in outcomes if isinstance(o, Webservice)]
    refused = [o for o in outcomes if isinstance(o, WebserviceException)]
    try:
        assert len(services) == 1 and len(refused) == DEPLOYERS - 1, outcomes
        assert all("same-name" in str(exc) for exc in refused)
        assert services[0].run({"data": [score.INPUT_EXAMPLE["data"][0]]})["predictions"][0] > 0
    finally:
        for service in services:
            service.delete()
