"""The AutoML parent run's own process: featurize, search, ensemble, report.

Started by ``AutoMLConfig._submit_to`` as ``python -m emulator.train.automl._driver`` in a new
process group, so cancelling the parent run stops this process and every iteration with it. Its
stdout is the run's driver log, where the live leaderboard appears.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np

from emulator.core.run import Run
from emulator.relax import FIRST_ITERATION_GRACE, USED_PROPERTY
from emulator.train.automl import metrics as M
from emulator.train.automl._budget import Budget, consume_until
from emulator.train.automl._executor import Finished, IterationPool
from emulator.train.automl._final import build_ensembles, explain, feature_importances
from emulator.train.automl._leaderboard import Leaderboard
from emulator.train.automl._onnx_layout import raw_column_types
from emulator.train.automl._onnx_outputs import write_onnx_outputs
from emulator.train.automl._paths import GUARDRAILS, INPUTS, MODEL
from emulator.train.automl._validation import choose_scheme
from emulator.train.automl._worker import IterationTask
from emulator.train.automl.featurization import engineered_feature_names, plan_featurization
from emulator.train.automl.pipeline import with_featurizer
from emulator.train.automl.run import AutoMLRun
from emulator.train.automl.search import CostAwareSearch

SEED = 42
# Stop after this many finished iterations without a better score (SDK-like early stopping).
_EARLY_STOP_WINDOW = 20
_MIN_IMPROVEMENT = 1e-4
_POLL_SECONDS = 0.5


def cost_seconds(done: Finished) -> float:
    """What an iteration teaches the search about fit times: the fit's own seconds, not the process's.

    The first iteration also waits for the fork server's imports (seconds on a busy machine), which
    would make every later, larger configuration look too slow to try. A failed iteration has only
    the process's time.
    """
    return done.result.fit_seconds if done.result is not None else done.seconds


@dataclass
class _Outcome:
    """A finished search iteration the ensembles can use."""

    iteration: int
    name: str
    loss: float
    model_path: str
    predictions_path: str


class Driver:
    """Runs one AutoML experiment for the parent ``run`` from the submitted ``inputs``."""

    def __init__(self, run: Run, inputs: dict, workdir: Path):
        self.run = run
        self.settings = inputs["settings"]
        # The clock starts at submission: featurizing the data below already spends the budget.
        self.budget = self._budget(self._n_ensembles(), run._record()["created"])
        self.models = inputs["models"]
        self.primary = self.settings["primary_metric"]
        # Opt-in (emulator.relax): the first iteration starts and finishes whatever the time.
        self.grace = FIRST_ITERATION_GRACE in inputs.get("relaxations", ())
        self.overrun: str | None = None
        self.workdir = workdir
        self.leaderboard = Leaderboard(self.primary, _MIN_IMPROVEMENT)
        self._prepare(inputs)

    # -- data
    def _prepare(self, inputs: dict) -> None:
        label = self.settings["label_column_name"]
        train, valid = inputs["training"], inputs["validation"]
        train = train[train[label].notna()]
        valid = valid[valid[label].notna()] if valid is not None else None
        features = train.drop(columns=[label])
        plan = plan_featurization(features, inputs["featurization"], label=train[label])
        self.log_label = plan.log_label
        self.scheme = choose_scheme(
            len(train), len(valid) if valid is not None else 0,
            self.settings["n_cross_validations"], self.settings["validation_size"], SEED,
        )  # fmt: skip
        self.featurizer = plan.build().fit(features)
        frames = [features] + ([valid.drop(columns=[label])] if valid is not None else [])
        self.raw_features = features
        X = np.vstack([self.featurizer.transform(f) for f in frames]).astype(np.float64)
        self.y = np.concatenate(
            [train[label].to_numpy(float)] + ([valid[label].to_numpy(float)] if valid is not None else [])
        )
        np.save(self.workdir / "X.npy", X)
        np.save(self.workdir / "y.npy", self.y)
        np.save(self.workdir / "folds.npy", self.scheme.folds)
        self.y_range = float(self.y.min()), float(self.y.max())
        self._upload_json("outputs/featurization_summary.json", plan.summary())
        self._upload_json("outputs/engineered_feature_names.json", engineered_feature_names(self.featurizer))
        self._upload_json(GUARDRAILS, plan.guardrails(self.scheme.description))

    def _upload_json(self, name: str, value) -> None:
        path = self.workdir / Path(name).name
        path.write_text(json.dumps(value, indent=2))
        self.run.upload_file(name, str(path))

    # -- the search loop
    def _threads(self) -> int:
        """Threads per iteration: this experiment's share of the cores that are not already busy.

        Oversubscribed OpenMP threads cost far more than they give (a 2-thread LightGBM fit took
        ten times longer than a 1-thread fit on 2 busy cores).
        """
        cores = len(os.sched_getaffinity(0))
        idle = max(1, round(cores - os.getloadavg()[0]))
        share = max(1, min(cores, idle) // self.settings["max_concurrent_iterations"])
        wanted = self.settings["max_cores_per_iteration"]
        return share if wanted in (-1, None) else max(1, min(wanted, share))

    def _budget(self, n_ensembles: int, created: float) -> Budget:
        iterations = self.settings["iterations"]
        if iterations > n_ensembles + 1:
            iterations -= n_ensembles
        return Budget.of(iterations, self.settings["experiment_timeout_hours"], created)

    def _n_ensembles(self) -> int:
        return int(bool(self.settings["enable_voting_ensemble"])) + int(
            bool(self.settings["enable_stack_ensemble"])
        )

    def search(self) -> list[_Outcome]:
        budget = self.budget
        search = CostAwareSearch(
            self.models, self.settings["enable_onnx_compatible_models"], SEED, self.log_label
        )
        pool = IterationPool(self.settings["max_concurrent_iterations"])
        iteration_timeout = (self.settings["iteration_timeout_minutes"] or math.inf) * 60
        children: dict[int, Run] = {}
        outcomes: list[_Outcome] = []
        launched, stop_reason = 0, None
        threads = self._threads()
        while True:
            if stop_reason is None:
                stop_reason = self._stop_reason(launched, budget)
            while stop_reason is None and pool.free > 0:
                graced = self.grace and launched == 0
                seconds_left = math.inf if graced else budget.search_seconds_left()
                spec = search.propose(launched, seconds_left)
                if spec is None:
                    stop_reason = "no pipeline left that fits in the remaining time"
                    break
                task = IterationTask(
                    launched, spec, str(self.workdir), str(self.workdir / f"model_{launched}.pkl"),
                    str(self.workdir / f"predictions_{launched}.npy"), threads, SEED, self.scheme.refit,
                )  # fmt: skip
                children[launched] = self._child(launched, spec.name, spec.as_dict())
                pool.start(
                    task,
                    None
                    if math.isinf(min(iteration_timeout, seconds_left))
                    else min(iteration_timeout, seconds_left),
                )
                launched += 1
                stop_reason = self._stop_reason(launched, budget)
            if not pool.running:
                break
            finished = pool.wait(_POLL_SECONDS)
            canceled = {
                i
                for i in (t.iteration for t in pool.running)
                if children[i].get_status() == "CancelRequested"
            }
            finished += pool.stop(canceled, "Canceled by the user.") if canceled else []
            for done in finished:
                outcome = self._record(children[done.task.iteration], done)
                search.report(done.task.iteration, outcome.loss if outcome else None, cost_seconds(done))
                if outcome:
                    outcomes.append(outcome)
        self.stop_reason = stop_reason
        return outcomes

    def _stop_reason(self, launched: int, budget: Budget) -> str | None:
        if launched >= budget.iterations:
            return "iterations reached"
        # Under the grace the first iteration may start until the deadline itself, and then finish.
        graced = self.grace and launched == 0
        if (budget.seconds_left() if graced else budget.search_seconds_left()) <= 0:
            return "experiment timeout reached"
        exit_score = self.settings["experiment_exit_score"]
        if exit_score is not None and self.leaderboard.best_loss <= M.loss(self.primary, exit_score):
            return "experiment_exit_score reached"
        if self.settings["enable_early_stopping"] and self.leaderboard.stale(_EARLY_STOP_WINDOW):
            return f"early stopping: no improvement in the last {_EARLY_STOP_WINDOW} iterations"
        return None

    # -- child runs
    def _child(self, iteration: int, name: str, spec: dict) -> Run:
        child = self.run.child_run(name=name, run_id=f"{self.run.id}_{iteration}")
        child.add_properties(
            {
                "iteration": str(iteration),
                "run_algorithm": spec["algorithm"],
                "run_preprocessor": spec["scaler"] or "",
                "pipeline_spec": json.dumps(spec, default=str),
                "onnx_compatible": str(bool(self.settings["enable_onnx_compatible_models"])),
            }
        )
        return child

    def _log_scores(self, child: Run, scores: dict[str, float], predictions: np.ndarray) -> None:
        for name, value in scores.items():
            child.log(name, value)
        validated = self.scheme.folds >= 0
        child.log_residuals(M.RESIDUALS, M.residuals_artifact(self.y[validated], predictions[validated]))
        child.log_predictions(
            M.PREDICTED_TRUE, M.predicted_true_artifact(self.y[validated], predictions[validated])
        )

    def _save_model(self, child: Run, model, name: str | None = None) -> None:
        path = self.workdir / f"{child.id}_full.pkl"
        joblib.dump(with_featurizer(self.featurizer, model, name), path)
        child.upload_file(MODEL, str(path))

    def _record(self, child: Run, done: Finished) -> _Outcome | None:
        task = done.task
        if done.result is None:
            if "Canceled" in (done.error or ""):
                child.cancel()
            else:
                child.fail(
                    error_details=done.error,
                    error_code="IterationTimeout" if done.timed_out else "SystemError",
                )
            self.leaderboard.add(task.iteration, task.spec.name, None, done.seconds)
            return None
        predictions = np.load(task.predictions_path)
        self._log_scores(child, done.result.metrics, predictions)
        self._save_model(child, joblib.load(task.model_path))
        child.complete()
        self._note_overrun(task.iteration)
        loss = M.loss(self.primary, done.result.metrics[self.primary])
        self.leaderboard.add(task.iteration, task.spec.name, done.result.metrics[self.primary], done.seconds)
        return _Outcome(task.iteration, task.spec.name, loss, task.model_path, task.predictions_path)

    def _note_overrun(self, iteration: int) -> None:
        """Say on the run when the first iteration scored only thanks to ``first-iteration-grace``."""
        late = time.monotonic() - self.budget.search_deadline
        if self.grace and iteration == 0 and late > 0:
            self.overrun = (
                f"{FIRST_ITERATION_GRACE}: iteration 0 finished {late:.1f} s after experiment_timeout "
                "left the search no time (Azure would have cut it)"
            )
            self.run.add_properties({USED_PROPERTY: self.overrun})
            print(f"\n{self.overrun}.", flush=True)

    # -- the whole experiment
    def _closing(self, results, record) -> None:
        """``record`` what the generator ``results`` yields before the deadline; the rest is skipped, and said so."""
        recorded, finished = consume_until(self.budget.closing_seconds_left(), results, record)
        if not finished:
            note = f"{results.__name__} stopped by the experiment timeout after {recorded} result(s)"
            self.skipped.append(note)
            print(f"\n{note}.", flush=True)

    def _record_ensemble(self, ensemble) -> None:
        child = self._child(
            self.next_iteration,
            ensemble.name,
            {"algorithm": ensemble.name, "scaler": None, "members": ensemble.members},
        )
        self._log_scores(child, ensemble.scores, ensemble.predictions)
        self._save_model(child, ensemble.model, ensemble.name)
        child.complete()
        self.leaderboard.add(
            self.next_iteration, ensemble.name, ensemble.scores[self.primary], ensemble.seconds
        )
        self.next_iteration += 1

    def execute(self) -> None:
        self.skipped: list[str] = []
        self.leaderboard.print_header()
        outcomes = self.search()
        n_search = max((o.iteration for o in outcomes), default=-1) + 1
        self.next_iteration = max(n_search, len(list(self.run.get_children())))
        self._closing(build_ensembles(self, outcomes), self._record_ensemble)
        best = self.leaderboard.best_iteration
        if best is None:
            hint = (
                " Consider increasing experiment_timeout_hours."
                if "timeout" in (self.stop_reason or "")
                else ""
            )
            raise RuntimeError(
                f"No iteration completed ({self.stop_reason}); see the child runs for their errors.{hint}"
            )
        if self.settings["enable_onnx_compatible_models"]:
            parent = AutoMLRun(self.run.experiment, self.run.id)
            scored = [child for _, child in parent._scored_children(self.primary)]
            converted = write_onnx_outputs(
                scored, raw_column_types(self.raw_features), self.budget.closing_seconds_left()
            )
            self.run.add_properties({"onnx_model_run_id": converted or ""})
        if self.settings["model_explainability"]:
            best_run = Run.get(self.run.experiment.workspace, f"{self.run.id}_{best}")
            self._closing(
                feature_importances(best_run, self.raw_features, self.y),
                lambda importances: explain(best_run, importances, self.raw_features),
            )
        self.run.add_properties(
            {
                "best_iteration": str(best),
                "stop_reason": self.stop_reason or "",
                "skipped": "; ".join(self.skipped),
            }
        )
        print(
            f"\nStopped: {self.stop_reason}. Best iteration {best}: {self.leaderboard.best_name}.", flush=True
        )


def main() -> None:
    run = Run.get_context(allow_offline=False)
    workdir = Path(tempfile.mkdtemp(prefix="automl-"))
    try:
        run.download_file(INPUTS, str(workdir / "inputs.pkl"))
        inputs = joblib.load(workdir / "inputs.pkl")
        run.start()
        Driver(run, inputs, workdir).execute()
        run.complete()
    except Exception as error:
        run.fail(error_details=error, error_code="SystemError")
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
