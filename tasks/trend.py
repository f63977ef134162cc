"""The nightly trend: one row per night the gate judged, read back from the champion history."""

from __future__ import annotations

from collections.abc import Sequence

from tasks.champion import GATE, HistoryEntry

CONTESTANT_PREFIX = "mae_"
CHAMPION_SERIES = "champion"


def nights(history: Sequence[HistoryEntry]) -> list[dict]:
    """Each gate decision as a row: the night, each contestant's test MAE, the champion's MAE after it.

    Args:
        history: the champion's history.

    Returns:
        The rows, oldest first.
    """
    rows = []
    for entry in history:
        if entry.actor != GATE:
            continue
        row: dict = {"night": entry.time.strftime("%Y-%m-%d %H:%M")}
        row.update(
            {
                k.removeprefix(CONTESTANT_PREFIX): v
                for k, v in entry.metrics.items()
                if k.startswith(CONTESTANT_PREFIX)
            }
        )
        row[CHAMPION_SERIES] = entry.metrics.get("champion_mae")
        row["decision"] = entry.action
        row["champion model"] = entry.champion
        rows.append(row)
    return rows


def series(rows: Sequence[dict]) -> list[str]:
    """The MAE columns of the rows: every contestant seen, then the champion.

    Args:
        rows: the trend's rows.

    Returns:
        The column names.
    """
    names = sorted(
        {k for row in rows for k in row} - {"night", CHAMPION_SERIES, "decision", "champion model"}
    )
    return [*names, CHAMPION_SERIES]


def table(rows: Sequence[dict]) -> str:
    """The trend as a markdown table (test MAE in dollars).

    Args:
        rows: the trend's rows.

    Returns:
        The table.
    """
    columns = ["night", *series(rows), "decision", "champion model"]
    lines = [
        "| " + " | ".join(columns) + " |",
        "|" + "|".join("---:" if c in series(rows) else "---" for c in columns) + "|",
    ]
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column)
            cells.append(f"${value:,.0f}" if isinstance(value, float) else str(value or ""))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
