"""The ``azureml.train.hyperdrive.exceptions`` names, in the SDK's hierarchy."""

from __future__ import annotations

from emulator.exceptions import AzureMLException


class HyperDriveException(AzureMLException):
    """Base of the HyperDrive errors."""


class HyperDriveConfigException(HyperDriveException):
    """A search space, sampler, policy or HyperDrive configuration is invalid."""


class HyperDriveScenarioNotSupportedException(HyperDriveConfigException):
    """The scenario is not supported."""


class HyperDriveNotImplementedException(HyperDriveScenarioNotSupportedException):
    """A method the SDK declares on HyperDriveRun but does not support."""


class HyperDriveRehydrateException(HyperDriveException):
    """A HyperDrive run could not be read back."""


class HyperDriveServiceException(HyperDriveException):
    """The HyperDrive service reported an error."""
