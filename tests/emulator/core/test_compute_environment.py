"""Compute targets (the create-or-attach idiom) and environments."""

from __future__ import annotations

import pytest

from emulator.core import ComputeTarget, Environment
from emulator.core.compute import AmlCompute
from emulator.core.conda_dependencies import CondaDependencies
from emulator.exceptions import ComputeTargetException, UserErrorException


def test_create_or_attach_idiom(workspace):
    try:
        cluster = ComputeTarget(workspace=workspace, name="gpu-cluster")
    except ComputeTargetException:
        config = AmlCompute.provisioning_configuration(vm_size="STANDARD_NC4AS_T4_V3", max_nodes=2)
        cluster = ComputeTarget.create(workspace, "gpu-cluster", config)
        cluster.wait_for_completion(show_output=False)
    again = ComputeTarget(workspace, "gpu-cluster")
    assert isinstance(again, AmlCompute)
    assert (again.vm_size, again.scale_settings.maximum_node_count, again.provisioning_state) == (
        "STANDARD_NC4AS_T4_V3",
        2,
        "Succeeded",
    )
    assert set(workspace.compute_targets) == {"gpu-cluster"}
    again.delete()
    with pytest.raises(ComputeTargetException, match="not found"):
        ComputeTarget(workspace, "gpu-cluster")


def test_invalid_cluster_configuration_is_refused(workspace):
    with pytest.raises(ComputeTargetException, match="max_nodes"):
        AmlCompute.provisioning_configuration(min_nodes=3, max_nodes=1)
    with pytest.raises(ComputeTargetException, match="Invalid compute name"):
        ComputeTarget.create(workspace, "x", AmlCompute.provisioning_configuration())


def test_environment_registration_versions_on_change(workspace, tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("numpy==2.4.6\n# comment\nscikit-learn==1.9.1\n")
    env = Environment.from_pip_requirements("duel-env", str(requirements))
    env.docker.enabled = True
    first = env.register(workspace)
    assert env.register(workspace).version == first.version == "1"
    env.environment_variables["OMP_NUM_THREADS"] = "1"
    assert env.register(workspace).version == "2"
    fetched = Environment.get(workspace, "duel-env", version="1")
    assert list(fetched.python.conda_dependencies.pip_packages) == ["numpy==2.4.6", "scikit-learn==1.9.1"]
    assert fetched.docker.enabled is True
    with pytest.raises(UserErrorException, match="not found"):
        Environment.get(workspace, "absent")


def test_conda_specification_round_trips(tmp_path):
    deps = CondaDependencies.create(
        pip_packages=["torch==2.13.0"], conda_packages=["pip"], python_version="3.11"
    )
    path = deps.save(str(tmp_path / "env.yml"))
    env = Environment.from_conda_specification("conda-env", path)
    assert env.python.conda_dependencies == deps
    assert deps.get_python_version() == "3.11"


def test_script_runs_record_their_environment(experiment, source_dir):
    from emulator.core import ScriptRunConfig

    env = Environment("recorded")
    env.environment_variables["DUEL_MARKER"] = "set"
    code = "import os\nfrom azureml.core import Run\nRun.get_context().log('marker', os.environ['DUEL_MARKER'])\n"
    run = experiment.submit(ScriptRunConfig(source_dir("env.py", code), "env.py", environment=env))
    run.wait_for_completion()
    assert run.get_metrics() == {"marker": "set"}
    assert run.get_environment().name == "recorded"
