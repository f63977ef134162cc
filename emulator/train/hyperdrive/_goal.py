"""``PrimaryMetricGoal``, shared by the sweep's configuration and its run (the SDK exports it from both)."""

import enum


class PrimaryMetricGoal(enum.Enum):
    """Whether the primary metric is to be maximized or minimized."""

    MAXIMIZE = "MAXIMIZE"
    MINIMIZE = "MINIMIZE"
