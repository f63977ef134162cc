"""Every figure of the report is a real PNG that travels inside the markdown."""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pytest
from PIL import Image

from tasks import figures


@pytest.fixture(scope="module")
def truth():
    return np.random.default_rng(0).uniform(50_000, 500_000, 300)


def _size(figure: figures.Figure) -> tuple[int, int]:
    return Image.open(io.BytesIO(figure.png)).size


def test_every_figure_is_a_png_with_pixels(truth):
    predictions = {"AutoML": truth + 5_000, "HyperDrive": truth - 9_000}
    drawn = [
        figures.predicted_vs_true(truth, predictions),
        figures.residuals(truth, predictions),
        figures.trial_curves({"HD_x_0": [40_000, 35_000, 33_000], "HD_x_1": [45_000, 44_000]}, best="HD_x_0"),
        figures.leaderboard([("0: LightGBM", 0.05), ("1: ElasticNet", 0.09)]),
        figures.nightly_trend(
            [{"night": "2026-11-27 02:00", "AutoML": 30_000.0, "champion": 30_000.0}], ["AutoML", "champion"]
        ),
    ]
    assert len({f.name for f in drawn}) == len(drawn)
    for figure in drawn:
        width, height = _size(figure)
        assert width > 100 and height > 100, figure.name


def test_markdown_embeds_the_image_itself(truth):
    figure = figures.predicted_vs_true(truth, {"AutoML": truth})
    embedded = re.fullmatch(r"!\[(.+)\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", figure.markdown())
    assert embedded is not None
    assert base64.b64decode(embedded.group(2)) == figure.png


def test_saved_figure_is_named_for_what_it_shows(truth, tmp_path):
    path = figures.residuals(truth, {"AutoML": truth}).save(tmp_path / "report")
    assert path.name == "residuals.png" and path.read_bytes().startswith(b"\x89PNG")
