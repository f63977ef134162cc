"""The comparison report as a markdown page, its figures embedded (see ``tasks.figures``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from backends.messages import JobTiming
from tasks.compare import TestScore, Verdict
from tasks.figures import Figure


def _money(value: float) -> str:
    return f"${value:,.0f}"


def _run_cell(run_id: str, links: Mapping[str, str]) -> str:
    return f"[`{run_id}`]({links[run_id]})" if run_id in links else f"`{run_id}`"


def _score_rows(scores: list[TestScore], links: Mapping[str, str]) -> str:
    lines = ["| contestant | algorithm | run | test MAE | test RMSE | R² |", "|---|---|---|---:|---:|---:|"]
    for s in scores:
        lines.append(
            f"| {s.name} | {s.algorithm} | {_run_cell(s.run_id, links)} | {_money(s.mae)} "
            f"| {_money(s.rmse)} | {s.r2:.4f} |"
        )
    return "\n".join(lines)


def parity_sentence(parity: Mapping) -> str:
    """The parity gate's figures and its rule in words (a row passes within an absolute plus a relative
    allowance; the gate passes when few enough rows fail).

    Args:
        parity: the gate's report as a dict.

    Returns:
        The sentence.
    """
    tol = parity["tolerance"]
    verdict = "passed" if parity.get("passed", True) else "FAILED"
    return (
        f"ONNX parity {verdict} on {parity['n_rows']:,} test rows ({parity['family']} family): "
        f"largest difference from the native model ${parity['max_abs_error']:,.4g} "
        f"(relative {parity['max_rel_error']:.3g}). Rule: a row agrees when the ONNX prediction is within "
        f"${tol['abs_dollars']:g} plus {tol['rel']:.4%} of the native prediction; "
        f"{parity['share_beyond_tolerance']:.2%} of rows fell outside, {tol['max_share']:.2%} allowed."
    )


def _seconds(value: float | None) -> str:
    return "not known" if value is None else f"{value:,.0f} s"


def timing_table(timings: Mapping[str, JobTiming]) -> str:
    """Each contestant's job time, queue and start-up (cold cluster, image build) apart from training."""
    rows = [
        f"| {name} | {_seconds(t.queued_seconds)} | {_seconds(t.training_seconds)} |"
        for name, t in timings.items()
    ]
    return "\n".join(["| job | queue and start-up | training |", "|---|---:|---:|", *rows])


def render_markdown(
    verdict: Verdict,
    *,
    split_rows: int,
    parity: dict | None = None,
    registered: str | None = None,
    endpoint: str | None = None,
    smoke: dict | None = None,
    promotion: str | None = None,
    figures: Sequence[Figure] = (),
    trend_table: str = "",
    links: Mapping[str, str] | None = None,
    timings: Mapping[str, JobTiming] | None = None,
) -> str:
    """The whole report; every figure in it is computed from the test split named by its fingerprint.

    ``links`` maps a run id to the address where a person browses that run (studio or Azure portal).

    Args:
        verdict: the verdict.
        split_rows: test rows judged.
        parity: the parity gate's report.
        registered: the registered model version.
        endpoint: the scoring URI.
        smoke: the smoke test.
        promotion: what happened to the champion.
        figures: the figures, embedded as images.
        trend_table: the nightly trend table.
        links: where a person browses each run.
        timings: each contestant's job time, start-up apart from training.

    Returns:
        The markdown.
    """
    w = verdict.winner
    parts = [
        f"# AutoML vs HyperDrive: **{w.name}** wins",
        f"Test split: {split_rows:,} rows, fingerprint `{w.split_fingerprint}`.",
        _score_rows([verdict.winner, verdict.loser], links or {}),
        (
            f"MAE gap {_money(verdict.mae_gap)} in the winner's favour; 95 % paired-bootstrap interval "
            f"[{_money(verdict.gap_low)}, {_money(verdict.gap_high)}] over {verdict.bootstrap_rounds} rounds "
            f"({'decisive' if verdict.decisive else 'not decisive'})."
        ),
    ]
    parts.extend(f"> {note}" for note in verdict.notes)
    if parity and parity.get("judged_as_shipped"):
        parts.append("## ONNX\nAutoML's own ONNX copy ships: it is the graph the contestants were judged on.")
    elif parity:
        parts.append(f"## ONNX parity\n{parity_sentence(parity)}")
    if timings:
        parts.append(
            "## Time\nFrom submission to the first child's start (a cold cluster's start-up and the "
            "image build count here), then to the job's end.\n\n" + timing_table(timings)
        )
    if registered:
        parts.append(f"## Registry\nRegistered `{registered}`.")
    if promotion:
        parts.append(f"## Champion\n{promotion}")
    if endpoint:
        parts.append(f"## Endpoint\n[{endpoint}]({endpoint})")
    if smoke:
        parts.append(
            f"Smoke test: {smoke['rows']} rows scored through HTTP, max difference from in-process ONNX "
            f"{smoke['max_abs_diff']:.4g} dollars."
        )
    if trend_table:
        parts.append(
            f"## Nightly trend\nTest MAE of each night's contestants and of the champion.\n\n{trend_table}"
        )
    if figures:
        parts.append("## Figures\n\n" + "\n\n".join(f"### {f.title}\n{f.markdown()}" for f in figures))
    return "\n\n".join(parts) + "\n"
