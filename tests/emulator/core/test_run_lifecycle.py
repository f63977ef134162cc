"""Run: statuses, metrics, children, tags and properties, artifacts, offline context."""

from __future__ import annotations

import io

import pytest

from emulator.core import Run
from emulator.core._offline import _OfflineRun
from emulator.exceptions import (
    ActivityFailedException,
    RunEnvironmentException,
    UserErrorException,
)


def test_start_logging_run_moves_from_running_to_completed(experiment):
    run = experiment.start_logging()
    assert run.get_status() == "Running"
    run.complete()
    assert run.get_status() == "Completed"
    assert run.get_details()["endTimeUtc"].endswith("Z")


def test_terminal_status_is_final(experiment):
    run = experiment.start_logging()
    run.fail(error_details="boom", error_code="BadThing")
    run.complete()
    assert run.get_status() == "Failed"
    assert run.get_details()["error"]["error"] == {"code": "BadThing", "message": "boom"}


def test_context_manager_fails_the_run_on_exception(experiment):
    with pytest.raises(ValueError), experiment.start_logging() as run:
        raise ValueError("bad input")
    assert run.get_status() == "Failed"
    with pytest.raises(ActivityFailedException, match="bad input"):
        run.wait_for_completion()


def test_metrics_keep_the_sdk_shapes(experiment):
    run = experiment.start_logging()
    run.log("mae", 3.0)
    for step, loss in enumerate([0.9, 0.5, 0.4]):
        run.log("loss", loss, step=step)
    run.log_list("curve", [1, 2, 3])
    run.log_row("table", epoch=1, loss=0.9)
    run.log_row("table", epoch=2, loss=0.5)
    run.log_table("t", {"a": [1, 2], "b": [3, 4]})
    metrics = run.get_metrics()
    assert metrics == {
        "mae": 3.0,
        "loss": [0.9, 0.5, 0.4],
        "curve": [1, 2, 3],
        "table": {"epoch": [1, 2], "loss": [0.9, 0.5]},
        "t": {"a": [1, 2], "b": [3, 4]},
    }
    assert run.get_metrics("mae") == {"mae": 3.0}
    assert [r["step"] for r in run._get_metric_rows("loss")] == [0, 1, 2]


def test_log_refuses_non_scalars_and_bad_steps(experiment):
    run = experiment.start_logging()
    with pytest.raises(UserErrorException, match="log_list"):
        run.log("x", [1, 2])
    with pytest.raises(UserErrorException, match="step"):
        run.log("x", 1.0, step="one")


def test_numpy_scalars_are_logged_as_numbers(experiment):
    import numpy as np

    run = experiment.start_logging()
    run.log("n", np.int64(4))
    run.log("f", np.float32(0.5))
    assert run.get_metrics() == {"n": 4, "f": 0.5}


def test_children_are_listed_filtered_and_recursive(experiment):
    parent = experiment.start_logging()
    first, second = parent.create_children(tag_key="lr", tag_values=["0.1", "0.2"])
    grandchild = first.child_run(name="inner")
    grandchild.log("m", 1)
    assert [c.id for c in parent.get_children()] == [first.id, second.id]
    assert [c.id for c in parent.get_children(tags={"lr": "0.2"})] == [second.id]
    assert {c.id for c in parent.get_children(recursive=True)} == {first.id, second.id, grandchild.id}
    assert parent.get_metrics(recursive=True)[grandchild.id] == {"m": 1}
    assert grandchild.parent.id == first.id


def test_cancel_cascades_to_active_children(experiment):
    parent = experiment.start_logging()
    child = parent.child_run()
    parent.cancel()
    assert (parent.get_status(), child.get_status()) == ("Canceled", "Canceled")


def test_tags_are_mutable_and_properties_are_not(experiment):
    run = experiment.start_logging()
    run.tag("stage", "dev")
    run.set_tags({"stage": "prod", "team": "ml"})
    run.remove_tags(["team"])
    assert run.get_tags() == {"stage": "prod"}
    run.add_properties({"sampler": "random"})
    run.add_properties({"sampler": "random"})
    with pytest.raises(UserErrorException, match="immutable"):
        run.add_properties({"sampler": "grid"})
    assert run.properties == {"sampler": "random"}


def test_artifacts_upload_list_download(experiment, tmp_path):
    run = experiment.start_logging()
    source = tmp_path / "model.txt"
    source.write_text("weights")
    run.upload_file("outputs/model.txt", str(source))
    run.upload_file("outputs/stream.bin", io.BytesIO(b"\x00\x01"))
    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "x.json").write_text("{}")
    run.upload_folder("extra", str(folder))
    assert run.get_file_names() == ["extra/sub/x.json", "outputs/model.txt", "outputs/stream.bin"]
    run.download_file("outputs/model.txt", str(tmp_path / "copy.txt"))
    assert (tmp_path / "copy.txt").read_text() == "weights"
    run.download_files(prefix="outputs", output_directory=str(tmp_path / "dl"))
    assert (tmp_path / "dl" / "outputs" / "stream.bin").read_bytes() == b"\x00\x01"
    with pytest.raises(UserErrorException, match="already exists"):
        run.upload_file("outputs/model.txt", str(source))
    with pytest.raises(UserErrorException, match="was not found"):
        run.download_file("outputs/missing.txt")
    with pytest.raises(UserErrorException, match="relative path"):
        run.upload_file("../escape.txt", str(source))


def test_log_image_stores_the_figure_as_an_artifact(experiment):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    run = experiment.start_logging()
    plt.plot([1, 2, 3])
    run.log_image("curve", plot=plt)
    (name,) = run.get_file_names()
    assert name.startswith("curve_") and name.endswith(".png")
    assert run.get_metrics()["curve"].endswith(name)
    with pytest.raises(UserErrorException):
        run.log_image("curve")


def test_get_and_list_find_runs_by_id_and_filters(workspace, experiment):
    run = experiment.start_logging()
    run.tag("kind", "baseline")
    other = experiment.start_logging()
    other.complete()
    assert Run.get(workspace, run.id) == run
    assert [r.id for r in experiment.get_runs()] == [other.id, run.id]
    assert [r.id for r in Run.list(experiment, tags={"kind": "baseline"})] == [run.id]
    assert [r.id for r in Run.list(experiment, status="Completed")] == [other.id]
    assert run.number == 1 and other.number == 2
    with pytest.raises(UserErrorException, match="not found"):
        Run.get(workspace, "nope")


def test_offline_context_prints_and_has_no_step(capsys):
    run = Run.get_context()
    assert isinstance(run, _OfflineRun)
    run.log("mae", 0.5)
    assert "Attempted to log scalar metric mae:\n0.5" in capsys.readouterr().out
    with pytest.raises(TypeError):
        run.log("mae", 0.5, step=1)
    assert not hasattr(run, "get_metrics")
    with pytest.raises(RunEnvironmentException):
        Run.get_context(allow_offline=False)
