"""A workspace holding a real small sweep, a real AutoML run and a run that logged an image, and the
studio served over it by the real ``emulator studio`` command."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from training.schema import LABEL

REPO = Path(__file__).resolve().parents[3]
WORKSPACE = "studio-ws"
TRIAL_SCRIPT = textwrap.dedent(
    """
    import argparse
    import time

    from azureml.core import Run

    parser = argparse.ArgumentParser()
    parser.add_argument("--quality", type=float, required=True)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--sleep", type=float, default=0.0)
    args = parser.parse_args()
    run = Run.get_context()
    for epoch in range(1, args.epochs + 1):
        run.log("score", args.quality * epoch, step=epoch)
        time.sleep(args.sleep)
    """
)


@dataclass(frozen=True)
class StudioWorkspace:
    home: Path
    workspace: object  # emulator.core.Workspace, bound to ``home`` whatever a test's environment says
    sweep_id: str
    trial_ids: tuple[str, ...]
    bandit_id: str  # a sweep whose Bandit policy cancels the weak trial
    bandit_trial_ids: tuple[str, ...]
    automl_id: str
    automl_child_ids: tuple[str, ...]
    image_run_id: str

    @property
    def all_run_ids(self) -> list[str]:
        return [
            self.sweep_id,
            *self.trial_ids,
            self.bandit_id,
            *self.bandit_trial_ids,
            self.automl_id,
            *self.automl_child_ids,
            self.image_run_id,
        ]


def _image_run(experiment, folder: Path) -> str:
    """A run logged from this process: a loss curve over steps, a table, an image and a model file."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    run = experiment.start_logging(display_name="hand-made")
    for step in range(5):
        run.log("loss", 1.0 / (step + 1), step=step)
    run.log("mae", 41234.5)
    run.log_table("errors", {"bucket": ["low", "high"], "count": [3, 5]})
    figure, axes = plt.subplots(figsize=(4, 3))
    axes.plot([0, 1, 2], [2, 1, 3])
    run.log_image("residual_plot", plot=figure)
    plt.close(figure)
    model = folder / "model.pkl"
    model.write_bytes(b"not really a model, but a file to register")
    run.upload_file("outputs/model.pkl", str(model))
    run.tag("owner", "studio-tests")
    run.complete()
    return run.id


@pytest.fixture(scope="session")
def studio_workspace(tmp_path_factory, housing) -> StudioWorkspace:
    """Made once per session with tiny budgets: two small grid sweeps (one with a Bandit policy) and a
    2-algorithm AutoML run, all at once."""
    from emulator.core import Experiment, ScriptRunConfig, Workspace
    from emulator.train.automl import AutoMLConfig
    from emulator.train.hyperdrive import (
        BanditPolicy,
        GridParameterSampling,
        HyperDriveConfig,
        PrimaryMetricGoal,
        choice,
    )

    home = tmp_path_factory.mktemp("studio-home")
    source = tmp_path_factory.mktemp("studio-source")
    (source / "trial.py").write_text(TRIAL_SCRIPT)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DUEL_EMULATOR_HOME", str(home))
        patch.delenv("AZUREML_RUN_ID", raising=False)
        workspace = Workspace("sub", "rg", WORKSPACE)

        def grid(qualities, *arguments, **settings):
            return HyperDriveConfig(
                run_config=ScriptRunConfig(
                    source_directory=str(source), script="trial.py", arguments=list(arguments)
                ),
                hyperparameter_sampling=GridParameterSampling({"--quality": choice(*qualities)}),
                primary_metric_name="score",
                primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
                max_total_runs=len(qualities),
                max_concurrent_runs=len(qualities),
                **settings,
            )

        sweep = Experiment(workspace, "studio-sweep").submit(grid((1, 2, 3)))
        # quality 1 trails quality 4 by far more than the slack at every interval from the second on
        bandit = Experiment(workspace, "studio-bandit").submit(
            grid(
                (1, 4),
                "--epochs",
                "8",
                "--sleep",
                "0.5",
                policy=BanditPolicy(slack_factor=0.1, evaluation_interval=1, delay_evaluation=2),
            )
        )
        automl = Experiment(workspace, "studio-automl").submit(
            AutoMLConfig(
                task="regression",
                primary_metric="normalized_mean_absolute_error",
                training_data=housing.sample(800, random_state=0).reset_index(drop=True),
                label_column_name=LABEL,
                allowed_models=["ElasticNet", "DecisionTree"],
                iterations=2,
                max_concurrent_iterations=2,
                enable_voting_ensemble=False,
                enable_stack_ensemble=False,
                experiment_timeout_minutes=15,
                model_explainability=True,
            )
        )
        image_run_id = _image_run(Experiment(workspace, "studio-manual"), source)
        for run in (sweep, bandit):
            run.wait_for_completion()
        automl.wait_for_completion(show_output=False)

    def children(run):
        return tuple(sorted(c.id for c in run.get_children()))

    return StudioWorkspace(
        home,
        workspace,
        sweep.id,
        children(sweep),
        bandit.id,
        children(bandit),
        automl.id,
        children(automl),
        image_run_id,
    )


@dataclass(frozen=True)
class Studio:
    url: str
    process: subprocess.Popen
    log: Path


def start_studio(home: Path, log: Path, *args: str) -> Studio:
    """``emulator studio --port 0`` as a real process; its address is read from its first line."""
    env = {**os.environ, "DUEL_EMULATOR_HOME": str(home), "PYTHONPATH": str(REPO)}
    env.pop("AZUREML_RUN_ID", None)
    handle = log.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "studio", *args, "--port", "0"],
        cwd=log.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=handle,
        text=True,
    )
    line = process.stdout.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
    if not match:
        process.kill()
        pytest.fail(f"emulator studio did not announce its address: {line!r}\n{log.read_text()}")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(match[1] + "api/workspace", timeout=2).status_code == 200:
                return Studio(match[1], process, log)
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    pytest.fail(f"the studio did not answer at {match[1]}:\n{log.read_text()}")


def stop_studio(studio: Studio) -> None:
    studio.process.terminate()
    try:
        studio.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        studio.process.kill()
        studio.process.wait()
    studio.process.stdout.close()


@pytest.fixture(scope="session")
def studio(studio_workspace, tmp_path_factory) -> Studio:
    """The studio of the session's workspace, served by the CLI until the session ends."""
    running = start_studio(
        studio_workspace.home, tmp_path_factory.mktemp("studio-log") / "studio.log", "--workspace", WORKSPACE
    )
    yield running
    stop_studio(running)


@pytest.fixture
def serve_studio(tmp_path):
    """``serve_studio(home, workspace_name)`` starts a studio for this test only; it is stopped after."""
    started = []

    def serve(home: Path, workspace_name: str) -> Studio:
        started.append(
            start_studio(home, tmp_path / f"studio-{len(started)}.log", "--workspace", workspace_name)
        )
        return started[-1]

    yield serve
    for running in started:
        stop_studio(running)


def act_as_page(client: httpx.Client) -> httpx.Client:
    """Make ``client`` act as the studio's page: it loads the page (so holds its token and cookie)
    and sends writes from the studio's own origin."""
    page = client.get("/")
    token = re.search(r'name="studio-token" content="([^"]+)"', page.text)[1]
    client.headers.update({"X-Studio-Token": token, "Origin": str(client.base_url).rstrip("/")})
    return client


@pytest.fixture(scope="session")
def as_page():
    """:func:`act_as_page`, for tests (the test folders are not packages)."""
    return act_as_page
