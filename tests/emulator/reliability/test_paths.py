"""Probe: names and ids that become paths cannot reach outside their folder of the workspace.

Each attack here once worked (issue 13): a child run id or a dataset name with '..' overwrote or
deleted a registered model's files. Now every name is checked with the SDK's rules, and the store
refuses a path outside its folder whatever the caller passes.
"""

from __future__ import annotations

import os

import pytest

from emulator.core import Dataset, Datastore, Experiment, Model, ScriptRunConfig
from emulator.core.compute import AmlCompute, ComputeTarget
from emulator.exceptions import ComputeTargetException, UserErrorException, WebserviceException
from emulator.train.hyperdrive import (
    HyperDriveConfig,
    PrimaryMetricGoal,
    RandomParameterSampling,
    choice,
)

pytestmark = pytest.mark.reliability

TRAVERSALS = ["../models/victim/1", "..", ".", "a/b", "a\\b", "/etc", "x\0y", "-lead"]


@pytest.fixture
def victim(workspace, tmp_path):
    """A registered model whose file must survive every probe unchanged."""
    path = tmp_path / "victim.bin"
    path.write_bytes(b"the victim's bytes")
    model = Model.register(workspace, str(path), "victim")
    return model._local_path


@pytest.mark.parametrize("run_id", TRAVERSALS)
def test_child_run_id_that_is_not_a_plain_id_is_refused(experiment, victim, run_id, tmp_path):
    parent = experiment.start_logging()
    payload = tmp_path / "evil"
    payload.write_bytes(b"overwritten")
    with pytest.raises(UserErrorException, match="Run id"):
        parent.child_run(run_id=run_id).upload_file("victim.bin", str(payload))
    assert victim.read_bytes() == b"the victim's bytes"
    parent.complete()


def test_existing_child_id_raises_user_error_not_sqlite_error(experiment):
    parent = experiment.start_logging()
    parent.child_run(run_id="child-1")
    with pytest.raises(UserErrorException, match="already exists"):
        parent.child_run(run_id="child-1")
    parent.complete()


def test_hyperdrive_custom_run_id_goes_through_the_same_check(experiment, source_dir, victim):
    config = HyperDriveConfig(
        run_config=ScriptRunConfig(
            source_directory=str(source_dir("train.py", "print(1)")), script="train.py"
        ),
        hyperparameter_sampling=RandomParameterSampling({"--x": choice(1, 2)}),
        primary_metric_name="loss",
        primary_metric_goal=PrimaryMetricGoal.MINIMIZE,
        max_total_runs=1,
        custom_run_id="../models/victim/1",
    )
    with pytest.raises(UserErrorException, match="Run id"):
        experiment.submit(config)
    assert victim.read_bytes() == b"the victim's bytes"


@pytest.mark.parametrize("name", ["../models/victim", "..", ".", "a/b", "-lead", "x" * 251])
def test_dataset_name_that_is_not_a_plain_name_is_refused(workspace, victim, name, tmp_path):
    csv = tmp_path / "data.csv"
    csv.write_text("a,b\n1,2\n")
    with pytest.raises(UserErrorException, match="dataset name"):
        Dataset.Tabular.from_delimited_files(str(csv)).register(workspace, name=name)
    assert victim.read_bytes() == b"the victim's bytes"


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda ws: Experiment(ws, "../x"), UserErrorException),
        (lambda ws: Datastore(ws, "../models"), UserErrorException),
        (lambda ws: Model.register(ws, __file__, "../victim"), UserErrorException),
        (lambda ws: Model.register(ws, __file__, ".."), UserErrorException),
        (
            lambda ws: ComputeTarget.create(ws, "../c", AmlCompute.provisioning_configuration(vm_size="x")),
            ComputeTargetException,
        ),
    ],
    ids=["experiment", "datastore", "model", "model-dots", "compute"],
)
def test_every_named_thing_refuses_a_path_with_the_sdk_error_type(workspace, make, error):
    with pytest.raises(error, match="(?i)invalid|name"):
        make(workspace)


def test_webservice_name_is_refused_before_anything_is_staged(workspace):
    from emulator.core.webservice import webservice_name_validation

    for name in ("../victim", "ab", "Upper", "ends-"):
        with pytest.raises(WebserviceException, match="service name is invalid"):
            webservice_name_validation(name)


@pytest.mark.parametrize(
    "call",
    [
        lambda store: store.artifact_path("../models/victim/1", "model.bin"),
        lambda store: store.artifact_path("run", "../../models/victim/1/model.bin"),
        lambda store: store.model_path("..", 1),
        lambda store: store.dataset_path("a/b", 1),
        lambda store: store.folder("webservices", "../models"),
    ],
    ids=["run-id", "artifact-name", "model", "dataset", "service"],
)
def test_store_refuses_paths_outside_their_folder_whatever_the_caller(workspace, call):
    with pytest.raises(UserErrorException):
        call(workspace._store)


def test_store_refuses_an_artifact_path_through_a_symlink_out_of_the_run(workspace, victim):
    store = workspace._store
    run_folder = store.artifact_path("run-1")
    run_folder.mkdir(parents=True)
    os.symlink(victim.parent, run_folder / "escape")
    with pytest.raises(UserErrorException, match="outside"):
        store.artifact_path("run-1", "escape/victim.bin")
