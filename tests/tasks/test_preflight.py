"""Fail fast: bad settings and data are caught before Prefect, and never retried once inside it."""

from __future__ import annotations

import pytest
from prefect.states import Failed

from tasks.housing_csv import DataError
from tasks.preflight import ConfigError, checked_settings, preflight, transient_only


def test_a_bad_setting_is_one_line_naming_it():
    with pytest.raises(ConfigError) as caught:
        checked_settings(subset=-3)
    assert str(caught.value) == "invalid setting(s): subset: Input should be greater than 0"
    with pytest.raises(
        ConfigError, match=r"^invalid setting\(s\): settings: .*AutoML on the azure backend takes"
    ):
        checked_settings(backend="azure", automl_timeout_minutes=5)


def test_a_missing_file_from_duel_data_names_the_variable(tmp_path, monkeypatch):
    missing = tmp_path / "nowhere.csv"
    monkeypatch.setenv("DUEL_DATA", str(missing))
    with pytest.raises(DataError, match=r"nowhere.csv: housing file not found \(from DUEL_DATA\)"):
        preflight(checked_settings())


def test_a_missing_file_given_as_a_parameter_says_so(tmp_path, monkeypatch):
    monkeypatch.delenv("DUEL_DATA", raising=False)
    with pytest.raises(DataError, match=r"housing file not found \(from the given path\)"):
        preflight(checked_settings(data=str(tmp_path / "given.csv")))


def test_the_azure_backend_without_its_sdk_interpreter_is_refused_before_anything_starts(
    housing_path, tmp_path, monkeypatch
):
    monkeypatch.setenv("DUEL_DATA", str(housing_path))
    missing = tmp_path / "no-venv-azure" / "bin" / "python"
    with pytest.raises(ConfigError, match="no Python with the Azure ML SDK v1 at .*run `make azure-env`"):
        preflight(
            checked_settings(
                backend="azure", azure_python=str(missing), automl_timeout_minutes=30, subset=100
            )
        )


def test_an_emulator_home_under_a_file_is_refused(housing_path, tmp_path, monkeypatch):
    monkeypatch.setenv("DUEL_DATA", str(housing_path))
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ConfigError, match="DUEL_EMULATOR_HOME"):
        preflight(checked_settings(emulator_home=tmp_path / "afile" / "emu", subset=100))


def test_deterministic_errors_are_not_retried_and_transient_ones_are():
    assert transient_only(None, None, Failed(data=DataError("x.csv: missing label(s)"))) is False
    assert transient_only(None, None, Failed(data=ConfigError("bad"))) is False
    assert transient_only(None, None, Failed(data=ConnectionResetError("peer reset"))) is True
