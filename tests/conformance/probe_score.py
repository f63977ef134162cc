"""An entry script whose ``run()`` answers each kind of result Azure's server must send: the body names it.

Served by both servers in ``test_scoring_server.py``; not a model, only the response paths.
"""

import math

import numpy as np
from azureml.contrib.services.aml_response import AMLResponse


def init():
    """Nothing to load."""


def run(raw_data):
    """Answer as the body asks."""
    answers = {
        "dict": lambda: {"a": [1, 2.5, "x", None, True]},
        "text": lambda: "plain text",
        "nan": lambda: {"nan": math.nan, "inf": math.inf, "big": 1e16, "small": 1e-7},
        "numpy": lambda: {"value": np.float32(1.5)},
        "unicode": lambda: {"é": "\u2028 \ud800"},
        "none": lambda: None,
        "teapot": lambda: AMLResponse({"message": "short and stout"}, 418, json_str=True),
        "aml-text": lambda: AMLResponse("plain answer", 202),
        "aml-bytes": lambda: AMLResponse(b"\x00\x01", 200, {"Content-Type": "application/octet-stream"}),
        "aml-headers": lambda: AMLResponse("x", 200, {"X-Custom": "a, b", "Cache-Control": "no-store"}),
        "aml-none": lambda: AMLResponse(None, 204 - 3),
        "aml-503": lambda: AMLResponse({"message": "busy"}, 503, json_str=True),
        "aml-surrogate": lambda: AMLResponse("bad \ud800", 400),
        "aml-json-surrogate": lambda: AMLResponse({"key \ud800": 1}, 400, json_str=True),
        "raise-value": lambda: (_ for _ in ()).throw(ValueError("refused")),
        "raise-key": lambda: {}["missing"],
    }
    return answers.get(raw_data, lambda: {"echo": raw_data})()
