"""The comparison report as a markdown page, its figures embedded (see ``tasks.figures``)."""

from __future__ import annotations

from collections.abc import Sequence

from tasks.compare import TestScore, Verdict
from tasks.figures import Figure


def _money(value: float) -> str:
    return f"${value:,.0f}"


def _score_rows(scores: list[TestScore]) -> str:
    lines = ["| contestant | algorithm | run | test MAE | test RMSE | R² |", "|---|---|---|---:|---:|---:|"]
    for s in scores:
        lines.append(
            f"| {s.name} | {s.algorithm} | `{s.run_id}` | {_money(s.mae)} | {_money(s.rmse)} | {s.r2:.4f} |"
        )
    return "\n".join(lines)


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
) -> str:
    """The whole report; every figure in it is computed from the test split named by its fingerprint."""
    w = verdict.winner
    parts = [
        f"# AutoML vs HyperDrive: **{w.name}** wins",
        f"Test split: {split_rows:,} rows, fingerprint `{w.split_fingerprint}`.",
        _score_rows([verdict.winner, verdict.loser]),
        (
            f"MAE gap {_money(verdict.mae_gap)} in the winner's favour; 95 % paired-bootstrap interval "
            f"[{_money(verdict.gap_low)}, {_money(verdict.gap_high)}] over {verdict.bootstrap_rounds} rounds "
            f"({'decisive' if verdict.decisive else 'not decisive'})."
        ),
    ]
    parts.extend(f"> {note}" for note in verdict.notes)
    if parity:
        parts.append(
            "## ONNX parity\n"
            f"max abs error {parity['max_abs_error']:.4g} dollars, max rel error {parity['max_rel_error']:.3g}, "
            f"{parity['share_beyond_tolerance']:.2%} of rows beyond tolerance ({parity.get('tolerance', '')})."
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
