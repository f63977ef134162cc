"""Settings: defaults, DUEL_ environment variables, .env files and flow-parameter overrides."""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from tasks.settings import DeployTarget, DuelSettings


def test_defaults_target_the_emulator():
    settings = DuelSettings(_env_file=None)
    assert settings.backend == "emulator"
    assert settings.test_size == 0.2 and settings.split_seed == 42


def test_environment_variables_with_prefix(monkeypatch, tmp_path):
    monkeypatch.setenv("DUEL_BACKEND", "azure")
    monkeypatch.setenv("DUEL_AUTOML_TIMEOUT_MINUTES", "15")
    monkeypatch.setenv("DUEL_EMULATOR_HOME", str(tmp_path))
    monkeypatch.setenv("DUEL_AUTOML_ALLOWED_MODELS", "LightGBM, ElasticNet")
    settings = DuelSettings(_env_file=None)
    assert settings.backend == "azure"
    assert settings.emulator_home == tmp_path
    assert settings.automl_allowed_models == ["LightGBM", "ElasticNet"]


@pytest.mark.parametrize("backend", ["azure", "azure-v2"])
def test_both_azure_backends_refuse_an_automl_budget_below_fifteen_minutes_naming_the_variable(backend):
    with pytest.raises(
        ValidationError,
        match=f"AutoML on the {backend} backend takes .* from 15 \\(got 5\\), as Azure does: "
        "set DUEL_AUTOML_TIMEOUT_MINUTES \\[",
    ):
        DuelSettings(
            _env_file=None, backend=backend, automl_timeout_minutes=5, emulator_relax="automl-timeout"
        )


def test_the_emulator_refuses_a_short_automl_budget_unless_its_relaxation_is_asked_for(monkeypatch):
    monkeypatch.delenv("DUEL_EMULATOR_RELAX", raising=False)
    with pytest.raises(ValidationError, match="from 15 \\(got 1\\).*relaxation automl-timeout"):
        DuelSettings(_env_file=None, automl_timeout_minutes=1)
    relaxed = DuelSettings(_env_file=None, automl_timeout_minutes=1, emulator_relax="automl-timeout")
    assert relaxed.automl_minutes == 1


def test_the_backends_relaxation_names_are_the_emulators():
    from backends.capabilities import capabilities
    from emulator.relax import RELAXATIONS

    assert set(capabilities("emulator").relaxations) == set(RELAXATIONS)
    assert capabilities("azure").relaxations == capabilities("azure-v2").relaxations == ()


def test_an_unset_automl_budget_is_the_backends_minimum():
    for backend in ("emulator", "azure", "azure-v2"):
        assert DuelSettings(_env_file=None, backend=backend).automl_minutes == 15


def test_an_unknown_backend_is_refused_listing_the_known_ones():
    with pytest.raises(ValidationError, match="unknown backend 'aws': use emulator, azure, azure-v2"):
        DuelSettings(_env_file=None, backend="aws")


def test_dotenv_file_is_read(tmp_path, monkeypatch):
    monkeypatch.delenv("DUEL_DATA", raising=False)
    env = tmp_path / ".env"
    env.write_text("DUEL_DATA=/data/housing.csv\nDUEL_DEPLOY_TARGET=docker\n")
    settings = DuelSettings(_env_file=env)
    assert settings.data == Path("/data/housing.csv")
    assert settings.deploy_target is DeployTarget.DOCKER


def test_flow_parameters_override_and_none_keeps_setting():
    base = DuelSettings(_env_file=None, split_seed=1)
    merged = base.merged(split_seed=None, subset=1000)
    assert merged.split_seed == 1 and merged.subset == 1000


def test_invalid_values_are_refused_with_the_field_named():
    with pytest.raises(ValidationError, match="test_size"):
        DuelSettings(_env_file=None, test_size=1.5)
    with pytest.raises(ValueError, match="unknown setting.*colour"):
        DuelSettings(_env_file=None).merged(colour="red")


def test_each_checkout_keeps_its_own_emulator_home_by_default(monkeypatch):
    monkeypatch.delenv("DUEL_EMULATOR_HOME", raising=False)
    checkout = Path(__file__).resolve().parents[2]
    assert DuelSettings(_env_file=None).emulator_home == checkout / ".duel" / "emulator"


def test_service_name_is_valid_for_the_sdk_and_differs_between_checkouts(tmp_path, monkeypatch):
    from emulator.core.webservice import webservice_name_validation

    monkeypatch.delenv("DUEL_SERVICE_NAME", raising=False)
    monkeypatch.delenv("DUEL_EMULATOR_HOME", raising=False)
    here = DuelSettings(_env_file=None).service_name
    webservice_name_validation(here)
    # The same settings module in another checkout (a folder with its own pyproject.toml).
    other = tmp_path / "other-checkout"
    (other / "tasks").mkdir(parents=True)
    (other / "pyproject.toml").write_text("[project]\nname = 'other'\n")
    shutil.copy(
        Path(__file__).resolve().parents[2] / "tasks" / "settings.py", other / "tasks" / "settings.py"
    )
    namespace = runpy.run_path(str(other / "tasks" / "settings.py"))
    elsewhere = namespace["DuelSettings"](_env_file=None)
    assert elsewhere.emulator_home == other / ".duel" / "emulator"
    assert elsewhere.service_name != here and elsewhere.service_name.startswith("housing-price-")


@pytest.mark.parametrize("stored", ["", "{{ $DUEL_DATA }}"])
def test_a_path_left_unset_at_deploy_time_names_the_variable(monkeypatch, stored):
    # What `prefect deploy` stores when DUEL_DATA was not exported (measured: an empty string).
    monkeypatch.setenv("DUEL_DATA", stored)
    with pytest.raises(ValueError, match=r"DUEL_DATA is empty or unresolved .* export DUEL_DATA and run"):
        DuelSettings()
