"""``emulator runs compare`` and ``emulator models promote`` against a real workspace."""

from __future__ import annotations

from typer.testing import CliRunner

from emulator.cli import app
from emulator.core import Model

runner = CliRunner()


def invoke(workspace, *args):
    return runner.invoke(
        app, [*args, "--workspace", workspace.name], catch_exceptions=False, env={"COLUMNS": "200"}
    )


def _finished(experiment, tmp_path, **metrics):
    run = experiment.start_logging()
    for name, value in metrics.items():
        for item in value if isinstance(value, list) else [value]:
            run.log(name, item)
    (tmp_path / "model.pkl").write_bytes(b"weights of " + run.id.encode())
    run.upload_file("outputs/model.pkl", str(tmp_path / "model.pkl"))
    run.complete()
    return run


def test_compare_puts_metrics_side_by_side_with_gaps_marked(workspace, experiment, tmp_path):
    first = _finished(experiment, tmp_path, MAE=31000.5, R2=0.81)
    second = _finished(experiment, tmp_path, MAE=29000.25, val_mae=[40000.0, 35000.0, 33000.0])
    first.log_list("percentiles", [1.0, 2.0, 3.0])
    result = invoke(workspace, "runs", "compare", first.id, second.id)
    assert result.exit_code == 0, result.output
    lines = {line.split("│")[1].strip(): line for line in result.output.splitlines() if line.count("│") >= 3}
    assert "31,000.5" in lines["MAE"] and "29,000.2" in lines["MAE"]
    assert "0.81" in lines["R2"] and "-" in lines["R2"].split("│")[3]
    assert "33,000 (last of 3)" in lines["val_mae"]
    assert lines["status"].count("Completed") == 2
    assert "<list of 3>" in lines["percentiles"]  # a list is not a series of values


def test_compare_needs_two_runs_and_names_an_unknown_one(workspace, experiment, tmp_path):
    run = _finished(experiment, tmp_path, MAE=1.0)
    assert "at least two run ids" in invoke(workspace, "runs", "compare", run.id).output
    result = invoke(workspace, "runs", "compare", run.id, "no-such-run")
    assert result.exit_code == 1 and "no-such-run" in result.output and "not found" in result.output


def test_promote_registers_the_artifact_as_a_new_model_version(workspace, experiment, tmp_path):
    first, second = _finished(experiment, tmp_path, MAE=2.0), _finished(experiment, tmp_path, MAE=1.0)
    for run in (first, second):
        result = invoke(
            workspace, "models", "promote", run.id, "--artifact-path", "outputs/model.pkl", "--name", "rf"
        )
        assert result.exit_code == 0, result.output
    model = Model(workspace, "rf")
    assert (model.version, model.run_id, model.tags["promoted_from"]) == (2, second.id, second.id)
    path = model.download(str(tmp_path / "got"), exist_ok=True)
    assert open(path, "rb").read() == b"weights of " + second.id.encode()


def test_promote_of_a_missing_artifact_is_a_one_line_error(workspace, experiment, tmp_path):
    run = _finished(experiment, tmp_path, MAE=1.0)
    result = invoke(
        workspace, "models", "promote", run.id, "--artifact-path", "outputs/nope.pkl", "--name", "rf"
    )
    assert result.exit_code == 1 and "nope.pkl" in result.output
