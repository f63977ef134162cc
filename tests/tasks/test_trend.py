"""The nightly trend is read from the champion history: gate nights only, each contestant's MAE."""

from __future__ import annotations

from datetime import UTC, datetime

from tasks.champion import GATE, HistoryEntry
from tasks.trend import nights, series, table


def _entry(day: int, action: str, actor: str = GATE, **metrics) -> HistoryEntry:
    return HistoryEntry(
        datetime(2026, 11, day, 2, 0, tzinfo=UTC), action, "housing-price:1", "", actor, "why", metrics
    )


def test_only_the_gates_nights_make_the_trend():
    history = [
        _entry(26, "promote", mae_AutoML=31_000.0, mae_HyperDrive=33_000.0, champion_mae=31_000.0),
        _entry(26, "rollback", actor="alice"),
        _entry(27, "keep", mae_AutoML=30_900.0, mae_HyperDrive=32_000.0, champion_mae=30_950.0),
    ]
    rows = nights(history)
    assert [(r["night"], r["decision"]) for r in rows] == [
        ("2026-11-26 02:00", "promote"),
        ("2026-11-27 02:00", "keep"),
    ]
    assert rows[1]["AutoML"] == 30_900.0 and rows[1]["champion"] == 30_950.0
    assert series(rows) == ["AutoML", "HyperDrive", "champion"]


def test_table_shows_dollars_per_night():
    rows = nights([_entry(27, "keep", mae_AutoML=30_900.4, champion_mae=30_950.0)])
    lines = table(rows).splitlines()
    assert lines[0] == "| night | AutoML | champion | decision | champion model |"
    assert lines[2] == "| 2026-11-27 02:00 | $30,900 | $30,950 | keep | housing-price:1 |"
