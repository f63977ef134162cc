"""Parameter expressions: the distributions a HyperDrive search space is built from.

Each function returns the SDK's serialized form, a ``[name, [arguments]]`` list, e.g.
``choice(25, 50, 100) == ["choice", [[25, 50, 100]]]`` and ``loguniform(-6, -1) ==
["loguniform", [-6, -1]]``. Log distributions take *exponents* as bounds: ``loguniform(-6, -1)``
draws ``exp(uniform(-6, -1))``. The ``q`` variants round to a multiple of ``q``:
``round(value / q) * q``.

Every bound must be a finite number (NaN or an infinity would only fail later, inside the running
sweep), and a log distribution's exponents must keep ``exp`` finite in float64.
"""

from __future__ import annotations

import math
from typing import Any

from emulator.train.hyperdrive.exceptions import HyperDriveConfigException

__all__ = [
    "choice",
    "randint",
    "uniform",
    "quniform",
    "loguniform",
    "qloguniform",
    "normal",
    "qnormal",
    "lognormal",
    "qlognormal",
]


# exp(709.78) is the largest float64; beyond it a log distribution's draws overflow.
_MAX_EXPONENT = math.log(1.7976931348623157e308)


def _number(function: str, name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise HyperDriveConfigException(
            f"{function} expects {name} to be a number, got {type(value).__name__}"
        )
    if not math.isfinite(value):
        raise HyperDriveConfigException(f"{function} expects {name} to be a finite number, got {value!r}")


def _exponents(function: str, *values: tuple[str, Any]) -> None:
    for name, value in values:
        if abs(value) > _MAX_EXPONENT:
            raise HyperDriveConfigException(
                f"{function} takes natural-log exponents: {name}={value!r} puts exp({name}) beyond float range "
                f"(|{name}| must be at most {_MAX_EXPONENT:.2f})"
            )


def _bounded(function: str, min_value: Any, max_value: Any, *extra: tuple[str, Any]) -> None:
    _number(function, "min_value", min_value)
    _number(function, "max_value", max_value)
    for name, value in extra:
        _number(function, name, value)
    if min_value >= max_value:
        raise HyperDriveConfigException(f"{function} expects min_value < max_value")


def _gaussian(function: str, mu: Any, sigma: Any, *extra: tuple[str, Any]) -> None:
    for name, value in (("mu", mu), ("sigma", sigma), *extra):
        _number(function, name, value)
    if sigma < 0:
        raise HyperDriveConfigException(f"{function} expects sigma to be a non-negative number")


def _step(function: str, q: Any) -> None:
    if q <= 0:
        raise HyperDriveConfigException(f"{function} expects q to be a positive number")


def choice(*options: Any) -> list:
    """Choose one of discrete ``options``, given either as arguments or as one list or range.

    ``choice(1, 2)``, ``choice([1, 2])`` and ``choice(range(1, 3))`` are all ``["choice", [[1, 2]]]``.
    """
    if not options:
        raise HyperDriveConfigException("Please specify an input for choice.")
    sequences = [o for o in options if isinstance(o, list | tuple | range)]
    if sequences:
        if len(options) > 1:
            raise HyperDriveConfigException(
                "choice expects a single list or range, or a list of values as arguments."
            )
        values = list(sequences[0])
        if not values:
            raise HyperDriveConfigException("Please specify an input for choice.")
    else:
        values = list(options)
    return ["choice", [values]]


def randint(upper: int) -> list:
    """An integer in ``[0, upper)``."""
    if isinstance(upper, bool) or not isinstance(upper, int) or upper <= 0:
        raise HyperDriveConfigException("randint expects a positive number as input")
    return ["randint", [upper]]


def uniform(min_value: float, max_value: float) -> list:
    """A float drawn uniformly from ``[min_value, max_value]``."""
    _bounded("uniform", min_value, max_value)
    return ["uniform", [min_value, max_value]]


def quniform(min_value: float, max_value: float, q: float) -> list:
    """``round(uniform(min_value, max_value) / q) * q``."""
    _bounded("quniform", min_value, max_value, ("q", q))
    _step("quniform", q)
    return ["quniform", [min_value, max_value, q]]


def loguniform(min_value: float, max_value: float) -> list:
    """``exp(uniform(min_value, max_value))``: the bounds are natural-log exponents."""
    _bounded("loguniform", min_value, max_value)
    _exponents("loguniform", ("min_value", min_value), ("max_value", max_value))
    return ["loguniform", [min_value, max_value]]


def qloguniform(min_value: float, max_value: float, q: float) -> list:
    """``round(exp(uniform(min_value, max_value)) / q) * q``."""
    _bounded("qloguniform", min_value, max_value, ("q", q))
    _exponents("qloguniform", ("min_value", min_value), ("max_value", max_value))
    _step("qloguniform", q)
    return ["qloguniform", [min_value, max_value, q]]


def normal(mu: float, sigma: float) -> list:
    """A float drawn from a normal distribution with mean ``mu`` and standard deviation ``sigma``."""
    _gaussian("normal", mu, sigma)
    return ["normal", [mu, sigma]]


def qnormal(mu: float, sigma: float, q: float) -> list:
    """``round(normal(mu, sigma) / q) * q``."""
    _gaussian("qnormal", mu, sigma, ("q", q))
    _step("qnormal", q)
    return ["qnormal", [mu, sigma, q]]


def lognormal(mu: float, sigma: float) -> list:
    """``exp(normal(mu, sigma))``."""
    _gaussian("lognormal", mu, sigma)
    _exponents("lognormal", ("mu", mu))
    return ["lognormal", [mu, sigma]]


def qlognormal(mu: float, sigma: float, q: float) -> list:
    """``round(exp(normal(mu, sigma)) / q) * q``."""
    _gaussian("qlognormal", mu, sigma, ("q", q))
    _exponents("qlognormal", ("mu", mu))
    _step("qlognormal", q)
    return ["qlognormal", [mu, sigma, q]]
