"""Drawing one value from a serialized parameter expression (``["uniform", [0, 1]]``)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np


def _quantize(value: float, q: float) -> float:
    return float(round(value / q) * q)


_DRAWS: dict[str, Callable[..., Any]] = {
    "randint": lambda rng, upper: int(rng.integers(0, upper)),
    "uniform": lambda rng, lo, hi: float(rng.uniform(lo, hi)),
    "quniform": lambda rng, lo, hi, q: _quantize(rng.uniform(lo, hi), q),
    "loguniform": lambda rng, lo, hi: math.exp(rng.uniform(lo, hi)),
    "qloguniform": lambda rng, lo, hi, q: _quantize(math.exp(rng.uniform(lo, hi)), q),
    "normal": lambda rng, mu, sigma: float(rng.normal(mu, sigma)),
    "qnormal": lambda rng, mu, sigma, q: _quantize(rng.normal(mu, sigma), q),
    "lognormal": lambda rng, mu, sigma: math.exp(rng.normal(mu, sigma)),
    "qlognormal": lambda rng, mu, sigma, q: _quantize(math.exp(rng.normal(mu, sigma)), q),
}


def draw(expression: list, rng: np.random.Generator) -> Any:
    """One value of ``expression``; choices keep the option's own Python type."""
    name, args = expression
    if name == "choice":
        options = args[0]
        return options[int(rng.integers(0, len(options)))]
    return _DRAWS[name](rng, *args)
