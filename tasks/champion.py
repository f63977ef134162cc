"""Champion and challenger: one champion at a time, crowned only by the nightly gate or by a person.

The champion is the registered ONNX model version tagged ``champion=true``. Every change is written
to the workspace twice: on the model versions' tags (``champion``, ``promoted_at``/``demoted_at``,
``promoted_by``) and as a run of the history experiment ``<model name>-champion``, whose tags and
metrics say who decided, what, and on which figures — including nights that kept the champion, so
the nightly trend can be read back from the workspace alone.

:class:`Champions` reaches the registry and the history only through the backend seam
(:class:`backends.Backend`); :func:`board` opens the settings' backend for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from backends import Backend
from backends.messages import LoggedRun, RegisteredModel
from tasks.opened import opened_backend
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

    Args:
        challenger_mae: the night's winner's test MAE.
        champion_mae: the champion's test MAE on the same rows; None when there is none.
        margin: how much lower, relatively, the challenger's MAE must be.

    Returns:
        Whether to promote, with both figures.
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


def _label(model: RegisteredModel | None) -> str:
    return model.ref if model is not None else ""


class Champions:
    """The champion of one registered model name in one workspace, and its history."""

    def __init__(self, backend: Backend, model_name: str):
        self._backend = backend
        self._name = model_name
        self._experiment = f"{model_name}-champion"

    def _tagged(self) -> list[RegisteredModel]:
        return list(self._backend.find_models(self._name, {CHAMPION_TAG: "true"}))

    def current(self) -> RegisteredModel | None:
        """The champion version, or None. Should an older tool have tagged several, the latest crowned wins."""
        return max(self._tagged(), key=lambda m: (m.tags.get("promoted_at", ""), m.version), default=None)

    def version(self, version: int) -> RegisteredModel:
        """One registered version, or a ChampionError naming the versions that exist."""
        registered = {m.version: m for m in self._backend.find_models(self._name)}
        if int(version) not in registered:
            raise ChampionError(
                f"model {self._name} has no version {version} (registered: {sorted(registered) or 'none'})"
            )
        return registered[int(version)]

    def crown(self, version: int, *, actor: str, reason: str, action: str = "promote", metrics=None):
        """Make ``version`` the one champion: every other champion is demoted; both are recorded."""
        model = self.version(version)
        previous = self.current()
        if previous is not None and previous.version == model.version:
            raise ChampionError(f"{_label(model)} is already the champion")
        now = _now()
        for other in self._tagged():
            self._backend.add_model_tags(
                other, {CHAMPION_TAG: "false", "demoted_at": now, "demoted_by": actor}
            )
        self._backend.add_model_tags(model, {CHAMPION_TAG: "true", "promoted_at": now, "promoted_by": actor})
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
        kept = {k: float(v) for k, v in metrics.items() if v is not None}
        tags = {"action": action, "champion": champion, "previous": previous, "actor": actor}
        self._backend.log_run(
            LoggedRun(
                self._experiment,
                f"{action} {champion}".strip(),
                {**tags, "reason": reason, "time": now},
                kept,
            )
        )
        return _entry(now, tags, reason, kept)

    def history(self) -> list[HistoryEntry]:
        """Every recorded change and kept night, oldest first."""
        entries = [
            _entry(run.tags["time"], run.tags, run.tags.get("reason", ""), run.metrics)
            for run in self._backend.list_runs(self._experiment)
            if "action" in run.tags
        ]
        # Entries of the same second keep the order they were logged in (runs come newest first).
        return list(reversed(entries))


def _entry(time: str, tags: dict[str, str], reason: str, metrics: dict[str, float]) -> HistoryEntry:
    return HistoryEntry(
        datetime.strptime(time, _TIME_FORMAT).replace(tzinfo=UTC),
        tags["action"],
        tags.get("champion", ""),
        tags.get("previous", ""),
        tags.get("actor", ""),
        reason,
        dict(metrics),
    )


def board(settings: DuelSettings, backend: Backend | None = None) -> Champions:
    """The champion board of the settings' model name, on the settings' backend (or the one given).

    Args:
        settings: the run's settings (the model name).
        backend: the backend to use; None opens the settings' one.

    Returns:
        The champion board of that model name.
    """
    return Champions(backend or opened_backend(settings), settings.model_name)
