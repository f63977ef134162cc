"""Parameter expressions serialize exactly as the SDK's and refuse what the SDK refuses."""

from __future__ import annotations

import json

import pytest

from emulator.train.hyperdrive import HyperDriveConfigException
from emulator.train.hyperdrive.parameter_expressions import (
    choice,
    lognormal,
    loguniform,
    normal,
    qlognormal,
    qloguniform,
    qnormal,
    quniform,
    randint,
    uniform,
)


@pytest.mark.parametrize(
    ("expression", "serialized"),
    [
        (choice(25, 50, 100), '["choice", [[25, 50, 100]]]'),
        (choice([25, 50, 100]), '["choice", [[25, 50, 100]]]'),
        (choice(range(1, 4)), '["choice", [[1, 2, 3]]]'),
        (randint(10), '["randint", [10]]'),
        (uniform(0, 1), '["uniform", [0, 1]]'),
        (quniform(0, 10, 2), '["quniform", [0, 10, 2]]'),
        (loguniform(-6, -1), '["loguniform", [-6, -1]]'),
        (qloguniform(-6, -1, 1), '["qloguniform", [-6, -1, 1]]'),
        (normal(0, 1), '["normal", [0, 1]]'),
        (qnormal(0, 1, 1), '["qnormal", [0, 1, 1]]'),
        (lognormal(0, 1), '["lognormal", [0, 1]]'),
        (qlognormal(0, 1, 1), '["qlognormal", [0, 1, 1]]'),
    ],
)
def test_expression_serializes_as_the_sdk(expression, serialized):
    assert json.dumps(expression) == serialized


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: choice(), "Please specify an input for choice."),
        (lambda: choice([]), "Please specify an input for choice."),
        (lambda: choice([1, 2], [3]), "choice expects a single list or range"),
        (lambda: randint(0), "randint expects a positive number as input"),
        (lambda: randint(2.5), "randint expects a positive number as input"),
        (lambda: uniform(1, 1), "uniform expects min_value < max_value"),
        (lambda: loguniform(-1, -6), "loguniform expects min_value < max_value"),
        (lambda: uniform("0", 1), "uniform expects min_value to be a number"),
        (lambda: quniform(0, 10, 0), "quniform expects q to be a positive number"),
        (lambda: normal(0, "1"), "normal expects sigma to be a number"),
    ],
)
def test_invalid_expression_raises_config_exception_naming_the_problem(make, message):
    with pytest.raises(HyperDriveConfigException, match=message):
        make()
