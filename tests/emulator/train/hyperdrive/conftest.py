"""A fresh emulated workspace per test and a toy training script that logs scripted curves."""

from __future__ import annotations

import textwrap

import pytest

TOY_SCRIPT = textwrap.dedent(
    """
    import argparse
    import os
    import time

    from azureml.core import Run

    parser = argparse.ArgumentParser()
    parser.add_argument("--quality", type=float, required=True)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--sleep", type=float, default=0.05)
    args = parser.parse_args()
    run = Run.get_context()
    run.log("parent_pid", os.getppid())  # which process launched the trial (a Dask worker, or the controller)
    for epoch in range(1, args.epochs + 1):
        run.log("score", args.quality * epoch)  # maximize: the best trial has the highest quality
        run.log("loss", abs(args.quality - 2) + 1 / epoch)  # minimize: the best trial has quality 2
        time.sleep(args.sleep)
    """
)


@pytest.fixture
def experiment(tmp_path, monkeypatch):
    monkeypatch.setenv("DUEL_EMULATOR_HOME", str(tmp_path / "home"))
    from emulator.core import Experiment, Workspace

    return Experiment(Workspace("sub", "rg", "hyperdrive-tests"), "sweep")


@pytest.fixture
def toy_source(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    (source / "toy.py").write_text(TOY_SCRIPT)
    return source


@pytest.fixture
def script_config(toy_source):
    from emulator.core import ScriptRunConfig

    def make(*arguments):
        return ScriptRunConfig(source_directory=str(toy_source), script="toy.py", arguments=list(arguments))

    return make
