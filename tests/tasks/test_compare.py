"""The judge: scores from predictions, the paired bootstrap, and refusal of mismatched splits."""

from __future__ import annotations

import numpy as np
import pytest

from tasks.compare import judge, score
from tasks.figures import predicted_vs_true
from tasks.report import render_markdown


@pytest.fixture
def truth():
    rng = np.random.default_rng(0)
    return rng.uniform(50_000, 500_000, size=2_000)


def test_clearly_better_model_wins_decisively(truth):
    rng = np.random.default_rng(1)
    good = truth + rng.normal(0, 10_000, truth.shape)
    bad = truth + rng.normal(0, 60_000, truth.shape)
    a = score("AutoML", "LightGBM", "r1", truth, good, "fp")
    b = score("HyperDrive", "MLP", "r2", truth, bad, "fp")
    verdict = judge(b, bad, a, good, truth)
    assert verdict.winner.name == "AutoML"
    assert verdict.decisive and verdict.gap_low > 0
    assert verdict.mae_gap == pytest.approx(b.mae - a.mae)


def test_indistinguishable_models_are_not_decisive(truth):
    rng = np.random.default_rng(2)
    one = truth + rng.normal(0, 30_000, truth.shape)
    two = truth + rng.normal(0, 30_000, truth.shape)
    verdict = judge(
        score("a", "x", "1", truth, one, "fp"), one, score("b", "y", "2", truth, two, "fp"), two, truth
    )
    assert not verdict.decisive
    assert "not decisive" in verdict.notes[0]


def test_different_test_rows_are_refused(truth):
    a = score("a", "x", "1", truth, truth, "fp1")
    b = score("b", "y", "2", truth, truth, "fp2")
    with pytest.raises(ValueError, match="different test rows"):
        judge(a, truth, b, truth, truth)


def test_nan_predictions_are_refused(truth):
    pred = truth.copy()
    pred[3] = np.nan
    with pytest.raises(ValueError, match="1 predictions are NaN"):
        score("a", "x", "1", truth, pred, "fp")


def test_report_names_winner_and_interval_and_embeds_its_figures(truth):
    a = score("AutoML", "LightGBM", "r1", truth, truth + 5_000, "fp")
    b = score("HyperDrive", "MLP", "r2", truth, truth + 9_000, "fp")
    verdict = judge(a, truth + 5_000, b, truth + 9_000, truth)
    plot = predicted_vs_true(truth, {"AutoML": truth + 5_000, "HyperDrive": truth + 9_000})
    text = render_markdown(verdict, split_rows=len(truth), figures=[plot])
    assert "**AutoML** wins" in text and "$5,000" in text and "$4,000" in text
    # The figure travels inside the page, not as a path on the disk of the machine that drew it.
    assert "![Predicted vs true price on the test split](data:image/png;base64," in text


def test_the_report_shows_start_up_apart_from_training_and_says_when_it_is_not_known():
    from backends.messages import JobTiming
    from tasks.report import timing_table

    table = timing_table({"AutoML": JobTiming("a", 312.4, 1800.0), "HyperDrive": JobTiming("h", None, None)})

    assert "| AutoML | 312 s | 1,800 s |" in table
    assert "| HyperDrive | not known | not known |" in table
