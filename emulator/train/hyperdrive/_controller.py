"""The sweep controller: samples, launches trials, applies the policy, and ends the sweep.

It runs as its own process (``python -m emulator.train.hyperdrive._sweep_process``), started detached
by ``Experiment.submit``: the sweep goes on when the submitting process (a notebook, a flow) ends,
as it does on Azure. Its process id is the HyperDrive run's, so ``HyperDriveRun.cancel()`` from any
process stops it for real, and if it dies the workspace marks the sweep Failed. It reads trials'
metrics and statuses from the store and writes a line per event to ``azureml-logs/hyperdrive.txt``.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

from emulator.core import Experiment, Run
from emulator.store import TERMINAL_STATUSES
from emulator.train.hyperdrive._executors import _LocalProcessExecutor, _TrialExecutor
from emulator.train.hyperdrive._results import best_value, metric_curves

SPEC_FILE = "hyperdrive/sweep.pkl"
_POLL_SECONDS = 0.25


@dataclass
class _SweepSpec:
    """What the controller process needs, as written by the submitting process."""

    config: Any  # the HyperDriveConfig, with resume_from / resume_child_runs replaced by run ids
    resume_from: list[str]
    resume_child_runs: list[str]
    executor: _TrialExecutor = field(default_factory=_LocalProcessExecutor)


@dataclass
class _Trial:
    run_id: str
    parameters: dict
    slot: int
    evaluated: int = 0


def _arguments(parameters: dict) -> list[str]:
    return [str(token) for name, value in parameters.items() for token in (name, value)]


def _machine_cores() -> list[int]:
    return (
        sorted(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else list(range(os.cpu_count() or 1))
    )


def _cores_of(slot: int, concurrency: int) -> list[int]:
    """The cores of trial slot ``slot``: an equal share, wrapping round when trials outnumber cores."""
    cores = _machine_cores()
    share = max(1, len(cores) // concurrency)
    return sorted({cores[(slot * share + j) % len(cores)] for j in range(share)})


class _Controller:
    """Drives one sweep to its end; ``run()`` returns when no trial is left to start or watch."""

    def __init__(self, hd_run, spec: _SweepSpec):
        self.run = hd_run
        self.store = hd_run._store
        self.experiment = hd_run.experiment
        self.spec = spec
        config = spec.config
        self.metric = config._primary_metric_config["name"]
        self.goal = config._primary_metric_config["goal"]
        self.policy = config._policy
        self.max_total = config._max_total_runs
        self.concurrency = min(config._max_concurrent_runs or len(_machine_cores()), self.max_total)
        self.deadline = time.monotonic() + config._max_duration_minutes * 60
        self.sampler = config._hyperparameter_sampling._sampler(self.goal)
        self.queue: list[dict] = []  # parameter sets to run before sampling (resume_child_runs)
        self.active: dict[str, _Trial] = {}
        self.launched = 0
        self.exhausted = False
        self._hd_run_class = type(hd_run)

    def log(self, message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)

    # -- warm start
    def _prior_parameters(self, sweep_id: str) -> dict[str, dict]:
        record = self.store.get_run(sweep_id)
        if record is None or record["type"] != "hyperdrive":
            raise ValueError(f"resume_from: {sweep_id} is not a HyperDrive run of this workspace")
        return self._hd_run_class(
            Experiment(self.experiment.workspace, record["experiment"]), sweep_id
        ).get_hyperparameters()

    def warm_start(self) -> None:
        for sweep_id in self.spec.resume_from:
            parameters = {rid: json.loads(p) for rid, p in self._prior_parameters(sweep_id).items()}
            curves = metric_curves(self.store, parameters, self.metric)
            for run_id, params in parameters.items():
                self.sampler.observe(params, best_value(curves[run_id], self.goal))
            self.log(f"warm start: {len(parameters)} trials of {sweep_id}")
        for run_id in self.spec.resume_child_runs:
            record = self.store.get_run(run_id)
            parent = record and record["parent_id"]
            if not parent:
                raise ValueError(f"resume_child_runs: {run_id} is not a child of a HyperDrive run")
            self.queue.append(json.loads(self._prior_parameters(parent)[run_id]))

    # -- one step
    def _next_parameters(self) -> dict | None:
        if self.queue:
            return self.queue.pop(0)
        return self.sampler.suggest()

    def launch(self) -> None:
        free = sorted(set(range(self.concurrency)) - {t.slot for t in self.active.values()})
        while (
            free
            and self.launched < self.max_total
            and not self.exhausted
            and time.monotonic() < self.deadline
        ):
            parameters = self._next_parameters()
            if parameters is None:
                self.exhausted = True
                self.log("search space exhausted")
                break
            run_id = f"{self.run.id}_{self.launched}"
            slot = free.pop(0)
            self.run.set_tags({f"_aml_system_{run_id}": json.dumps(parameters)})
            self.active[run_id] = _Trial(run_id, parameters, slot)
            self.launched += 1
            self.log(f"start {run_id} {json.dumps(parameters)}")
            self.spec.executor.start(
                self.experiment,
                self.spec.config.run_config,
                parent=self.run,
                run_id=run_id,
                arguments=_arguments(parameters),
                cores=_cores_of(slot, self.concurrency),
            )

    def _status(self, run_id: str, lost: dict[str, str]) -> str | None:
        record = self.store.get_run(run_id)
        if record is None:
            return "Failed" if run_id in lost else None
        if run_id in lost and record["status"] not in TERMINAL_STATUSES:
            Run(self.experiment, run_id).fail(error_details=lost[run_id], error_code="ExecutorError")
            return "Failed"
        return Run(self.experiment, run_id).get_status()

    def watch(self) -> None:
        """Retire ended trials (telling the sampler) and apply the policy to running ones."""
        lost = self.spec.executor.lost()
        statuses = {run_id: self._status(run_id, lost) for run_id in self.active}
        children = [r["run_id"] for r in self.store.search_runs(parent_id=self.run.id)]
        curves = metric_curves(self.store, children, self.metric)
        for run_id, status in statuses.items():
            trial = self.active[run_id]
            if status in TERMINAL_STATUSES:
                self.sampler.observe(trial.parameters, best_value(curves.get(run_id, []), self.goal))
                self.log(f"{run_id} {status}")
                del self.active[run_id]
            elif status == "Running":
                self._apply_policy(trial, curves)

    def _apply_policy(self, trial: _Trial, curves: dict[str, list[float]]) -> None:
        reached = len(curves.get(trial.run_id, []))
        for interval in range(trial.evaluated + 1, reached + 1):
            trial.evaluated = interval
            if self.policy._due(interval) and self.policy._should_cancel(
                trial.run_id, interval, curves, self.goal
            ):
                self.log(f"{self.policy._name} policy cancels {trial.run_id} at interval {interval}")
                Run(self.experiment, trial.run_id).cancel()
                return

    def cancel_active(self, reason: str) -> None:
        for run_id in list(self.active):
            self.log(f"cancel {run_id}: {reason}")
            if self.store.get_run(run_id) is not None:
                Run(self.experiment, run_id).cancel()

    def finished(self) -> bool:
        return not self.active and (self.launched >= self.max_total or self.exhausted)

    def run_sweep(self) -> None:
        self.warm_start()
        self.spec.executor.open()
        try:
            while not self.finished():
                if time.monotonic() >= self.deadline:
                    self.cancel_active("max_duration_minutes reached")
                    self.watch()
                    self.log("max_duration_minutes reached")
                    break
                self.launch()
                time.sleep(_POLL_SECONDS)
                self.watch()
        finally:
            self.spec.executor.close()
        self.run.set_tags({"_aml_system_all_jobs_generated": "true"})
        self.run._finish_sweep()
