"""The ``azureml.train.hyperdrive.exceptions`` names."""

from __future__ import annotations

from emulator.exceptions import AzureMLException


class HyperDriveConfigException(AzureMLException):
    """A search space, sampler, policy or HyperDrive configuration is invalid."""
