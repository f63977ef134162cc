"""The ``emulator`` command against a real workspace."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from emulator.cli import app
from emulator.core import Model

runner = CliRunner()


@pytest.fixture
def finished_run(experiment, tmp_path):
    run = experiment.start_logging()
    run.log("mae", 31000.5)
    child = run.child_run()
    child.log("fold_mae", 29000.0)
    child.complete()
    (tmp_path / "m.txt").write_text("model")
    run.upload_file("outputs/m.txt", str(tmp_path / "m.txt"))
    run.complete()
    return run


def invoke(workspace, *args):
    return runner.invoke(app, [*args, "--workspace", workspace.name], catch_exceptions=False)


def test_runs_list_shows_top_level_runs(workspace, finished_run):
    result = invoke(workspace, "runs", "list")
    assert result.exit_code == 0
    assert "Completed" in result.output and finished_run.experiment.name in result.output


def test_runs_show_prints_metrics_and_child_tree(workspace, finished_run):
    result = invoke(workspace, "runs", "show", finished_run.id)
    assert result.exit_code == 0
    child = next(finished_run.get_children())
    assert "31000.5" in result.output and child.id in result.output and "fold_mae" in result.output


def test_unknown_run_id_is_a_one_line_error(workspace):
    result = invoke(workspace, "runs", "show", "no-such-run")
    assert result.exit_code == 1
    assert "'no-such-run' not found" in result.output


def test_runs_download_and_metrics(workspace, finished_run, tmp_path):
    result = invoke(
        workspace, "runs", "download", finished_run.id, "--prefix", "outputs", "-o", str(tmp_path / "dl")
    )
    assert result.exit_code == 0
    assert (tmp_path / "dl" / "outputs" / "m.txt").read_text() == "model"
    assert "31000.5" in invoke(workspace, "runs", "metrics", finished_run.id).output


def test_models_list_and_download(workspace, tmp_path):
    (tmp_path / "w.bin").write_bytes(b"w")
    Model.register(workspace, str(tmp_path / "w.bin"), "champion", tags={"stage": "prod"})
    assert "champion" in invoke(workspace, "models", "list").output
    result = invoke(workspace, "models", "download", "champion", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0 and (tmp_path / "out" / "w.bin").read_bytes() == b"w"
    assert invoke(workspace, "models", "download", "absent").exit_code == 1


def test_workspace_is_found_without_the_option_when_only_one_exists(
    workspace, finished_run, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AZUREML_ARM_WORKSPACE_NAME", raising=False)
    result = runner.invoke(app, ["experiments"])
    assert result.exit_code == 0 and "tests" in result.output
