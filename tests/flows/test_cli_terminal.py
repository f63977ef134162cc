"""`duel run` in a real terminal (a tmux pane): bad data refused in one line, a run's progress and summary."""

from __future__ import annotations

import re
import time

import pytest

from benchmarks.bad_input import write_bad_files
from emulator.serving.process import free_port
from flows import lasting_server

EXPECTED = {
    "missing file": "housing file not found (from DUEL_DATA)",
    "missing column": "missing label(s): median_house_value",
    "semicolon-delimited": "wrong delimiter: the header is one column containing ';'; expected commas",
    "non-numeric cell": "column 'longitude' has a non-numeric value 'abc' at row 3",
}


def test_each_bad_file_is_one_line_and_exit_code_2_before_prefect_starts(pane, duel_command, tmp_path):
    cases = write_bad_files(tmp_path)
    for name, path in cases.items():
        pane.run(
            # The blank line first: tmux joins the first output line to a typed command that fills its row.
            f"echo; echo '<<{name}'; DUEL_DATA={path} PREFECT_HOME={tmp_path}/prefect {duel_command} run --quick; "
            f'echo ">>exit=$?"',
            timeout=120,
        )
    screen = pane.screen()
    for name, path in cases.items():
        block = re.search(rf"^<<{name}\n(.*?)^>>exit=(\d+)$", screen, re.S | re.M)
        assert block is not None, screen
        printed = block.group(1).strip().splitlines()
        # One line naming the file and the problem: no traceback, no Prefect start-up.
        assert len(printed) == 1 and printed[0].startswith(f"duel: {path}: {EXPECTED[name]}"), printed
        assert block.group(2) == "2"
    # Nothing reached Prefect: its home was never even created.
    assert not (tmp_path / "prefect").exists()


@pytest.mark.slow
def test_a_run_shows_its_progress_then_the_summary(pane, duel_command, tmp_path, request):
    home = tmp_path / "emulator"
    port = free_port()
    env = " ".join(
        f"{name}={value}"
        for name, value in {
            "DUEL_EMULATOR_HOME": home,
            "DUEL_SUBSET": 2000,
            "DUEL_AUTOML_ITERATIONS": 4,
            "DUEL_AUTOML_TIMEOUT_MINUTES": 1,
            "DUEL_EMULATOR_RELAX": "automl-timeout",  # a minute is below Azure's 15: relaxed by name
            "DUEL_AUTOML_ALLOWED_MODELS": "LightGBM,ElasticNet",
            "DUEL_HYPERDRIVE_MAX_TOTAL_RUNS": 2,
            "DUEL_HYPERDRIVE_MAX_CONCURRENT_RUNS": 2,
            "DUEL_HYPERDRIVE_EPOCHS": 4,
            "DUEL_DEPLOY_TARGET": "none",
            "PREFECT_HOME": tmp_path / "prefect",
            "PREFECT_SERVER_API_PORT": port,
        }.items()
    )
    done = "duel-finished"
    pane.type(f"{env} {duel_command} run; echo {done}=$?")
    request.addfinalizer(lambda: lasting_server.stop(tmp_path / "prefect"))
    seen_bars = False
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        screen = pane.screen(history=False)
        # The live display, while the jobs run: children finished of expected, started, elapsed of budget.
        seen_bars = seen_bars or bool(re.search(r"hyperdrive .*\d+/2 .*started \d", screen))
        if re.search(rf"^{done}=\d+$", pane.screen(), re.M):
            break
        time.sleep(1.0)
    screen = pane.screen()
    assert re.search(rf"^{done}=0$", screen, re.M), screen[-3000:]
    assert seen_bars, screen[-3000:]
    assert "emulator-only relaxation(s) automl-timeout" in screen, screen[:3000]
    assert re.search(r"automl .*4/4|automl .*\d+/4 .*best normalized_mean_absolute_error", screen), screen
    summary = screen[screen.rindex(" wins by $") - 12 :]
    assert re.search(r"(AutoML|HyperDrive) wins by \$[\d,]+ test MAE \(95 % interval", summary)
    assert len(re.findall(r"test MAE +\$[\d,]+", summary)) == 2
    assert summary.count("http://127.0.0.1:8765/#/runs/") == 2
    assert "Decision:  Not a nightly run" in summary and "Endpoint:  not deployed" in summary
    assert f"Workspace: emulator:{home}" in summary
    # With no Prefect server running, the run started one that stays, its UI holding the run.
    assert f"Prefect: started a server at http://127.0.0.1:{port} that stays up" in screen
    assert lasting_server.healthy(f"http://127.0.0.1:{port}/api")
    report = re.search(r"Report:    (\S+report\.html)", summary).group(1)
    assert report.startswith(str(home / "duel" / "reports"))
