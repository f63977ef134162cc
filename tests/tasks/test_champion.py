"""Champion/challenger rules on a real emulated registry, through the backend: one champion, the gate,
history, rollback."""

from __future__ import annotations

import pytest

from backends.messages import ModelUpload
from tasks.champion import ChampionError, Champions, gate

NAME = "housing-price"


@pytest.fixture
def workspace(emulator_backend):
    return emulator_backend


@pytest.fixture
def registry(emulator_backend, tmp_path):
    """Three registered versions of the model (versions 1, 2, 3)."""
    for version in (1, 2, 3):
        path = tmp_path / f"model-{version}.onnx"
        path.write_bytes(b"onnx" * version)
        emulator_backend.register_model(ModelUpload(str(path), NAME, {}, {}, "test", "Onnx", "1"))
    return Champions(emulator_backend, NAME)


def _champions(backend) -> list[int]:
    return sorted(m.version for m in backend.find_models(NAME, {"champion": "true"}))


def _version(backend, version: int):
    return next(m for m in backend.find_models(NAME) if m.version == version)


def test_gate_crowns_the_first_challenger():
    decision = gate(30_000.0, None, margin=0.01)
    assert decision.promote and "no champion yet" in decision.reason


def test_gate_needs_the_margin_not_just_a_lower_mae():
    # 0.5 % better is noise under a 1 % margin; 2 % better passes.
    assert not gate(29_850.0, 30_000.0, margin=0.01).promote
    assert gate(29_400.0, 30_000.0, margin=0.01).promote
    # An equal score never passes, even with no margin.
    assert not gate(30_000.0, 30_000.0, margin=0.0).promote


def test_gate_refuses_a_margin_outside_zero_to_one():
    with pytest.raises(ChampionError, match="margin"):
        gate(1.0, 2.0, margin=1.5)


def test_crowning_leaves_exactly_one_champion_and_records_both_sides(registry, workspace):
    registry.crown(1, actor="nightly-gate", reason="first night", metrics={"mae_AutoML": 31_000.0})
    entry = registry.crown(2, actor="nightly-gate", reason="better")
    assert _champions(workspace) == [2]
    old = _version(workspace, 1)
    assert old.tags["champion"] == "false" and old.tags["demoted_by"] == "nightly-gate"
    assert entry.champion == f"{NAME}:2" and entry.previous == f"{NAME}:1"
    history = registry.history()
    assert [(e.action, e.champion, e.previous) for e in history] == [
        ("promote", f"{NAME}:1", ""),
        ("promote", f"{NAME}:2", f"{NAME}:1"),
    ]
    assert history[0].metrics == {"mae_AutoML": 31_000.0}


def test_crowning_repairs_a_registry_with_two_champions(registry, workspace):
    # What the old flow left behind: two versions tagged champion=true.
    for version in (1, 2):
        workspace.add_model_tags(_version(workspace, version), {"champion": "true"})
    registry.crown(3, actor="alice", reason="manual")
    assert _champions(workspace) == [3]


def test_crowning_an_unknown_version_names_the_registered_ones(registry):
    with pytest.raises(ChampionError, match=r"no version 9 \(registered: \[1, 2, 3\]\)"):
        registry.crown(9, actor="alice", reason="typo")


def test_crowning_the_champion_again_is_refused(registry):
    registry.crown(1, actor="alice", reason="first")
    with pytest.raises(ChampionError, match="already the champion"):
        registry.crown(1, actor="alice", reason="again")


def test_rollback_crowns_the_champion_that_was_replaced(registry, workspace):
    registry.crown(1, actor="nightly-gate", reason="first night")
    registry.crown(3, actor="nightly-gate", reason="better")
    entry = registry.rollback(actor="alice", reason="3 misbehaves in production")
    assert _champions(workspace) == [1]
    assert (entry.action, entry.champion, entry.previous, entry.actor) == (
        "rollback",
        f"{NAME}:1",
        f"{NAME}:3",
        "alice",
    )


def test_rollback_without_a_predecessor_says_so(registry):
    with pytest.raises(ChampionError, match="no champion to roll back"):
        registry.rollback(actor="alice", reason="oops")
    registry.crown(2, actor="nightly-gate", reason="first night")
    with pytest.raises(ChampionError, match="nothing to roll back to"):
        registry.rollback(actor="alice", reason="oops")


def test_a_kept_night_is_in_the_history_with_its_figures(registry, workspace):
    registry.crown(1, actor="nightly-gate", reason="first night")
    registry.keep(reason="not better", metrics={"mae_AutoML": 30_500.0, "champion_mae": 30_000.0})
    last = registry.history()[-1]
    assert (last.action, last.champion, last.actor) == ("keep", f"{NAME}:1", "nightly-gate")
    assert last.metrics == {"mae_AutoML": 30_500.0, "champion_mae": 30_000.0}
    assert _champions(workspace) == [1]
