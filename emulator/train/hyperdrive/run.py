"""``HyperDriveRun``: the parent run of a sweep (its submission is in ``_submit``).

The sweep's configuration is recorded on the run as the SDK records it: properties
``primary_metric_config``, ``generator_config``, ``policy_config`` and ``resume_from`` (JSON
strings), ``runTemplate: HyperDrive``; tags ``_aml_system_<setting>`` for the limits and configs,
and ``_aml_system_<child run id>`` holding each trial's hyperparameters as JSON. Trials are child
runs ``HD_<uuid>_<n>``.
"""

from __future__ import annotations

import json
import pickle
import time

from emulator.core import Run
from emulator.core.run import ACTIVE_STATUSES
from emulator.store import TERMINAL_STATUSES
from emulator.train.hyperdrive._controller import SPEC_FILE
from emulator.train.hyperdrive._goal import PrimaryMetricGoal
from emulator.train.hyperdrive._results import best_value, metric_curves
from emulator.train.hyperdrive.exceptions import HyperDriveNotImplementedException

__all__ = ["HyperDriveRun", "PrimaryMetricGoal"]

CONTROLLER_LOG = "azureml-logs/hyperdrive.txt"
_SYSTEM = "_aml_system_"


class HyperDriveRun(Run):
    """The parent run of a HyperDrive sweep; its children are the trials."""

    RUN_TYPE = "hyperdrive"

    def __init__(self, experiment, run_id, hyperdrive_config=None, **kwargs):
        super().__init__(experiment, run_id, **kwargs)
        self._hyperdrive_config = hyperdrive_config

    @property
    def hyperdrive_config(self):
        """The ``HyperDriveConfig`` the sweep was submitted with."""
        if self._hyperdrive_config is None:
            with open(self._store.artifact_path(self.id, SPEC_FILE), "rb") as handle:
                self._hyperdrive_config = pickle.load(handle).config
        return self._hyperdrive_config

    # -- reading results
    def _primary_metric(self) -> tuple[str, str]:
        config = json.loads(self.get_properties()["primary_metric_config"])
        return config["name"], config["goal"]

    def _trials(self, include_resume_from_runs: bool = False) -> list[dict]:
        """Child run records, with those of the sweeps this one resumed from if asked."""
        sweeps = [self.id]
        if include_resume_from_runs:
            sweeps += json.loads(self.get_properties().get("resume_from") or "null") or []
        return [record for sweep in sweeps for record in self._store.search_runs(parent_id=sweep)]

    def _scored(self, records: list[dict]) -> list[tuple[dict, float | None]]:
        name, goal = self._primary_metric()
        curves = metric_curves(self._store, [r["run_id"] for r in records], name)
        return [(r, best_value(curves[r["run_id"]], goal)) for r in records]

    def _ranked(self, scored: list[tuple[dict, float | None]]) -> list[tuple[dict, float | None]]:
        """Best first; runs without the metric last, in creation order."""
        _, goal = self._primary_metric()
        sign = -1.0 if goal == "maximize" else 1.0
        with_metric = sorted((s for s in scored if s[1] is not None), key=lambda s: sign * s[1])
        return with_metric + [s for s in scored if s[1] is None]

    def get_best_run_by_primary_metric(
        self, include_failed=True, include_canceled=True, include_resume_from_runs=True
    ):
        """The child run with the best primary metric, or None if no child logged it."""
        excluded = {"Failed"} if not include_failed else set()
        excluded |= {"Canceled"} if not include_canceled else set()
        records = [r for r in self._trials(include_resume_from_runs) if r["status"] not in excluded]
        ranked = self._ranked(self._scored(records))
        if not ranked or ranked[0][1] is None:
            return None
        return Run(self.experiment, ranked[0][0]["run_id"])

    def get_children_sorted_by_primary_metric(self, top=0, reverse=False, discard_no_metric=False):
        """[{run_id, hyperparameters, best_primary_metric, status}], best first (``reverse``: worst first).

        ``hyperparameters`` is the JSON string the sweep recorded (as in the SDK); children without
        the metric come last unless discarded; ``top=0`` returns all.
        """
        hyperparameters = self.get_hyperparameters()
        ranked = self._ranked(self._scored(self._trials()))
        if reverse:
            with_metric = [s for s in ranked if s[1] is not None][::-1]
            ranked = with_metric + [s for s in ranked if s[1] is None]
        if discard_no_metric:
            ranked = [s for s in ranked if s[1] is not None]
        rows = [
            {
                "run_id": record["run_id"],
                "hyperparameters": hyperparameters.get(record["run_id"]),
                "best_primary_metric": value,
                "status": record["status"],
            }
            for record, value in ranked
        ]
        return rows[:top] if top else rows

    def get_hyperparameters(self):
        """{child run id: its hyperparameters as a JSON string}."""
        child_ids = {r["run_id"] for r in self._trials()}
        return {
            key[len(_SYSTEM) :]: value
            for key, value in self.get_tags().items()
            if key.startswith(_SYSTEM) and key[len(_SYSTEM) :] in child_ids
        }

    def get_metrics(self):
        """{child run id: its metrics} for every trial of the sweep."""
        return {child.id: child.get_metrics() for child in self.get_children()}

    def get_diagnostics(self):
        """Not supported for a sweep, as in the SDK: its controller's log is the run's
        ``azureml-logs/hyperdrive.txt`` (``get_details_with_logs``, ``download_file``)."""
        raise HyperDriveNotImplementedException("Get diagnostics is not implemented for HyperDrive run")

    # -- life cycle
    def get_status(self):
        """The sweep's status; a sweep found ended with trials still active lost its controller
        (killed, crashed), so those trials are cancelled, their processes terminated, right here."""
        status = super().get_status()
        if status in TERMINAL_STATUSES:
            self._cancel_orphaned_trials()
        return status

    def _cancel_orphaned_trials(self) -> None:
        for record in self._store.search_runs(parent_id=self.id, statuses=(*ACTIVE_STATUSES, "NotStarted")):
            Run(self._experiment, record["run_id"])._cancel_self()

    def cancel(self):
        """Stop the controller (no further trials start), then cancel every active trial."""
        self.set_tags({f"{_SYSTEM}cancellation_requested": "true"})
        self._cancel_self()
        for child in self.get_children():
            if child.get_status() not in TERMINAL_STATUSES:
                child._cancel_self()

    def _finish_sweep(self) -> None:
        """Record the best trial and end the sweep: Failed if every trial failed, else Completed."""
        records = self._trials()
        best = self.get_best_run_by_primary_metric(include_resume_from_runs=False)
        if best is not None:
            name, goal = self._primary_metric()
            score = best_value(metric_curves(self._store, [best.id], name)[best.id], goal)
            self.add_properties(
                {"best_child_run_id": best.id, "score": str(score), "best_metric_status": "Succeeded"}
            )
        if records and all(r["status"] == "Failed" for r in records):
            super().fail(
                error_details="All child runs of the HyperDrive run failed.", error_code="AllChildRunsFailed"
            )
        else:
            self.complete()

    def fail(self):
        """Not supported for a sweep, as in the SDK: ``cancel()`` ends one."""
        raise HyperDriveNotImplementedException("Fail is not implemented for HyperDrive run")

    def wait_for_completion(self, show_output=False, wait_post_processing=False, raise_on_error=True):
        """Block until the sweep ends; ``show_output`` shows a progress bar of finished trials."""
        if not show_output:
            return super().wait_for_completion(False, wait_post_processing, raise_on_error)
        from tqdm.auto import tqdm

        total = int(self.get_tags().get(f"{_SYSTEM}max_total_jobs", 0)) or None
        with tqdm(total=total, desc=f"HyperDrive {self.id}", unit="trial") as bar:
            while self.get_status() not in TERMINAL_STATUSES:
                self._update_bar(bar)
                time.sleep(0.5)
            self._update_bar(bar)
        return super().wait_for_completion(False, wait_post_processing, raise_on_error)

    def _update_bar(self, bar) -> None:
        records = self._trials()
        done = [r for r in records if r["status"] in TERMINAL_STATUSES]
        bar.update(len(done) - bar.n)
        scores = [v for _, v in self._scored(done) if v is not None]
        _, goal = self._primary_metric()
        bar.set_postfix(running=len(records) - len(done), best=best_value(scores, goal), refresh=False)


Run.add_type_provider(HyperDriveRun.RUN_TYPE, HyperDriveRun)
