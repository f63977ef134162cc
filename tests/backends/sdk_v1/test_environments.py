"""The registered environments, from their files; runs the step code under the emulator's import hook."""

from __future__ import annotations

import shutil

import pytest

from emulator import hook


@pytest.fixture
def environments(emulator_backend):
    with hook.azureml_emulated():
        from backends.sdk_v1 import environments

        yield environments


def test_an_environment_never_registered_fails_offline_as_on_azure(environments, emulator_backend, tmp_path):
    from emulator.core import Workspace

    fresh = Workspace("sub", "rg", "fresh-workspace")
    with pytest.raises(Exception, match="duel-training"):
        environments.registered(fresh, environments.TRAINING)


def test_the_backend_registers_both_files_and_jobs_take_them_by_name(environments, emulator_backend):
    training = environments.registered(emulator_backend.workspace, environments.TRAINING)
    assert "torch==2.13.0" in list(training.python.conda_dependencies.pip_packages)
    assert "cuda" in training.docker.base_image
    serving = environments.registered(emulator_backend.workspace, environments.SERVING)
    assert "onnxruntime==1.31.1" in list(serving.python.conda_dependencies.pip_packages)


def test_a_changed_file_is_a_new_version_and_an_unchanged_one_is_not(
    environments, emulator_backend, tmp_path, monkeypatch
):
    folder = tmp_path / "environments"
    shutil.copytree(environments.FOLDER, folder)
    monkeypatch.setattr(environments, "FOLDER", folder)
    before = environments.register_all(emulator_backend.workspace)
    assert environments.register_all(emulator_backend.workspace) == before
    (folder / "serving.yml").write_text((folder / "serving.yml").read_text().replace("1.31.1", "1.31.0"))
    after = environments.register_all(emulator_backend.workspace)
    assert after["duel-training"] == before["duel-training"]
    assert int(after["duel-serving"]) == int(before["duel-serving"]) + 1
