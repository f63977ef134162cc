"""Fail fast: the data, the settings and the backend checked before any Prefect machinery starts.

``duel run`` calls :func:`preflight` before it imports the flow, and the flow calls it again on its
first line (a deployment's parameters and environment arrive only there). What it raises is
deterministic — the same input fails the same way — so :func:`transient_only` keeps such errors
from being retried, and the command prints them as one line with exit code 2.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from backends import BackendSetupError, check
from tasks.housing_csv import DataError, load_housing
from tasks.settings import DuelSettings, resolve_settings


class ConfigError(ValueError):
    """A setting or the backend it names cannot work (bad value, missing SDK, missing config file)."""


DETERMINISTIC = (DataError, ConfigError, ValidationError, BackendSetupError)
"""Errors that a retry cannot change."""


def _one_line(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "settings"
        problems.append(f"{where}: {item['msg']}")
    return "invalid setting(s): " + "; ".join(problems)


def checked_settings(quick: bool = False, **parameters: Any) -> DuelSettings:
    """:func:`tasks.settings.resolve_settings`, its errors as a one-line :class:`ConfigError`.

    Args:
        quick: start from the quick preset.
        **parameters: flow parameters; None values are ignored.

    Returns:
        The settings.
    """
    try:
        return resolve_settings(quick, **parameters)
    except ValidationError as error:
        raise ConfigError(_one_line(error)) from None


def check_backend(settings: DuelSettings) -> None:
    """What can be known about the backend without starting anything on it.

    Args:
        settings: the run's settings.
    """
    try:
        check(settings)
    except BackendSetupError as error:
        raise ConfigError(str(error)) from None


def preflight(settings: DuelSettings) -> None:
    """Validate the data file (all of it, as the flow will read it) and the backend; raise on the first problem.

    Args:
        settings: the run's settings.
    """
    load_housing(
        settings.data, subset=settings.subset, seed=settings.split_seed, cache_dir=settings.cache_dir
    )
    check_backend(settings)


def transient_only(task, task_run, state) -> bool:
    """Prefect's ``retry_condition_fn``: retry unless the failure is one a retry cannot change.

    Args:
        task: the task (unused).
        task_run: the task run (unused).
        state: the failed state.

    Returns:
        False for input errors a retry cannot change, else True.
    """
    error = state.data if isinstance(state.data, BaseException) else None
    if error is None:
        try:
            error = state.result(raise_on_failure=False)
        except Exception as raised:  # a result that cannot be read back is not a reason to give up
            error = raised
    return not isinstance(error, DETERMINISTIC)
