"""Model registry: versions, filters, downloads, registration from a run, concurrency."""

from __future__ import annotations

import subprocess
import sys

import pytest

from emulator.core import Model
from emulator.exceptions import (
    ModelNotFoundException,
    ModelPathNotFoundException,
    UserErrorException,
    WebserviceException,
)


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "model.onnx"
    path.write_bytes(b"onnx-bytes")
    return path


def test_versions_count_up_and_name_resolves_to_latest(workspace, model_file):
    first = Model.register(workspace, str(model_file), "housing", tags={"stage": "challenger"})
    second = Model.register(workspace, str(model_file), "housing", model_framework=Model.Framework.ONNX)
    assert (first.version, second.version) == (1, 2)
    assert Model(workspace, "housing").version == 2
    assert Model(workspace, "housing", version=1).tags == {"stage": "challenger"}
    assert Model(workspace, id="housing:1").id == "housing:1"
    assert workspace.models["housing"].version == 2


def test_list_filters_by_tags_properties_framework_and_latest(workspace, model_file):
    Model.register(workspace, str(model_file), "a", tags={"champion": "yes"}, properties={"mae": "30000"})
    Model.register(workspace, str(model_file), "a", model_framework="Onnx")
    Model.register(workspace, str(model_file), "b")
    assert [m.id for m in Model.list(workspace, name="a")] == ["a:2", "a:1"]
    assert [m.id for m in Model.list(workspace, tags=["champion"])] == ["a:1"]
    assert [m.id for m in Model.list(workspace, tags=[["champion", "no"]])] == []
    assert [m.id for m in Model.list(workspace, properties=[["mae", "30000"]])] == ["a:1"]
    assert [m.id for m in Model.list(workspace, model_framework="Onnx")] == ["a:2"]
    assert [m.id for m in Model.list(workspace, latest=True)] == ["a:2", "b:1"]


def test_missing_model_and_bad_input_raise_sdk_errors(workspace, model_file):
    with pytest.raises(ModelNotFoundException, match="ModelNotFound"):
        Model(workspace, "absent")
    with pytest.raises(WebserviceException, match="cannot be found"):
        Model.register(workspace, "no/such/file", "x")
    with pytest.raises(UserErrorException, match="Invalid model name"):
        Model.register(workspace, str(model_file), "bad name!")


def test_download_copies_files_and_refuses_to_overwrite(workspace, model_file, tmp_path):
    model = Model.register(workspace, str(model_file), "m")
    target = tmp_path / "out"
    path = model.download(str(target))
    assert open(path, "rb").read() == b"onnx-bytes"
    with pytest.raises(WebserviceException, match="already exists"):
        model.download(str(target))
    assert model.download(str(target), exist_ok=True) == path


def test_folder_models_keep_their_layout(workspace, tmp_path):
    folder = tmp_path / "mlp"
    (folder / "weights").mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    (folder / "weights" / "w.pt").write_bytes(b"w")
    model = Model.register(workspace, str(folder), "mlp")
    assert sorted(
        p.relative_to(model._local_path).as_posix() for p in model._local_path.rglob("*") if p.is_file()
    ) == [
        "config.json",
        "weights/w.pt",
    ]
    assert Model.get_model_path("mlp", _workspace=workspace) == str(model._local_path)


def test_get_model_path_reads_azureml_model_dir(tmp_path, monkeypatch):
    (tmp_path / "model.onnx").write_bytes(b"x")
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(tmp_path))
    assert Model.get_model_path("model.onnx") == str(tmp_path / "model.onnx")
    monkeypatch.delenv("AZUREML_MODEL_DIR")
    monkeypatch.chdir(tmp_path / "..")
    with pytest.raises(ModelPathNotFoundException):
        Model.get_model_path("nothing-here")


def test_run_register_model_takes_the_run_artifacts(experiment, model_file):
    run = experiment.start_logging()
    run.upload_file("outputs/model/model.onnx", str(model_file))
    run.upload_file("outputs/model/meta.json", str(model_file))
    model = run.register_model("from-run", "outputs/model", tags={"run": "yes"})
    assert model.run_id == run.id
    assert sorted(p.name for p in model._local_path.iterdir()) == ["meta.json", "model.onnx"]
    with pytest.raises(ModelPathNotFoundException, match="outputs/nothing"):
        run.register_model("x", "outputs/nothing")


def test_tags_and_properties_persist(workspace, model_file):
    model = Model.register(workspace, str(model_file), "m", properties={"mae": "1"})
    model.add_tags({"stage": "prod"})
    model.remove_tags(["stage"])
    model.add_tags({"owner": "duel"})
    model.add_properties({"rmse": "2"})
    with pytest.raises(WebserviceException, match="immutable"):
        model.add_properties({"mae": "5"})
    reread = Model(workspace, "m")
    assert (reread.tags, reread.properties) == ({"owner": "duel"}, {"mae": "1", "rmse": "2"})
    reread.delete()
    with pytest.raises(ModelNotFoundException):
        Model(workspace, "m")


def test_concurrent_registrations_get_distinct_versions(workspace, model_file):
    """16 processes register the same name at once: versions 1..16, each exactly once."""
    code = (
        "import sys; from emulator.core import Workspace, Model; "
        f"print(Model.register(Workspace('s', 'rg', {workspace.name!r}), {str(model_file)!r}, 'race').version)"
    )
    processes = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE) for _ in range(16)]
    versions = sorted(int(p.communicate(timeout=120)[0]) for p in processes)
    assert versions == list(range(1, 17))
    assert sorted(m.version for m in Model.list(workspace, name="race")) == versions
    assert all(m._local_path.read_bytes() == b"onnx-bytes" for m in Model.list(workspace, name="race"))
