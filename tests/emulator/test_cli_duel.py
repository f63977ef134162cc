"""The ``emulator`` command on a workspace a duel leaves behind: a real sweep, a real AutoML job, models.

One module-scoped home holds an older workspace and the duel's; every test reads it through the CLI.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import click
import pytest
import typer
from typer.testing import CliRunner

from emulator.cli import app
from emulator.core import Experiment, Model, ScriptRunConfig, Workspace
from emulator.train.automl import AutoMLConfig
from emulator.train.hyperdrive import GridParameterSampling, HyperDriveConfig, PrimaryMetricGoal, choice
from training.schema import LABEL

REPO = Path(__file__).resolve().parents[2]

PRIMARY = "normalized_mean_absolute_error"
runner = CliRunner()

TRIAL = """
import argparse
from azureml.core import Run

parser = argparse.ArgumentParser()
parser.add_argument("--width", type=int)
args = parser.parse_args()
run = Run.get_context()
for epoch in range(4):
    run.log("val_mae", 100.0 / args.width + epoch)  # per epoch, no step: as training/train_mlp.py logs
    run.log("train_loss", 1.0 / (epoch + 1))
run.log("MAE", 100.0 / args.width)
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory, housing):
    """An emulator home with workspace ``older`` (one run) and ``duel`` (a sweep, AutoML, a model)."""
    folder = tmp_path_factory.mktemp("duel-home")
    source = tmp_path_factory.mktemp("trial")
    (source / "trial.py").write_text(textwrap.dedent(TRIAL))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DUEL_EMULATOR_HOME", str(folder))
        patch.delenv("AZUREML_RUN_ID", raising=False)
        Experiment(Workspace("sub", "rg", "older"), "old").start_logging().complete()
        time.sleep(0.05)
        duel = Workspace("sub", "rg", "duel")
        sweep = Experiment(duel, "housing-hyperdrive").submit(
            HyperDriveConfig(
                run_config=ScriptRunConfig(source_directory=str(source), script="trial.py"),
                hyperparameter_sampling=GridParameterSampling({"--width": choice(32, 64)}),
                primary_metric_name="MAE",
                primary_metric_goal=PrimaryMetricGoal.MINIMIZE,
                max_total_runs=2,
                max_concurrent_runs=2,
            )
        )
        automl = Experiment(duel, "housing-automl").submit(
            AutoMLConfig(
                task="regression",
                primary_metric=PRIMARY,
                training_data=housing.sample(600, random_state=0).reset_index(drop=True),
                label_column_name=LABEL,
                allowed_models=["ElasticNet", "DecisionTree"],
                iterations=2,
                experiment_timeout_minutes=15,
                enable_stack_ensemble=False,
                enable_voting_ensemble=False,
            )
        )
        sweep.wait_for_completion()
        automl.wait_for_completion()
        best = sweep.get_best_run_by_primary_metric()
        weights = folder / "model.onnx"
        weights.write_bytes(b"onnx")
        # The duel registers its ONNX copy from a file: the run is named only by a tag.
        Model.register(duel, str(weights), "housing-price", tags={"training_run_id": best.id})
    return {"folder": folder, "sweep": sweep, "automl": automl, "best": best}


def cli(home, *args: str):
    result = runner.invoke(app, ["--home", str(home["folder"]), *args], catch_exceptions=False)
    return result


def all_run_ids(home) -> list[str]:
    return [r.id for parent in (home["sweep"], home["automl"]) for r in (parent, *parent.get_children())]


def test_several_workspaces_pick_the_one_with_the_latest_run_and_say_so_on_stderr(home):
    result = cli(home, "runs", "list")
    assert result.exit_code == 0, result.output
    assert "using workspace duel (latest run)" in result.stderr and "older" in result.stderr
    assert home["sweep"].id in result.stdout and "old_" not in result.stdout


def test_runs_list_prints_whole_ids_of_parents_and_children(home):
    listed = cli(home, "runs", "list", "--children", "-w", "duel").stdout
    for run_id in all_run_ids(home):
        assert re.search(rf"\b{re.escape(run_id)}\b", listed), run_id


def test_runs_list_json_holds_every_field_with_full_ids(home):
    rows = json.loads(cli(home, "runs", "list", "--children", "-o", "json", "-w", "duel").stdout)
    assert sorted(r["run_id"] for r in rows) == sorted(all_run_ids(home))
    child = next(r for r in rows if r["parent_id"] == home["sweep"].id)
    assert child["status"] == "Completed" and child["start_time"].endswith("+00:00")


def test_wide_view_adds_run_numbers_and_end_times(home):
    wide = cli(home, "runs", "list", "--wide", "-w", "duel").stdout
    assert "ended" in wide and "#" in wide and home["automl"].id in wide


def test_a_unique_prefix_names_a_run_everywhere(home):
    automl, sweep = home["automl"], home["sweep"]
    shown = cli(home, "runs", "show", automl.id[:12])
    assert shown.exit_code == 0 and f"Run {automl.id}" in shown.stdout
    target = home["folder"] / "downloaded"
    downloaded = cli(home, "runs", "download", automl.id[:10], "-o", str(target))
    assert downloaded.exit_code == 0 and any(target.rglob("*"))
    # A prefix of a sweep's id also starts its trials' ids (HD_<uuid>_0): it names the sweep.
    assert f"Run {sweep.id}" in cli(home, "runs", "show", sweep.id[:10]).stdout


def test_an_ambiguous_prefix_is_an_error_listing_the_candidates(home):
    result = cli(home, "runs", "show", home["sweep"].id + "_")
    assert result.exit_code == 1
    assert "ambiguous" in result.stderr
    for child in home["sweep"].get_children():
        assert child.id in result.stderr


def test_an_unknown_id_says_nothing_starts_with_it(home):
    result = cli(home, "runs", "metrics", "HD_no-such-run")
    assert result.exit_code == 1 and "'HD_no-such-run' not found" in result.stderr


def test_runs_metrics_numbers_the_steps_of_a_per_epoch_metric(home):
    trial = home["best"]
    rows = json.loads(cli(home, "runs", "metrics", trial.id, "-o", "json").stdout)
    assert [r["step"] for r in rows if r["name"] == "val_mae"] == [0, 1, 2, 3]
    assert [r["step"] for r in rows if r["name"] == "MAE"] == [None]
    table = cli(home, "runs", "metrics", trial.id).stdout
    assert re.search(r"val_mae\s*│\s*3\s*│", table)


def test_child_tree_names_algorithms_and_shows_only_the_primary_metric(home):
    automl = cli(home, "runs", "show", home["automl"].id).stdout
    assert "ElasticNet" in automl and "DecisionTree" in automl
    tree = automl[automl.index(f"{home['automl'].id} Completed") :]
    assert f"{PRIMARY}=" in tree and "r2_score" not in tree and "spearman_correlation" not in tree


def test_sweep_tree_shows_each_trials_hyperparameters_and_primary_metric(home):
    sweep = cli(home, "runs", "show", home["sweep"].id).stdout
    tree = sweep[sweep.index(f"{home['sweep'].id} Completed") :]
    assert "width=32" in tree and "width=64" in tree
    assert "MAE=" in tree and "val_mae" not in tree and "train_loss" not in tree


def test_models_list_takes_the_run_id_from_the_training_run_id_tag(home):
    rows = json.loads(cli(home, "models", "list", "-o", "json", "-w", "duel").stdout)
    assert [(r["id"], r["run_id"]) for r in rows] == [("housing-price:1", home["best"].id)]
    table = cli(home, "models", "list", "-w", "duel").stdout
    assert re.search(rf"│ {re.escape(home['best'].id)}\s*│", table)


def test_models_download_takes_a_name_prefix_or_name_and_version(home, tmp_path):
    by_prefix = cli(home, "models", "download", "housing-p", "-w", "duel", "-o", str(tmp_path / "a"))
    by_id = cli(home, "models", "download", "housing-price:1", "-w", "duel", "-o", str(tmp_path / "b"))
    assert by_prefix.exit_code == 0 and by_id.exit_code == 0
    assert (
        (tmp_path / "a" / "model.onnx").read_bytes()
        == (tmp_path / "b" / "model.onnx").read_bytes()
        == b"onnx"
    )
    assert cli(home, "models", "download", "housing-price:x", "-w", "duel").exit_code == 1


def _commands(command: click.Command, path: tuple[str, ...] = ()):
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


def test_help_of_every_command_has_no_type_placeholders():
    for path, _ in _commands(typer.main.get_command(app)):
        text = runner.invoke(app, [*path, "--help"]).output
        assert not re.search(r"<\w+>|\{\w+\}", text), f"emulator {' '.join(path)} --help:\n{text}"


def test_inside_a_checkout_its_own_emulator_home_is_used(home, tmp_path, monkeypatch):
    checkout = tmp_path / "checkout"
    shutil.copytree(home["folder"] / "older", checkout / ".duel" / "emulator" / "older")
    (checkout / "src").mkdir()
    monkeypatch.chdir(checkout / "src")
    monkeypatch.delenv("DUEL_EMULATOR_HOME")
    monkeypatch.delenv("AZUREML_ARM_WORKSPACE_NAME", raising=False)
    result = runner.invoke(app, ["experiments"], catch_exceptions=False)
    assert result.exit_code == 0 and "old" in result.stdout


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_runs_list_in_a_140_column_terminal_keeps_ids_whole(home):
    """The default view, in a real terminal (a tmux pane 140 columns wide), prints every id whole."""
    socket, done = f"cli-{uuid.uuid4().hex[:8]}", f"done-{uuid.uuid4().hex[:8]}"
    command = (
        f"cd {REPO} && PYTHONPATH={REPO} DUEL_EMULATOR_HOME={home['folder']} "
        f"{sys.executable} -m emulator runs list --children -w duel; tmux -L {socket} wait-for -S {done}"
    )
    tmux = ["tmux", "-L", socket]
    subprocess.run([*tmux, "new-session", "-d", "-x", "140", "-y", "60", "bash", "--norc"], check=True)
    try:
        subprocess.run([*tmux, "send-keys", command, "Enter"], check=True)
        subprocess.run([*tmux, "wait-for", done], check=True, timeout=120)
        screen = subprocess.run(
            [*tmux, "capture-pane", "-p"], check=True, capture_output=True, text=True
        ).stdout
    finally:
        subprocess.run([*tmux, "kill-server"], check=False)
    assert "│" in screen and max(len(line) for line in screen.splitlines()) <= 140
    for run_id in all_run_ids(home):
        assert re.search(rf"│ {re.escape(run_id)}\s+│", screen), f"{run_id} not whole in:\n{screen}"
