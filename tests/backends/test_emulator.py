"""The emulator backend: the SDK v1 steps on an emulated workspace chosen without touching os.environ."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from backends import open_backend
from backends.messages import DatasetUpload, Deployment, ModelUpload
from tasks.settings import DuelSettings


def _upload(tmp_path, name: str, text: str = "a,b\n1,2\n") -> ModelUpload:
    path = tmp_path / f"{name}.txt"
    path.write_text(text)
    return ModelUpload(str(path), name, {"format": "txt"}, {"origin": "test"}, "a file", "Custom", "1")


def test_the_workspace_lives_under_the_settings_home_without_writing_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DUEL_EMULATOR_HOME", str(tmp_path / "elsewhere"))
    from emulator import hook

    try:
        backend = open_backend(DuelSettings(backend="emulator", emulator_home=tmp_path / "chosen"))
        assert (tmp_path / "chosen" / "duel" / "workspace.json").is_file()
        assert os.environ["DUEL_EMULATOR_HOME"] == str(tmp_path / "elsewhere")
        assert backend.identity == f"emulator:{(tmp_path / 'chosen' / 'duel').resolve()}"
    finally:
        hook.uninstall()


def test_a_registered_split_reads_back_with_the_same_values_and_missing_cells(emulator_backend, tmp_path):
    frame = pd.DataFrame(
        {"row_id": [7, 3, 11], "x": [0.1, np.nan, 1e-17], "city": ["NEAR BAY", "INLAND", np.nan]}
    )
    path = tmp_path / "part.csv"
    frame.to_csv(path, index=False)
    ref = emulator_backend.register_dataset(DatasetUpload(str(path), "part", "three rows", {"k": "v"}))
    assert (ref.name, ref.version) == ("part", 1)
    pd.testing.assert_frame_equal(emulator_backend.read_dataset(ref), frame)


def test_new_content_under_the_same_name_is_a_new_version(emulator_backend, tmp_path):
    path = tmp_path / "part.csv"
    versions = []
    for rows in ("a\n1\n", "a\n1\n", "a\n2\n"):
        path.write_text(rows)
        versions.append(emulator_backend.register_dataset(DatasetUpload(str(path), "part", "d")).version)
    assert versions == [1, 1, 2]


def test_an_old_split_version_still_reads_its_old_rows_after_a_new_one_is_registered(
    emulator_backend, tmp_path
):
    # A registered version reads whatever is at its path (as on Azure): each version needs a path of its own.
    path = tmp_path / "part.csv"
    path.write_text("a\n1\n2\n")
    old = emulator_backend.register_dataset(DatasetUpload(str(path), "part", "old rows"))
    path.write_text("a\n3\n")
    new = emulator_backend.register_dataset(DatasetUpload(str(path), "part", "new rows"))
    assert (old.version, new.version) == (1, 2)
    assert emulator_backend.read_dataset(old)["a"].tolist() == [1, 2]
    assert emulator_backend.read_dataset(new)["a"].tolist() == [3]


def test_models_are_found_by_tag_and_retagged(emulator_backend, tmp_path):
    first = emulator_backend.register_model(_upload(tmp_path, "m"))
    second = emulator_backend.register_model(_upload(tmp_path, "m"))
    emulator_backend.add_model_tags(first, {"champion": "true"})
    assert [m.ref for m in emulator_backend.find_models("m", {"champion": "true"})] == [first.ref]
    moved = emulator_backend.add_model_tags(second, {"champion": "true"})
    emulator_backend.add_model_tags(first, {"champion": "false"})
    assert moved.tags["champion"] == "true"
    assert [m.ref for m in emulator_backend.find_models("m", {"champion": "true"})] == ["m:2"]
    downloaded = emulator_backend.download_model(second, tmp_path / "down")
    assert downloaded.read_text() == "a,b\n1,2\n"


def test_an_unknown_backend_is_refused_by_name():
    class Settings:
        backend = "gcp"

    with pytest.raises(ValueError, match="unknown backend 'gcp'"):
        open_backend(Settings())


def test_deploying_a_model_that_was_never_registered_fails_naming_it(emulator_backend, tmp_path):
    with pytest.raises(Exception, match="ghost"):
        emulator_backend.deploy(Deployment("svc", ("ghost:1",), "score.py", str(tmp_path), "local"))


def test_run_links_point_where_the_studio_command_serves_by_default(emulator_backend):
    import inspect

    from emulator.cli import studio

    port = inspect.signature(studio).parameters["port"].default
    assert emulator_backend.run_urls(("HD_1_0",)) == {"HD_1_0": f"http://127.0.0.1:{port}/#/runs/HD_1_0"}
