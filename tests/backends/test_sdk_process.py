"""The parent's half of the step protocol: message encoding, and an interpreter that dies without answering."""

from __future__ import annotations

import json
import sys

import pytest

from backends.messages import Bandit, ClusterSpec, JobOutcome, RegisteredModel, RunRef, SweepJob, WorkspaceRef
from backends.sdk_process import SdkProcess, StepError, decode, encode, one_line


def test_messages_round_trip_through_json_with_their_tuples_and_nested_messages():
    job = SweepJob(
        "exp", "src", "train.py", ("--epochs", "3"), ClusterSpec("gpu", "STANDARD_NC4AS_T4_V3", 2),
        {"--lr": ("loguniform", (-7.0, -5.0))}, Bandit(1, 0.1, 5), "val_mae", 4, 2, 30, {"split": "ab"},
    )  # fmt: skip
    outcome = JobOutcome(RunRef("exp", "HD_1"), "HD_1_0", ({"run": "HD_1_0", "val_mae": 0.5},))

    for value in (job, outcome, WorkspaceRef(config_path="/c.json", auth="cli"), None, "text", {"a": 1}):
        assert decode(json.loads(json.dumps(encode(value)))) == value
    models = (RegisteredModel("m", 1, "m:1"), RegisteredModel("m", 2, "m:2"))
    assert decode(json.loads(json.dumps(encode(models)))) == models


def test_an_interpreter_that_dies_without_answering_names_the_step_and_its_last_words(tmp_path):
    # A Python that cannot run the step module: it prints noise, complains on stderr and exits 3.
    crashing = [
        sys.executable,
        "-c",
        "import sys; print('noise'); sys.stderr.write('boom: no azureml\\n'); sys.exit(3)",
    ]
    with pytest.raises(StepError) as failed:
        SdkProcess(crashing, cwd=tmp_path).jobs.run_sweep(WorkspaceRef(config_path="c.json"))
    assert failed.value.kind == "NoAnswer" and failed.value.step == "jobs.run_sweep"
    assert "exited with code 3 without an answer" in str(failed.value) and "boom: no azureml" in str(
        failed.value
    )


def test_private_names_are_not_steps(tmp_path):
    with pytest.raises(AttributeError):
        _ = SdkProcess([sys.executable], cwd=tmp_path).jobs._follow


def test_an_sdk_error_keeps_its_message_on_one_line():
    class SdkLikeError(Exception):
        message = "Value for argument [x]\n\tis out of range"

    assert one_line(SdkLikeError("ignored")) == "Value for argument [x] is out of range"
    assert one_line(ValueError()) == "ValueError"
