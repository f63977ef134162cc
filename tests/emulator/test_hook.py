"""The import hook: plain SDK v1 code resolves to the emulator, and only while the hook is on."""

from __future__ import annotations

import sys

import pytest

from emulator import hook

SDK_SCRIPT = """
from azureml.core import Experiment, Model, Run, Workspace
from azureml.core.run import Run as RunFromSubmodule
from azureml.exceptions import UserErrorException

ws = Workspace("sub", "rg", "plain-sdk")
exp = Experiment(workspace=ws, name="notebook")
run = exp.start_logging()
run.log("alpha", 0.1)
with run.child_run(name="fold-1") as child:
    child.log("mae", 30000.0)
with open("model.txt", "w") as f:
    f.write("w")
run.upload_file("outputs/model.txt", "model.txt")
model = run.register_model("plain-model", "outputs/model.txt", tags={"from": "sdk"})
run.complete()
assert RunFromSubmodule is Run
print(run.get_status(), model.version, Model(ws, "plain-model").tags["from"], run.get_metrics(recursive=True)[child.id]["mae"])
"""


def test_unmodified_sdk_script_runs_under_the_emulator(tmp_path, run_python):
    script = tmp_path / "notebook.py"
    script.write_text(SDK_SCRIPT)
    result = run_python("from emulator.cli import main; main()", "run", str(script), cwd=tmp_path)
    assert result.stdout.split() == ["Completed", "1", "sdk", "30000.0"]


def test_unmodified_sdk_module_runs_under_the_emulator_as_python_m_runs_it(tmp_path, run_python):
    package = tmp_path / "jobs"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "notebook.py").write_text(SDK_SCRIPT)
    result = run_python("from emulator.cli import main; main()", "run", "-m", "jobs.notebook", cwd=tmp_path)
    assert result.stdout.split() == ["Completed", "1", "sdk", "30000.0"]


def test_run_takes_a_script_or_a_module_not_both(tmp_path, run_python):
    script = tmp_path / "notebook.py"
    script.write_text(SDK_SCRIPT)
    result = run_python(
        "from emulator.cli import main; main()", "run", str(script), "-m", "x", check=False, cwd=tmp_path
    )
    assert result.returncode != 0 and "either a SCRIPT or -m MODULE" in result.stdout + result.stderr


def test_hook_serves_submodule_paths_with_sdk_names(azureml_emulated):
    from azureml.core.compute import AmlCompute, ComputeTarget
    from azureml.core.compute_target import ComputeTargetException
    from azureml.core.conda_dependencies import CondaDependencies
    from azureml.core.runconfig import PyTorchConfiguration, RunConfiguration
    from azureml.data.dataset_factory import TabularDatasetFactory

    import emulator.core.compute as compute

    assert (ComputeTarget, AmlCompute) == (compute.ComputeTarget, compute.AmlCompute)
    assert ComputeTargetException.__module__ == "emulator.exceptions"
    assert {CondaDependencies.__module__, RunConfiguration.__module__, PyTorchConfiguration.__module__} == {
        "emulator.core.conda_dependencies",
        "emulator.core.runconfig",
    }
    assert TabularDatasetFactory.__name__ == "TabularDatasetFactory"


def test_unknown_azureml_module_is_refused_with_a_clear_error(azureml_emulated):
    with pytest.raises(ModuleNotFoundError, match="emulator does not provide it"):
        import azureml.pipeline.core  # noqa: F401


def test_uninstall_removes_the_aliases():
    with hook.azureml_emulated():
        import azureml.core  # noqa: F401

        assert "azureml.core" in sys.modules
    assert not hook.installed()
    assert "azureml.core" not in sys.modules


def test_real_modules_are_set_aside_and_restored(monkeypatch):
    sentinel = type(sys)("azureml.core")
    monkeypatch.setitem(sys.modules, "azureml.core", sentinel)
    with hook.azureml_emulated():
        import azureml.core

        assert azureml.core is not sentinel
    assert sys.modules["azureml.core"] is sentinel


def test_azure_response_class_resolves_to_the_emulators_under_the_hook():
    from emulator.serving.aml_response import AMLResponse as Emulated

    with hook.azureml_emulated():
        from azureml.contrib.services.aml_response import AMLResponse

        assert AMLResponse is Emulated
        refusal = AMLResponse({"message": "no \ud800"}, 400, json_str=True)
    assert refusal.status_code == 400 and refusal.get_data() == b'{"message": "no \\ud800"}'
