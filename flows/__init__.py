"""Prefect flows of the duel.

Importing this package sets two Prefect defaults before Prefect itself is imported (it reads its
settings once, on import), so ``python -m flows.comparison`` works without the Makefile's
environment: no telemetry, and a temporary API server that may take two minutes to start on a
loaded machine (Prefect's own 20 s timed out 1 run in 3 on two quiet cores). A value the user
set wins; with ``PREFECT_API_URL`` set, the flows use that running server and start none.
"""

import os

for _name, _value in (
    ("PREFECT_SERVER_ANALYTICS_ENABLED", "false"),
    ("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120"),
):
    os.environ.setdefault(_name, _value)
