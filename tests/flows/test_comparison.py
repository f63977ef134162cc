"""The duel end to end on the emulator: both contestants, the verdict, ONNX, registry, service, report."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import onnx
import pytest
from prefect.artifacts import Artifact

from backends import open_backend
from benchmarks.bad_input import write_bad_files
from emulator.core import Experiment, Model, Webservice
from flows.comparison import duel
from flows.nightly import nightly
from tasks.housing_csv import DataError
from tasks.settings import DuelSettings

pytestmark = pytest.mark.slow


def _teardown_services(settings: DuelSettings) -> None:
    for service in Webservice.list(open_backend(settings).workspace):
        service.delete()


def test_duel_ships_a_winner_that_the_service_reproduces(tiny_duel, tmp_path):
    result = duel()
    settings = DuelSettings()
    try:
        assert result["winner"]["split_fingerprint"] == result["loser"]["split_fingerprint"]
        assert result["winner"]["mae"] <= result["loser"]["mae"]
        assert {result["winner"]["name"], result["loser"]["name"]} == {"AutoML", "HyperDrive"}
        assert result["parity"]["passed"] is True
        assert result["smoke_test"]["rows"] == 200 and result["smoke_test"]["max_rel_diff"] < 1e-6
        assert result["scoring_uri"].startswith("http://127.0.0.1:")
        name, version = result["model"].rsplit(":", 1)
        model = Model(open_backend(settings).workspace, name=name, version=int(version))
        assert model.tags["split_fingerprint"] == result["winner"]["split_fingerprint"]
        onnx_file = next(
            Path(model.download(target_dir=str(tmp_path / "model"), exist_ok=True)).parent.rglob("*.onnx")
        )
        metadata = {p.key: p.value for p in onnx.load_model(str(onnx_file)).metadata_props}
        assert metadata["training_run_id"] == result["winner"]["run_id"]
        assert metadata["dataset_name"] == "california-housing-train" and "input_schema" in metadata
        report = Artifact.get("duel-report")
        assert report is not None and f"**{result['winner']['name']}** wins" in report.data
        # Four figures inside the page itself (no nightly trend before the first night).
        assert report.data.count("](data:image/png;base64,") == 4
        # A duel run by hand never crowns a champion.
        assert result["promoted"] is False and "current champion: none yet" in result["champion"]
        assert not open_backend(settings).find_models(settings.model_name, {"champion": "true"})
        stored = Experiment(open_backend(settings).workspace, "automl-duel-report").get_runs()
        assert {"outputs/report/report.md", "outputs/report/residuals.png"} <= set(
            next(stored).get_file_names()
        )
        # The report as files a person opens, in the workspace folder, and the lines that say where.
        html = Path(result["report_html"])
        assert html.parent.parent == tiny_duel / "emulator" / "duel" / "reports"
        page = html.read_text()
        assert page.count('src="data:image/png;base64,') == 4 and "<table>" in page
        assert Path(result["report_markdown"]).read_text() == report.data
        assert any(line.startswith(f"Report:    {html}") for line in result["summary"])
        assert result["summary"][0].startswith(f"{result['winner']['name']} wins by $")
        # Each contestant's run links to its studio page.
        assert f"(http://127.0.0.1:8765/#/runs/{result['winner']['run_id']})" in report.data
    finally:
        _teardown_services(settings)


def test_nightly_keeps_the_champion_when_the_challenger_is_no_better(tiny_duel, monkeypatch):
    # AutoML's time budget makes a retrained night vary a little; a 50 % margin is beyond that noise.
    monkeypatch.setenv("DUEL_PROMOTION_MARGIN", "0.5")
    first = nightly(deploy_target="none")
    second = nightly(deploy_target="none")
    assert first["promoted"] is True
    # A new night trains anew, even on unchanged data...
    assert second["winner"]["run_id"] != first["winner"]["run_id"]
    # ...and a winner that is not better by the margin leaves the champion in place.
    assert second["promoted"] is False
    settings = DuelSettings()
    champions = [
        m
        for m in Model.list(open_backend(settings).workspace, name=settings.model_name)
        if m.tags.get("champion") == "true"
    ]
    assert [f"{m.name}:{m.version}" for m in champions] == [first["model"]]
    report = Artifact.get("duel-report")
    assert "## Nightly trend" in report.data and report.data.count("](data:image/png;base64,") == 5


@pytest.mark.parametrize("entry", [duel, nightly], ids=["duel", "nightly"])
def test_bad_data_fails_the_run_with_one_line_and_no_traceback(tiny_duel, tmp_path, entry):
    bad = write_bad_files(tmp_path)["missing column"]
    state = entry(data=str(bad), return_state=True)
    assert state.is_failed()
    assert state.message == f"bad input: {bad}: missing label(s): median_house_value"
    # What a worker's console and the UI show: the one line, no traceback, nothing else tried.
    logs = asyncio.run(_logs_of(state.state_details.flow_run_id))
    assert [log.message for log in logs if log.level >= logging.ERROR] == [state.message]
    assert not any("Traceback" in log.message for log in logs)
    assert not (tmp_path / "emulator").exists()
    with pytest.raises(DataError, match="missing label"):
        duel(data=str(bad))


async def _logs_of(flow_run_id):
    """The logs of a flow run and of its subflow runs, as the UI shows them."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterParentFlowRunId,
        LogFilter,
        LogFilterFlowRunId,
    )
    from prefect.logging.handlers import APILogHandler

    await APILogHandler.aflush()
    async with get_client() as client:
        children = await client.read_flow_runs(
            flow_run_filter=FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[flow_run_id]))
        )
        runs = [flow_run_id, *(child.id for child in children)]
        return await client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=runs)))
