"""How fast `duel run` refuses bad data: the wall time of each bad file, target under 10 s.

Runs the real command (`python -m flows.cli run --quick`) once per bad input, as a person would
type it, and prints each case's wall time, exit code and the one line it printed, with the load
average. The files are made from a valid two-row file in a temporary folder.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bad_input.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from training.schema import ALL_COLUMNS, CATEGORICAL_COLUMN, LABEL

TARGET_SECONDS = 10.0
REPO = Path(__file__).resolve().parents[1]


def _rows() -> list[list[str]]:
    values = {column: ["-122.23", "37.88"] for column in ALL_COLUMNS}
    values[LABEL] = ["452600.0", "358500.0"]
    values[CATEGORICAL_COLUMN] = ["NEAR BAY", "INLAND"]
    header = list(ALL_COLUMNS)
    return [header, *([values[c][i] for c in header] for i in range(2))]


def write_bad_files(folder: Path) -> dict[str, Path]:
    """The four bad inputs of issue 14, by name: a missing file, a missing column, a `;`-delimited
    file and a non-numeric cell (row 3 of the file, first column)."""
    rows = _rows()
    label = rows[0].index(LABEL)
    cases = {
        "missing column": [[c for i, c in enumerate(r) if i != label] for r in rows],
        "semicolon-delimited": rows,
        "non-numeric cell": [rows[0], rows[1], ["abc", *rows[2][1:]]],
    }
    paths = {"missing file": folder / "no-such-housing.csv"}
    for name, content in cases.items():
        path = folder / f"{name.replace(' ', '-')}.csv"
        sep = ";" if name == "semicolon-delimited" else ","
        path.write_text("\n".join(sep.join(row) for row in content) + "\n")
        paths[name] = path
    return paths


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="duel-bad-input-") as folder:
        cases = write_bad_files(Path(folder))
        print(
            f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)"
        )
        worst = 0.0
        for name, path in cases.items():
            env = {**os.environ, "PYTHONPATH": str(REPO), "DUEL_DATA": str(path)}
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "flows.cli", "run", "--quick"],
                cwd=REPO,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            wall = time.perf_counter() - start
            worst = max(worst, wall)
            lines = done.stderr.strip().splitlines()
            print(
                f"{name:<20} {wall:5.2f} s  exit {done.returncode}  {len(lines)} line(s): {lines[0] if lines else ''}"
            )
        verdict = "met" if worst < TARGET_SECONDS else "NOT met"
        print(f"slowest {worst:.2f} s (target < {TARGET_SECONDS:.0f} s: {verdict})")
        print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
