"""`duel export-jobs --out DIR`: two SDK v2 job files that `load_job` (and so `az ml job create`) reads."""

from __future__ import annotations

from azure.ai.ml import load_job
from typer.testing import CliRunner

from flows.cli import app


def test_export_jobs_writes_a_sweep_and_an_automl_job_from_the_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("DUEL_HYPERDRIVE_MAX_TOTAL_RUNS", "12")
    monkeypatch.setenv("DUEL_AUTOML_ITERATIONS", "40")

    result = CliRunner().invoke(app, ["export-jobs", "--out", str(tmp_path / "jobs")])

    assert result.exit_code == 0, result.output
    sweep = load_job(tmp_path / "jobs" / "hyperdrive-sweep.yml")
    automl = load_job(tmp_path / "jobs" / "automl-regression.yml")
    assert sweep.limits.max_total_trials == 12 and automl.limits.max_trials == 40
    # No budget set: the service's 15-minute minimum, never the emulator's 5.
    assert automl.limits.timeout_minutes == 15
    assert sweep.tags == {} and automl.tags == {}
    assert "az ml job create --file" in result.output


def test_export_jobs_refuses_an_automl_budget_the_service_would_refuse(tmp_path, monkeypatch):
    monkeypatch.setenv("DUEL_AUTOML_TIMEOUT_MINUTES", "5")

    result = CliRunner().invoke(app, ["export-jobs", "--out", str(tmp_path / "jobs")])

    assert result.exit_code == 2
    assert "AutoML on the azure-v2 backend takes automl_timeout_minutes from 15 (got 5)" in result.output
    assert not (tmp_path / "jobs").exists()
