"""The trial script's data options: the SDK v2 job's mounted training split is read as it is."""

from __future__ import annotations

import pandas as pd
import pytest

from emulator import hook

# The script imports azureml.core, which the emulator serves to every run it starts; here, by hand.
with hook.azureml_emulated():
    from training import train_mlp


def test_the_script_adds_neighbour_prices_unless_told_not_to():
    assert train_mlp.build_model(train_mlp.parse_args([])).neighbours is True
    assert train_mlp.build_model(train_mlp.parse_args(["--neighbours", "0"])).neighbours is False


def test_a_mounted_mltable_folder_is_read_as_the_training_split_unsplit(tmp_path):
    frame = pd.DataFrame({"median_income": [1.5, 2.5, 3.5], "median_house_value": [1e5, 2e5, 3e5]})
    frame.to_csv(tmp_path / "california-housing-train.csv", index=False)
    (tmp_path / "MLTable").write_text("paths:\n  - file: ./california-housing-train.csv\n")

    loaded = train_mlp.load_training_data(train_mlp.parse_args(["--train-data", str(tmp_path)]), run=None)

    pd.testing.assert_frame_equal(loaded, frame)


def test_a_folder_without_exactly_one_csv_is_refused_by_name(tmp_path):
    with pytest.raises(SystemExit, match="expected one CSV file there, found 0"):
        train_mlp.load_training_data(train_mlp.parse_args(["--train-data", str(tmp_path)]), run=None)


def test_importing_the_scripts_as_modules_changes_no_global_state():
    # With training/ on sys.path its distributed.py would shadow dask's `distributed`; a hook left
    # installed would hand the emulator's azureml to every later import of the process.
    import subprocess
    import sys
    from pathlib import Path

    root = Path(train_mlp.__file__).resolve().parents[1]
    probe = (
        "import sys\n"
        "from emulator import hook\n"
        "with hook.azureml_emulated():\n"
        "    from training import explore, train_mlp\n"
        f"print(hook.installed(), {str(root / 'training')!r} in sys.path, train_mlp.Run.__module__)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "emulator.core.run"]
