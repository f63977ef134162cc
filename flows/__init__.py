"""Prefect flows of the duel.

Importing this package sets two Prefect defaults before Prefect itself is imported (it reads its
settings once, on import), so ``python -m flows.cli`` works without the Makefile's
environment: no telemetry, and two minutes for a Prefect server to start on a loaded machine (the
lasting one `duel run` starts, or Prefect's temporary one; Prefect's own 20 s is too short on two
cores: benchmarks/RESULTS.md). A value the user set wins; with ``PREFECT_API_URL`` set, the flows use that
running server and start none.
"""

import os

for _name, _value in (
    ("PREFECT_SERVER_ANALYTICS_ENABLED", "false"),
    ("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120"),
):
    os.environ.setdefault(_name, _value)
