"""Champion and challenger: one champion at a time, crowned only by the nightly gate or by a person.

The champion is the registered ONNX model version tagged ``champion=true``. Every change is written
to the workspace twice: on the model versions' tags (``champion``, ``promoted_at``/``demoted_at``,
``promoted_by``) and as a run of the history experiment ``<model name>-champion``, whose tags and
metrics say who decided, what, and on which figures — including nights that kept the champion, so
the nightly trend can be read back from the workspace alone.

:class:`Champions` is written against the SDK v1 names (``Model``, ``Model.list``, ``add_tags``,
``Experiment``, ``start_logging``) handed in by the caller; :func:`board` hands it the backend's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from tasks.backend import sdk, workspace
from tasks.settings import DuelSettings

CHAMPION_TAG = "champion"
GATE = "nightly-gate"
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class ChampionError(ValueError):
    """A promotion or rollback that cannot be done as asked (unknown version, nothing to roll back to)."""


@dataclass(frozen=True)
class GateDecision:
    """The nightly gate's verdict: both ONNX copies re-scored on the same night's test rows."""

    promote: bool
    challenger_mae: float
    champion_mae: float | None
    margin: float
    reason: str


def gate(challenger_mae: float, champion_mae: float | None, margin: float) -> GateDecision:
    """Promote when there is no champion, or when the challenger's MAE is below the champion's by ``margin``.

    ``margin`` is relative: 0.01 asks for a test MAE at least 1 % lower than the champion's, so a
    retrained copy of the same model (noise) does not replace the champion night after night.
    """
    if not 0.0 <= margin < 1.0:
        raise ChampionError(f"promotion margin must be in [0, 1), got {margin}")
    if champion_mae is None:
        return GateDecision(True, challenger_mae, None, margin, "no champion yet: the challenger is crowned")
    needed = champion_mae * (1.0 - margin)
    promote = challenger_mae < needed
    verb = "beats" if promote else "does not beat"
    return GateDecision(
        promote,
        challenger_mae,
        champion_mae,
        margin,
        f"challenger test MAE ${challenger_mae:,.2f} {verb} the champion's ${champion_mae:,.2f} "
        f"(both ONNX copies on the same rows) by the {margin:.1%} margin (needed below ${needed:,.2f})",
    )


@dataclass(frozen=True)
class HistoryEntry:
    """One record of the history experiment: a crowning, a rollback, or a night that kept the champion."""

    time: datetime
    action: str  # "promote", "rollback" or "keep"
    champion: str  # name:version of the champion after this entry ("" if none)
    previous: str  # name:version of the champion before it ("" if none)
    actor: str
    reason: str
    metrics: dict[str, float] = field(default_factory=dict)


def _now() -> str:
    return datetime.now(UTC).strftime(_TIME_FORMAT)


def _label(model) -> str:
    return f"{model.name}:{model.version}" if model is not None else ""


class Champions:
    """The champion of one registered model name in one workspace, and its history."""

    def __init__(self, workspace, model_name: str, *, model_cls, experiment_cls):
        self._ws = workspace
        self._name = model_name
        self._model = model_cls
        self._experiment = experiment_cls(workspace, f"{model_name}-champion")

    def _tagged(self) -> list:
        return [m for m in self._model.list(self._ws, name=self._name) if m.tags.get(CHAMPION_TAG) == "true"]

    def current(self):
        """The champion version, or None. Should an older tool have tagged several, the latest crowned wins."""
        return max(
            self._tagged(), key=lambda m: (m.tags.get("promoted_at", ""), int(m.version)), default=None
        )

    def version(self, version: int):
        """One registered version, or a ChampionError naming the versions that exist."""
        versions = sorted(int(m.version) for m in self._model.list(self._ws, name=self._name))
        if int(version) not in versions:
            raise ChampionError(
                f"model {self._name} has no version {version} (registered: {versions or 'none'})"
            )
        return self._model(self._ws, name=self._name, version=int(version))

    def crown(self, version: int, *, actor: str, reason: str, action: str = "promote", metrics=None):
        """Make ``version`` the one champion: every other champion is demoted; both are recorded."""
        model = self.version(version)
        previous = self.current()
        if previous is not None and int(previous.version) == int(model.version):
            raise ChampionError(f"{_label(model)} is already the champion")
        now = _now()
        for other in self._tagged():
            other.add_tags({CHAMPION_TAG: "false", "demoted_at": now, "demoted_by": actor})
        model.add_tags({CHAMPION_TAG: "true", "promoted_at": now, "promoted_by": actor})
        return self._record(action, _label(model), _label(previous), actor, reason, metrics or {}, now)

    def keep(self, *, reason: str, metrics=None) -> HistoryEntry:
        """Record a night whose challenger did not pass the gate."""
        champion = _label(self.current())
        return self._record("keep", champion, champion, GATE, reason, metrics or {}, _now())

    def rollback(self, *, actor: str, reason: str) -> HistoryEntry:
        """Crown again the champion that the current one replaced."""
        current = self.current()
        if current is None:
            raise ChampionError(f"model {self._name} has no champion to roll back")
        crowned = [e for e in self.history() if e.action != "keep" and e.champion == _label(current)]
        previous = crowned[-1].previous if crowned else ""
        if not previous:
            raise ChampionError(f"{_label(current)} replaced no earlier champion: nothing to roll back to")
        return self.crown(int(previous.rsplit(":", 1)[1]), actor=actor, reason=reason, action="rollback")

    def _record(self, action, champion, previous, actor, reason, metrics, now) -> HistoryEntry:
        run = self._experiment.start_logging(display_name=f"{action} {champion}".strip())
        run.set_tags(
            {
                "action": action,
                "champion": champion,
                "previous": previous,
                "actor": actor,
                "reason": reason,
                "time": now,
            }
        )
        for name, value in metrics.items():
            if value is not None:
                run.log(name, float(value))
        run.complete()
        return HistoryEntry(
            datetime.strptime(now, _TIME_FORMAT).replace(tzinfo=UTC),
            action,
            champion,
            previous,
            actor,
            reason,
            {k: float(v) for k, v in metrics.items() if v is not None},
        )

    def history(self) -> list[HistoryEntry]:
        """Every recorded change and kept night, oldest first."""
        entries = []
        for run in self._experiment.get_runs():
            tags = run.get_tags()
            if "action" not in tags:
                continue
            metrics = {k: v for k, v in run.get_metrics().items() if isinstance(v, int | float)}
            entries.append(
                HistoryEntry(
                    datetime.strptime(tags["time"], _TIME_FORMAT).replace(tzinfo=UTC),
                    tags["action"],
                    tags.get("champion", ""),
                    tags.get("previous", ""),
                    tags.get("actor", ""),
                    tags.get("reason", ""),
                    metrics,
                )
            )
        # Entries of the same second keep the order they were logged in (runs come newest first).
        return list(reversed(entries))


def board(settings: DuelSettings) -> Champions:
    """The champion board of the settings' model name, through the backend's SDK names."""
    api = sdk(settings.backend)
    return Champions(
        workspace(settings), settings.model_name, model_cls=api.Model, experiment_cls=api.Experiment
    )
