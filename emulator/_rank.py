"""One rank of a distributed run: ``python -m emulator._rank RANK SCRIPT [ARGS...]``.

Started by the run's launcher (``emulator.core._distributed``) with the rank's environment. It
runs the script under the import hook like a single-process run, except that ranks other than 0
log no metrics, and it exits non-zero on failure so the launcher fails the run. It also exits if
the launcher disappears, so a killed run leaves no rank behind.
"""

from __future__ import annotations

import os
import sys
import threading
import time

from emulator import hook
from emulator._child import _run_script
from emulator.core.run import Run

_ORPHAN_POLL_SECONDS = 1.0


def _exit_when_orphaned(launcher: int) -> None:
    while os.getppid() == launcher:
        time.sleep(_ORPHAN_POLL_SECONDS)
    os._exit(1)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    rank, script, args = int(argv[0]), argv[1], argv[2:]
    threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), daemon=True).start()
    hook.install()
    if rank:
        Run.get_context()._metrics_muted = True
    status, error = _run_script(script, args)
    if error:
        print(f"rank {rank}: {error['message']}", file=sys.stderr, flush=True)
    return 0 if status == "Completed" else 1


if __name__ == "__main__":
    sys.exit(main())
