"""The closing lines and the report files a person opens."""

from __future__ import annotations

import numpy as np

from tasks.compare import judge, score
from tasks.report import parity_sentence
from tasks.report_file import find_report, write_report
from tasks.summary import Summary


def _verdict():
    truth = np.linspace(100_000, 400_000, 200)
    a, b = truth + 5_000, truth + 9_000
    return judge(
        score("AutoML", "LightGBM", "A_1", truth, a, "fp"),
        a,
        score("HyperDrive", "MLP", "H_2", truth, b, "fp"),
        b,
        truth,
    )


def test_the_summary_says_winner_margin_both_maes_decision_endpoint_workspace_and_report():
    links = {"A_1": "http://127.0.0.1:8765/#/runs/A_1"}
    summary = Summary.of(
        _verdict(),
        links,
        decision="Not a nightly run",
        endpoint=None,
        workspace="emulator:/w/duel",
        report_html="/w/duel/reports/x/report.html",
        report_markdown="/w/duel/reports/x/report.md",
    )
    lines = summary.lines()
    assert lines[0].startswith("AutoML wins by $4,000 test MAE (95 % interval $")
    assert lines[1].split() == ["AutoML", "test", "MAE", "$5,000", "LightGBM", "run", "A_1", links["A_1"]]
    assert lines[2].split()[:4] == ["HyperDrive", "test", "MAE", "$9,000"]
    assert lines[3:] == [
        "Decision:  Not a nightly run",
        "Endpoint:  not deployed",
        "Workspace: emulator:/w/duel",
        "Report:    /w/duel/reports/x/report.html",
        "           /w/duel/reports/x/report.md (also the Prefect artifact 'duel-report')",
    ]


def test_the_parity_line_states_the_rule_in_words():
    parity = {
        "family": "tree",
        "n_rows": 4128,
        "max_abs_error": 4.788,
        "max_rel_error": 2.1e-5,
        "share_beyond_tolerance": 0.0005,
        "passed": True,
        "tolerance": {"abs_dollars": 1.0, "rel": 1e-4, "max_share": 0.005},
    }
    sentence = parity_sentence(parity)
    assert "within $1 plus 0.0100% of the native prediction" in sentence
    assert "0.05% of rows fell outside, 0.50% allowed" in sentence and "{" not in sentence


def test_the_report_files_are_self_contained_and_the_latest_is_found(tmp_path):
    image = "![plot](data:image/png;base64,iVBORw0KGgo=)"
    write_report(tmp_path, "20261128-020000-a", f"# One\n\n{image}\n", "one\n", "One")
    folder = write_report(tmp_path, "20261128-030000-b", "# Two\n\n| a |\n|---|\n| 1 |\n", "two\n", "Two")
    assert find_report(tmp_path) == folder
    assert find_report(tmp_path, "020000") == tmp_path / "reports" / "20261128-020000-a"
    page = (tmp_path / "reports" / "20261128-020000-a" / "report.html").read_text()
    assert '<img src="data:image/png;base64,iVBORw0KGgo=" alt="plot"' in page
    assert "<table>" in (folder / "report.html").read_text()
