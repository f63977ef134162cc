"""Where trials execute: the sweep controller hands each trial to a ``_TrialExecutor``.

``_LocalProcessExecutor`` (the default) starts each trial as a process on this machine, forked
from a warm interpreter, and pins it to its share of the cores. ``_DaskExecutor`` runs each trial on a worker of a Dask cluster: the
worker starts the trial's process and watches it until it ends, terminating it when the run is
cancelled. The workers must see the same emulator home as the controller (a shared folder), since
every trial reads and writes the workspace store there.
"""

from __future__ import annotations

import os
import time
from abc import ABC, abstractmethod

from emulator.core import _process
from emulator.core._launch import start_script_run
from emulator.core._warm import WarmSpawner
from emulator.store import TERMINAL_STATUSES


class _TrialExecutor(ABC):
    """Starts trials of a sweep; trials report their progress through the workspace store."""

    def open(self) -> None:  # noqa: B027
        """Prepare before the first trial (in the controller's process)."""

    @abstractmethod
    def start(
        self, experiment, config, *, parent, run_id: str, arguments: list[str], cores: list[int]
    ) -> None:
        """Start trial ``run_id`` of ``parent`` running ``config`` with extra ``arguments``.

        ``cores`` is the trial's share of this machine's cores, for executors that place trials
        here; the trial's run record may appear in the store after this returns.
        """

    def lost(self) -> dict[str, str]:
        """{run_id: reason} of trials the executor failed to run (they may have no run record)."""
        return {}

    def close(self) -> None:  # noqa: B027
        """Release what ``open`` took."""


class _LocalProcessExecutor(_TrialExecutor):
    """Each trial is a local process pinned to its cores, so concurrent trials do not oversubscribe.

    With ``warm`` (the default) each trial's process is forked from one interpreter that imported
    the heavy libraries once (``emulator.core._warm``), so a trial starts in a fraction of a second
    instead of paying its imports again; it is still a process of its own, with its own run, driver
    log and session, cancelled by terminating its group.
    """

    def __init__(self, warm: bool = True):
        self.warm = warm
        self._spawner: WarmSpawner | None = None

    def __getstate__(self):
        return {"warm": self.warm, "_spawner": None}

    def open(self):
        if self.warm:
            self._spawner = WarmSpawner()
            self._spawner.start()

    def start(self, experiment, config, *, parent, run_id, arguments, cores):
        run = start_script_run(
            experiment, config, parent=parent, arguments=arguments, run_id=run_id, spawner=self._spawner
        )
        pid = run._record()["pid"]
        if cores and pid and hasattr(os, "sched_setaffinity"):
            try:
                os.sched_setaffinity(pid, cores)
            except OSError:  # the trial may already have ended
                pass

    def close(self):
        if self._spawner is not None:
            self._spawner.close()
            self._spawner = None


def _run_trial_on_worker(
    home: str, workspace: dict, experiment_name: str, parent_id: str, config, run_id, arguments
):
    """On a Dask worker: start the trial, then watch it until it ends; returns its final status."""
    os.environ["DUEL_EMULATOR_HOME"] = home
    from emulator.core import Experiment, Run, Workspace

    ws = Workspace(workspace["subscription_id"], workspace["resource_group"], workspace["name"])
    experiment = Experiment(ws, experiment_name)
    run = start_script_run(
        experiment, config, parent=Run(experiment, parent_id), arguments=arguments, run_id=run_id
    )
    while (status := run.get_status()) not in TERMINAL_STATUSES:
        time.sleep(0.2)
    # A cancel issued from another machine cannot reach this process; end it here.
    record = run._record()
    if record["pid"] and _process.alive(record["pid"], record["pid_started"]):
        _process.terminate_group(record["pid"], record["pid_started"])
    return status


class _DaskExecutor(_TrialExecutor):
    """Trials run on the workers of the Dask scheduler at ``address`` (e.g. ``tcp://10.0.0.5:8786``)."""

    def __init__(self, address: str):
        self.address = address
        self._client = None
        self._futures: dict = {}

    def __getstate__(self):
        return {"address": self.address, "_client": None, "_futures": {}}

    def open(self):
        from distributed import Client

        self._client = Client(self.address)

    def start(self, experiment, config, *, parent, run_id, arguments, cores):
        from emulator.core.workspace import emulator_home

        ws = experiment.workspace
        workspace = {
            "subscription_id": ws.subscription_id,
            "resource_group": ws.resource_group,
            "name": ws.name,
        }
        self._futures[run_id] = self._client.submit(
            _run_trial_on_worker,
            str(emulator_home()),
            workspace,
            experiment.name,
            parent.id,
            config,
            run_id,
            arguments,
            key=run_id,
            pure=False,
        )

    def lost(self):
        return {run_id: repr(f.exception()) for run_id, f in self._futures.items() if f.status == "error"}

    def close(self):
        if self._client is not None:
            self._client.close()
