"""A v2 AutoML regression job over an uploaded MLTable data asset runs on the emulator's AutoML, and
is tagged with its best child as Azure tags it."""

from __future__ import annotations

from emulator.core import Run
from emulator.train import automl  # noqa: F401 (Run.get returns an AutoMLRun)
from tests.emulator.v2.conftest import run_client

_MLTABLE = "paths:\n  - file: ./train.csv\ntransformations:\n  - read_delimited:\n      delimiter: ','\n"


def test_automl_regression_over_an_mltable_asset_names_its_best_child(workspace, v2_shell):
    _, folder = v2_shell
    (folder / "data").mkdir()
    rows = [f"{x},{2 * x + (x % 3)}" for x in range(120)]
    (folder / "data" / "train.csv").write_text("x,y\n" + "\n".join(rows) + "\n")
    (folder / "data" / "MLTable").write_text(_MLTABLE)
    done = run_client(
        v2_shell,
        """
        from azure.ai.ml import Input, automl
        from azure.ai.ml.entities import Data

        data = ml_client.data.create_or_update(Data(path="./data", type="mltable", name="lines"))
        job = automl.regression(compute="cpu-cluster", experiment_name="v2-automl",
            training_data=Input(type="mltable", path=f"azureml:lines:{data.version}"),
            target_column_name="y", primary_metric="normalized_root_mean_squared_error")
        job.set_limits(timeout_minutes=15, max_trials=2, max_concurrent_trials=1)
        job.set_training(allowed_training_algorithms=["RandomForest"])
        name = ml_client.jobs.create_or_update(job).name
        job = wait(name)
        print(name, job.status.value, job.tags["automl_best_child_run_id"])
        """,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    name, status, best = done.stdout.split()[-3:]
    assert status == "Completed"
    parent = Run.get(workspace, name)
    assert parent.get_best_child().id == best
    assert "normalized_root_mean_squared_error" in Run.get(workspace, best).get_metrics()
