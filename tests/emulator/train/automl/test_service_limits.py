"""AutoML's service limit: a budget under 15 minutes is refused at submit as the real SDK refuses it,
unless the emulator-only relaxation is asked for by name, which the run then carries."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from emulator import relax
from emulator.exceptions import UserErrorException
from emulator.train.automl import AutoMLConfig
from emulator.train.automl.exceptions import ConfigException
from training.schema import LABEL

REPOSITORY = Path(__file__).resolve().parents[4]
AZURE_PYTHON = Path(os.environ.get("DUEL_AZURE_PYTHON", REPOSITORY / ".venv-azure" / "bin" / "python"))
AZURE_MESSAGE = "Value for argument [experiment_timeout_hours] is out of range (Range: [0.25 - 8760.0])."
# What AutoMLConfig.submit runs in the real SDK before any request: AzureAutoMLSettings' validation.
REAL_SDK_PROBE = """
import pandas as pd
from azureml.train.automl import AutoMLConfig
from azureml.train.automl._azureautomlsettings import AzureAutoMLSettings
frame = pd.DataFrame({"x": range(60), "y": range(60)})
config = AutoMLConfig(task="regression", training_data=frame, label_column_name="y",
                      compute_target="cpu-cluster", experiment_timeout_minutes=0.5)
try:
    AzureAutoMLSettings(experiment=None, **config.user_settings)
except Exception as error:
    print(type(error).__name__)
    print(error.message if hasattr(error, "message") else error)
"""


def _short(data, minutes=0.5, **overrides):
    return AutoMLConfig(
        task="regression",
        training_data=data,
        label_column_name=LABEL,
        compute_target="local",
        allowed_models=["ElasticNet"],
        iterations=1,
        enable_voting_ensemble=False,
        enable_stack_ensemble=False,
        experiment_timeout_minutes=minutes,
        **overrides,
    )


def test_automl_under_fifteen_minutes_is_refused_at_submit_as_azure_refuses_it(
    experiment, small_housing, monkeypatch
):
    monkeypatch.delenv(relax.RELAX_VARIABLE, raising=False)
    with pytest.raises(ConfigException) as refused:
        experiment.submit(_short(small_housing))
    assert str(refused.value) == AZURE_MESSAGE
    assert list(experiment.get_runs()) == []


def test_the_named_relaxation_lets_a_short_budget_run_and_says_so_on_the_run(
    experiment, small_housing, monkeypatch
):
    monkeypatch.setenv(relax.RELAX_VARIABLE, relax.AUTOML_TIMEOUT)
    run = experiment.submit(_short(small_housing))
    run.wait_for_completion(show_output=False)
    assert run.get_status() == "Completed"
    recorded = run.get_properties()[relax.PROPERTY]
    assert recorded.startswith("automl-timeout: experiment_timeout_hours=0.008333")
    assert "Azure refuses this" in recorded
    # A budget within Azure's range needs no relaxation and carries none.
    assert relax.PROPERTY not in _short(small_housing, minutes=15)._service_limits()


def test_an_unknown_relaxation_is_refused_naming_the_known_ones(monkeypatch):
    monkeypatch.setenv(relax.RELAX_VARIABLE, "automl-timeout,everything")
    with pytest.raises(UserErrorException, match="unknown relaxation.*everything.*automl-timeout"):
        relax.allowed()


@pytest.mark.azure_sdk
@pytest.mark.skipif(not AZURE_PYTHON.exists(), reason=f"no real SDK v1 at {AZURE_PYTHON} (make azure-env)")
def test_the_refusal_is_the_real_sdks(tmp_path):
    # In a folder of its own: the real AutoMLConfig writes its debug log (automl.log) where it runs.
    done = subprocess.run(
        [str(AZURE_PYTHON), "-c", REAL_SDK_PROBE],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
        cwd=tmp_path,
    )
    kind, message = done.stdout.strip().splitlines()[:2]
    assert (kind, message) == ("ConfigException", AZURE_MESSAGE)
