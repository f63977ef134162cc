"""The `duel` command as a person types it: promote, roll back, see the champion, bad input."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from backends import open_backend
from backends.messages import ModelUpload
from emulator import hook
from flows.cli import app
from tasks.settings import DuelSettings

NAME = "housing-price"


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An emulator home with three registered versions of the model, as the flow registers them."""
    monkeypatch.setenv("DUEL_EMULATOR_HOME", str(tmp_path / "emulator"))
    backend = open_backend(DuelSettings())
    for version in (1, 2, 3):
        path = tmp_path / f"model-{version}.onnx"
        path.write_bytes(b"onnx" * version)
        backend.register_model(ModelUpload(str(path), NAME, {}, {}, "test", "Onnx", "1"))
    yield backend
    hook.uninstall()


def duel(*args: str):
    """The console script's app, in this process (a subprocess would re-import the ML stack each time)."""
    return CliRunner().invoke(app, list(args))


def _champions(backend) -> list[int]:
    return sorted(m.version for m in backend.find_models(NAME, {"champion": "true"}))


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


def test_report_shows_the_latest_report_or_the_one_named(tmp_path, monkeypatch):
    from tasks.report_file import write_report

    monkeypatch.setenv("DUEL_EMULATOR_HOME", str(tmp_path / "emulator"))
    root = tmp_path / "emulator" / "duel"
    write_report(root, "20261127-020000-brave-otter", "# first\n", "AutoML wins by $10\n", "t")
    write_report(root, "20261128-020000-calm-heron", "# second\n", "HyperDrive wins by $20\n", "t")
    assert duel("report").stdout.strip() == "HyperDrive wins by $20"
    assert duel("report", "otter").stdout.strip() == "AutoML wins by $10"
    missing = duel("report", "zebra")
    assert missing.exit_code == 2 and "no report named like 'zebra'" in missing.stderr
    assert "<h1>second</h1>" in (root / "reports" / "20261128-020000-calm-heron" / "report.html").read_text()


def test_report_before_any_run_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("DUEL_EMULATOR_HOME", str(tmp_path / "emulator"))
    out = duel("report")
    assert out.exit_code == 2 and "run `duel run` first" in out.stderr


def test_report_open_without_a_browser_exits_non_zero(tmp_path, monkeypatch):
    from tasks.report_file import write_report

    monkeypatch.setenv("DUEL_EMULATOR_HOME", str(tmp_path / "emulator"))
    write_report(
        tmp_path / "emulator" / "duel", "20261128-020000-calm-heron", "# r\n", "HyperDrive wins\n", "t"
    )
    monkeypatch.setenv("PATH", str(tmp_path / "no-opener"))  # no xdg-open: nothing can open the page
    out = duel("report", "--open")
    assert out.exit_code == 1 and "could not open" in out.stderr
