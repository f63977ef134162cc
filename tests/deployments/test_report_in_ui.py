"""The report's figures are visible to a person in the Prefect UI, checked in a real browser.

A flow publishes the report artifact to a real `prefect server`; headless Chromium opens the artifact
page through the UI and, over the DevTools protocol, waits until every image has loaded with a
natural width above zero. The screenshot stays in the test's temporary folder (printed).
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import time

import httpx
import numpy as np
import pytest
from prefect import flow
from prefect.artifacts import create_markdown_artifact
from prefect.settings import PREFECT_API_URL, temporary_settings
from websockets.sync.client import connect

from tasks import figures
from tasks.compare import judge, score
from tasks.report import render_markdown

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


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


class _Page:
    """One browser tab driven over the DevTools protocol."""

    def __init__(self, ws_url: str):
        self._ws = connect(ws_url, max_size=None, open_timeout=30)
        self._next = 0

    def call(self, method: str, **params):
        self._next += 1
        self._ws.send(json.dumps({"id": self._next, "method": method, "params": params}))
        while True:
            message = json.loads(self._ws.recv(timeout=60))
            if message.get("id") == self._next:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def evaluate(self, expression: str):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def close(self):
        self._ws.close()


@pytest.fixture
def chromium(tmp_path):
    """A headless Chromium with its DevTools endpoint; yields the endpoint's HTTP address."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium; .ci/run does it)")
    log = open(tmp_path / "chromium.log", "w+")
    browser = subprocess.Popen(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,2400",
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            "about:blank",
        ],
        stdout=log,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 60
        endpoint = None
        while endpoint is None and time.monotonic() < deadline:
            time.sleep(0.3)
            log.seek(0)
            found = re.search(r"DevTools listening on ws://([\d.]+:\d+)/", log.read())
            endpoint = f"http://{found.group(1)}" if found else None
        if endpoint is None:
            log.seek(0)
            pytest.fail(f"chromium did not open its DevTools endpoint: {log.read()[-2000:]}")
        yield endpoint
    finally:
        browser.terminate()
        browser.wait(timeout=30)
        log.close()


def test_report_figures_load_in_the_prefect_ui(prefect_server, chromium, tmp_path):
    api = prefect_server["PREFECT_API_URL"]
    with temporary_settings(updates={PREFECT_API_URL: api}):
        artifact_id = publish_report_artifact()
    page_url = f"{api.removesuffix('/api')}/artifacts/artifact/{artifact_id}"
    target = httpx.put(f"{chromium}/json/new?{page_url}", timeout=30).json()
    page = _Page(target["webSocketDebuggerUrl"])
    try:
        images = []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            images = page.evaluate(
                "Array.from(document.images).filter(i => i.src.startsWith('data:image/png'))"
                ".map(i => ({alt: i.alt, complete: i.complete, width: i.naturalWidth,"
                " shown: i.getBoundingClientRect().width}))"
            )
            if images and len(images) >= 5 and all(i["complete"] for i in images):
                break
            time.sleep(1)
        height = page.evaluate("document.documentElement.scrollHeight")
        page.call(
            "Emulation.setDeviceMetricsOverride", width=1280, height=height, deviceScaleFactor=1, mobile=False
        )
        time.sleep(1)
        shot = page.call("Page.captureScreenshot", format="png")
        screenshot = tmp_path / "duel-report-in-prefect-ui.png"
        screenshot.write_bytes(base64.b64decode(shot["data"]))
        print(f"screenshot: {screenshot}")
        body = page.evaluate("document.body.innerText")
    finally:
        page.close()
    assert [i["alt"] for i in images] == [
        "Predicted vs true price on the test split",
        "Residuals on the test split",
        "HyperDrive trial validation curves",
        "AutoML leaderboard",
        "Nightly trend of test MAE",
    ], f"images on the page: {images}; page text: {body[:500]}"
    # Loaded (natural width) and laid out on the page (rendered width), not hidden.
    assert all(i["width"] > 0 and i["shown"] > 0 for i in images), images
    assert "AutoML vs HyperDrive" in body
