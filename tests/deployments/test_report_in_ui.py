"""The report's figures are visible to a person in the Prefect UI, checked in a real browser.

A flow publishes the report artifact to a real `prefect server`; Debian's headless Chromium (driven by
Playwright, as in the studio's browser tests) opens the artifact page through the UI and waits until
every image has loaded with a natural width above zero. The screenshot stays in the test's temporary
folder (its path is printed with ``-s``).
"""

from __future__ import annotations

import numpy as np
import pytest
from prefect import flow
from prefect.artifacts import create_markdown_artifact
from prefect.settings import PREFECT_API_URL, temporary_settings

from tasks import figures
from tasks.compare import judge, score
from tasks.report import render_markdown
from tests.prefect_workers import drain_prefect_workers

pytestmark = pytest.mark.slow

TITLES = [
    "Predicted vs true price on the test split",
    "Residuals on the test split",
    "HyperDrive trial validation curves",
    "AutoML leaderboard",
    "Nightly trend of test MAE",
]
EMBEDDED = "Array.from(document.images).filter(i => i.src.startsWith('data:image/png'))"


@flow(name="report-publisher")
def publish_report_artifact() -> str:
    truth = np.random.default_rng(0).uniform(50_000, 500_000, 400)
    automl, mlp = truth + np.random.default_rng(1).normal(0, 20_000, 400), truth + 15_000
    verdict = judge(
        score("AutoML", "LightGBM", "AutoML_1_3", truth, automl, "fp"),
        automl,
        score("HyperDrive", "TorchMLP 256/128", "HD_1_0", truth, mlp, "fp"),
        mlp,
        truth,
    )
    shown = [
        figures.predicted_vs_true(truth, {"AutoML": automl, "HyperDrive": mlp}),
        figures.residuals(truth, {"AutoML": automl, "HyperDrive": mlp}),
        figures.trial_curves({"HD_1_0": [40_000, 35_000, 33_000], "HD_1_1": [45_000, 44_000]}, best="HD_1_0"),
        figures.leaderboard([("0: LightGBM", 0.05), ("1: ElasticNet", 0.09)]),
        figures.nightly_trend(
            [{"night": "2026-11-27 02:00", "AutoML": 30_000.0, "champion": 30_000.0}], ["AutoML", "champion"]
        ),
    ]
    markdown = render_markdown(verdict, split_rows=len(truth), figures=shown)
    return str(
        create_markdown_artifact(key="duel-report", markdown=markdown, description="AutoML vs HyperDrive")
    )


def test_report_figures_load_in_the_prefect_ui(prefect_server, browser, tmp_path):
    api = prefect_server["PREFECT_API_URL"]
    with temporary_settings(updates={PREFECT_API_URL: api}):
        artifact_id = publish_report_artifact()
        # The event and log workers are process-wide and keep the URL they started with: left running,
        # they send every later test's events to this server after it stops (one ~70 s retry per event).
        drain_prefect_workers()
    # Tall enough for the whole report: the UI scrolls an inner panel, which a full-page shot misses.
    page = browser.new_page(viewport={"width": 1280, "height": 3200})
    page.goto(f"{api.removesuffix('/api')}/artifacts/artifact/{artifact_id}")
    page.wait_for_function(
        f"{EMBEDDED}.length >= {len(TITLES)} && {EMBEDDED}.every(i => i.complete)", timeout=90_000
    )
    images = page.evaluate(
        f"{EMBEDDED}.map(i => ({{alt: i.alt, width: i.naturalWidth, shown: i.getBoundingClientRect().width}}))"
    )
    screenshot = tmp_path / "duel-report-in-prefect-ui.png"
    page.screenshot(path=str(screenshot), full_page=True)
    print(f"screenshot: {screenshot}")
    assert [i["alt"] for i in images] == TITLES
    # Loaded (natural width) and laid out on the page (rendered width), not hidden.
    assert all(i["width"] > 0 and i["shown"] > 0 for i in images), images
    assert "AutoML vs HyperDrive" in page.inner_text("body")
