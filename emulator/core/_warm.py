"""A warm interpreter that forks run processes with the heavy libraries already imported.

A HyperDrive trial spends most of its fixed cost importing torch, scikit-learn and pandas (seconds;
``benchmarks/trial_start.py``). :class:`WarmSpawner` keeps one interpreter that
has imported them and forks it for each run: the fork is a process of its own, in its own session
(so ``Run.cancel`` terminates its group for real), with the run's environment, working folder and
driver log, running ``python -m MODULE ARGS`` as a fresh interpreter would. The warm interpreter
starts no threads and opens no store, so forking it is safe.

Run as ``python -m emulator.core._warm MODULE...``: import the modules, then read one JSON request
per line on stdin and answer each with the forked pid on stdout.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import runpy
import signal
import subprocess
import sys
import threading
import traceback
from collections.abc import Sequence
from pathlib import Path

# What a PyTorch or scikit-learn trial imports anyway; missing ones are skipped.
DEFAULT_PRELOAD = (
    "numpy",
    "pandas",
    "torch",
    "sklearn.compose",
    "sklearn.impute",
    "sklearn.model_selection",
    "sklearn.pipeline",
    "sklearn.preprocessing",
    "emulator._child",
)


class WarmSpawner:
    """Starts ``python -m MODULE ARGS`` processes by forking one warm interpreter."""

    def __init__(self, preload: Sequence[str] = DEFAULT_PRELOAD, env: dict[str, str] | None = None):
        self.preload = tuple(preload)
        self.env = env
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def spawn(
        self, arguments: Sequence[str], *, env: dict[str, str], cwd: Path | None, log_path: Path
    ) -> int:
        """Fork a process running ``arguments`` (``["-m", module, *args]``); returns its pid."""
        if len(arguments) < 2 or arguments[0] != "-m":
            raise ValueError(f"a warm spawner runs modules (-m MODULE ...), not {list(arguments)}")
        request = {
            "argv": list(arguments[1:]),
            "env": env,
            "cwd": str(cwd or Path.cwd()),
            "log": str(log_path),
        }
        with self._lock:
            process = self._started()
            process.stdin.write(json.dumps(request) + "\n")
            process.stdin.flush()
            answer = process.stdout.readline()
        if not answer.strip():
            raise RuntimeError(f"the warm interpreter ended (exit code {process.poll()})")
        return int(answer)

    def start(self) -> None:
        """Start the warm interpreter now, so it imports while the caller prepares its first run."""
        with self._lock:
            self._started()

    def _started(self) -> subprocess.Popen:
        if self._process is None or self._process.poll() is not None:
            env = dict(self.env if self.env is not None else os.environ)
            package_root = str(Path(__file__).resolve().parents[2])
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
            self._process = subprocess.Popen(
                [sys.executable, "-m", __name__, *self.preload],
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
        return self._process

    def close(self) -> None:
        """End the warm interpreter; the processes it forked run on."""
        with self._lock:
            if self._process is not None:
                self._process.stdin.close()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._process.wait(timeout=10)
                if self._process.poll() is None:
                    self._process.kill()
                    self._process.wait()
                self._process = None


def _become(request: dict) -> None:
    """In the fork: turn into the requested run process, then exit with its code."""
    code = 1
    try:
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        log = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        os.close(devnull)
        sys.stdin = open(0, closefd=False)  # noqa: SIM115 (lives as long as the process)
        sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
        module, *args = request["argv"]
        sys.argv = [module, *args]
        # As a fresh `python -m` would: its working folder first, then the run's PYTHONPATH.
        extra = [p for p in request["env"].get("PYTHONPATH", "").split(os.pathsep) if p and p not in sys.path]
        sys.path[:1] = [request["cwd"], *extra]
        try:
            runpy.run_module(module, run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def main(preload: Sequence[str]) -> None:
    for name in preload:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    # The forks are independent runs: nobody waits for them here, so let the kernel reap them.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _become(request)
        sys.stdout.write(f"{pid}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
