"""The duel's Azure ML steps as SDK v2 (``azure-ai-ml``) code, for ``DUEL_BACKEND=azure-v2``.

The modules mirror :mod:`backends.sdk_v1` function by function, each taking an ``MLClient`` where
those take a ``Workspace``, so :class:`backends.backend.Backend` drives either. The jobs are
built from the same messages as the SDK v1 configs (:mod:`backends.azure_v2.specs`).
"""

from backends.azure_v2 import datasets, jobs, models, services

__all__ = ["datasets", "jobs", "models", "services"]
