"""The `duel` command as a person types it: promote, roll back, see the champion, bad input."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from emulator.core import Model, Workspace
from flows.cli import app

NAME = "housing-price"


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An emulator home with three registered versions of the model, as the flow registers them."""
    monkeypatch.setenv("DUEL_EMULATOR_HOME", str(tmp_path / "emulator"))
    ws = Workspace("local", "automl-duel", "duel")
    for version in (1, 2, 3):
        path = tmp_path / f"model-{version}.onnx"
        path.write_bytes(b"onnx" * version)
        Model.register(ws, str(path), NAME)
    return ws


def duel(*args: str):
    """The console script's app, in this process (a subprocess would re-import the ML stack each time)."""
    return CliRunner().invoke(app, list(args))


def _champions(ws) -> list[int]:
    return [int(m.version) for m in Model.list(ws, name=NAME) if m.tags.get("champion") == "true"]


def test_promote_then_rollback_by_hand(home):
    assert duel("promote", "1", "--reason", "first").exit_code == 0
    out = duel("promote", "3", "--reason", "3 is better on last week's data")
    assert out.exit_code == 0 and f"{NAME}:3 is the champion (was: {NAME}:1)" in out.stdout
    assert _champions(home) == [3]
    out = duel("rollback", "--reason", "3 drifts")
    assert out.exit_code == 0 and f"{NAME}:1 is the champion again (rolled back from {NAME}:3)" in out.stdout
    assert _champions(home) == [1]
    shown = duel("champion").stdout.splitlines()
    assert shown[0] == f"champion: {NAME}:1"
    assert [line.split()[2] for line in shown[1:]] == ["promote", "promote", "rollback"]
    assert "by manual:" in shown[-1] and shown[-1].endswith("3 drifts")


def test_a_bad_request_is_one_line_and_exit_code_2(home):
    out = duel("promote", "7", "--reason", "typo")
    assert out.exit_code == 2
    assert out.stderr.strip() == f"duel: model {NAME} has no version 7 (registered: [1, 2, 3])"
    out = duel("rollback", "--reason", "nothing yet")
    assert out.exit_code == 2 and "has no champion to roll back" in out.stderr
