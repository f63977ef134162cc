"""Environments are built as Azure builds their image before the script: resolved by ``uv pip compile``
for the environment's Python on Linux x86_64, cached by hash, and a failed build fails the run.

Each test that resolves asks PyPI (as the CI does); successful builds are cached for the session.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.core import Environment, ScriptRunConfig
from emulator.core._image_build import (
    BUILD_FAILED,
    IMAGE_BUILD_LOG,
    MATERIALIZE_VARIABLE,
    image_hash,
    python_version,
)
from emulator.core.conda_dependencies import CondaDependencies
from emulator.exceptions import UserErrorException

DEPLOYMENTS = Path(__file__).resolve().parents[3] / "deployments"
# The serving file as it stood in issue 23: azureml-defaults 1.61 caps numpy below 2.3.3.
CONFLICT = ["numpy==2.4.6", "azureml-defaults==1.61.0"]
MARKER_SCRIPT = """
    from pathlib import Path
    Path({marker!r}).write_text("the script ran")
"""


def _environment(name: str, pip_packages: list[str]) -> Environment:
    environment = Environment(name)
    environment.python.conda_dependencies = CondaDependencies.create(
        pip_packages=pip_packages, python_version="3.11"
    )
    return environment


def test_conflicting_environment_fails_the_run_before_its_script_starts(experiment, source_dir, tmp_path):
    marker = tmp_path / "ran.txt"
    config = ScriptRunConfig(
        source_dir("train.py", MARKER_SCRIPT.format(marker=str(marker))),
        "train.py",
        environment=_environment("conflicting", CONFLICT),
    )
    run = experiment.submit(config)
    details = run.wait_for_completion(raise_on_error=False)
    assert details["status"] == "Failed"
    assert details["error"]["error"] == BUILD_FAILED
    assert not marker.exists(), "the script ran although its environment did not build"
    assert run.get_details()["startTimeUtc"] is None
    log = run.get_details_with_logs()["logFiles"][IMAGE_BUILD_LOG]
    # The resolver's own explanation, naming the conflicting requirements.
    assert "No solution found when resolving dependencies" in log
    assert "numpy==2.4.6" in log and "azureml-defaults==1.61.0" in log
    assert "--python-platform x86_64-manylinux_2_28" in log and "--python-version 3.11" in log


def test_build_is_cached_by_the_environment_hash(workspace):
    environment = _environment("small", ["six==1.17.0"])
    first = environment.build(workspace)
    assert first.status == "Succeeded"
    assert "six==1.17.0" in first._build.lock
    again = Environment.get(workspace, "small").build(workspace)
    assert again.get_log().startswith(f"Image {first._build.hash} found in the build cache")
    changed = _environment("small", ["six==1.16.0"])
    assert image_hash(changed._to_dict()) != first._build.hash


def test_build_local_refuses_an_unregistered_environment_and_raises_on_failure(workspace, capsys):
    with pytest.raises(UserErrorException, match="Environment 'conflicting' is not registered"):
        _environment("conflicting", CONFLICT).build_local(workspace)
    registered = _environment("conflicting", CONFLICT).register(workspace)
    with pytest.raises(Exception, match="Building environment failed with exit code: 1"):
        registered.build_local(workspace)
    assert "No solution found" in capsys.readouterr().out
    assert _environment("conflicting", CONFLICT).build(workspace).status == "Failed"


@pytest.mark.parametrize("conda_file", sorted(DEPLOYMENTS.rglob("environments/*.yml")), ids=lambda p: p.name)
def test_every_environment_under_deployments_builds(workspace, conda_file):
    environment = Environment.from_conda_specification(conda_file.stem, str(conda_file))
    details = environment.build(workspace)
    assert details.status == "Succeeded", details.get_log()


@pytest.mark.parametrize(
    ("entry", "version"),
    [("python=3.11", "3.11"), ("python=3.10.4", "3.10.4"), ("python>=3.9", "3.9"), ("pip", None)],
)
def test_python_version_is_read_from_the_conda_specification(entry, version):
    assert python_version({"dependencies": [entry]}) == version


VENV_SCRIPT = """
    import six
    from azureml.core import Run
    Run.get_context().log("six", 1)
    print("interpreter", __import__("sys").executable)
    import pandas  # in the emulator's interpreter, not in this environment
"""


def test_a_materialised_environment_runs_the_script_with_only_its_own_packages(
    experiment, source_dir, monkeypatch
):
    monkeypatch.setenv(MATERIALIZE_VARIABLE, "1")
    config = ScriptRunConfig(
        source_dir("train.py", VENV_SCRIPT), "train.py", environment=_environment("venv", ["six==1.17.0"])
    )
    run = experiment.submit(config)
    details = run.wait_for_completion(raise_on_error=False)
    log = run.get_details_with_logs()["logFiles"]["azureml-logs/70_driver_log.txt"]
    # six is installed and the run logs through the emulator; pandas is missing, as in the image.
    assert run.get_metrics() == {"six": 1}
    assert "ModuleNotFoundError: No module named 'pandas'" in log
    assert details["status"] == "Failed"
    build = run.get_details_with_logs()["logFiles"][IMAGE_BUILD_LOG]
    assert "uv pip sync" in build and "six==1.17.0" in build


@pytest.mark.slow
@pytest.mark.parametrize(
    ("setuptools", "status"), [("setuptools==82.0.0", "Failed"), ("setuptools<82", "Completed")]
)
def test_a_materialised_environment_fails_where_azureml_core_lacks_pkg_resources(
    experiment, source_dir, monkeypatch, setuptools, status
):
    # azureml.core 1.61 imports pkg_resources, which setuptools 82 removed: the image's import fails.
    monkeypatch.setenv(MATERIALIZE_VARIABLE, "1")
    script = source_dir("train.py", "from azureml.core import Run\nRun.get_context().log('ok', 1)\n")
    environment = _environment("sdk", ["azureml-core==1.61.0", setuptools])
    run = experiment.submit(ScriptRunConfig(script, "train.py", environment=environment))
    assert run.wait_for_completion(raise_on_error=False)["status"] == status
    log = run.get_details_with_logs()["logFiles"]["azureml-logs/70_driver_log.txt"]
    assert ("No module named 'pkg_resources'" in log) is (status == "Failed")
