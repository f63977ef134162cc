"""The lines a person reads when a duel ends: who won and by how much, what was decided, where things are."""

from __future__ import annotations

from dataclasses import dataclass

from tasks.compare import TestScore, Verdict


@dataclass(frozen=True)
class Entrant:
    """One contestant's line: its score and where to browse its run."""

    name: str
    algorithm: str
    mae: float
    run_id: str
    url: str

    @classmethod
    def of(cls, score: TestScore, links: dict[str, str]) -> Entrant:
        return cls(score.name, score.algorithm, score.mae, score.run_id, links.get(score.run_id, ""))


@dataclass(frozen=True)
class Summary:
    """The end of a duel in a few lines (the flow returns it, the command prints it, the report keeps it)."""

    winner: Entrant
    loser: Entrant
    gap_low: float
    gap_high: float
    decisive: bool
    decision: str
    endpoint: str | None
    workspace: str
    report_html: str
    report_markdown: str
    artifact: str = "duel-report"

    @classmethod
    def of(cls, verdict: Verdict, links: dict[str, str], **fields) -> Summary:
        return cls(
            Entrant.of(verdict.winner, links),
            Entrant.of(verdict.loser, links),
            verdict.gap_low,
            verdict.gap_high,
            verdict.decisive,
            **fields,
        )

    @property
    def margin(self) -> float:
        return self.loser.mae - self.winner.mae

    def lines(self) -> list[str]:
        w, lo = self.winner, self.loser
        strength = "decisive" if self.decisive else "not decisive"
        width = max(len(w.name), len(lo.name))
        money = {e.name: f"${e.mae:,.0f}" for e in (w, lo)}
        entrants = [
            f"  {e.name:<{width}}  test MAE {money[e.name]:>9}  {e.algorithm}  run {e.run_id}"
            + (f"  {e.url}" if e.url else "")
            for e in (w, lo)
        ]
        return [
            f"{w.name} wins by ${self.margin:,.0f} test MAE "
            f"(95 % interval ${self.gap_low:,.0f} to ${self.gap_high:,.0f}: {strength})",
            *entrants,
            f"Decision:  {self.decision}",
            f"Endpoint:  {self.endpoint or 'not deployed'}",
            f"Workspace: {self.workspace}",
            f"Report:    {self.report_html}",
            f"           {self.report_markdown} (also the Prefect artifact '{self.artifact}')",
        ]

    def text(self) -> str:
        return "\n".join(self.lines()) + "\n"
