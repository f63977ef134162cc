"""The ``azureml.exceptions`` names, raised by the emulator where the SDK raises them."""

from __future__ import annotations


class AzureMLException(Exception):
    """Base of every emulator error, as in the SDK."""

    def __init__(self, exception_message: str = "", inner_exception: BaseException | None = None, **kwargs):
        super().__init__(exception_message)
        self.message = exception_message
        self.inner_exception = inner_exception


class UserErrorException(AzureMLException):
    """The caller passed something the service would refuse."""


class AuthenticationException(AzureMLException):
    """A credential was refused (the emulator accepts any; the real SDK raises it on token errors)."""


class WorkspaceException(AzureMLException):
    """A workspace could not be found, read or created."""


class ExperimentExecutionException(AzureMLException):
    """A run could not be submitted or launched."""


class RunEnvironmentException(AzureMLException):
    """``Run.get_context(allow_offline=False)`` outside a run."""


class ActivityFailedException(AzureMLException):
    """``wait_for_completion(raise_on_error=True)`` on a run that ended Failed."""


class ComputeTargetException(AzureMLException):
    """A compute target is missing or its configuration is invalid."""


class WebserviceException(AzureMLException):
    """A web service or model operation failed."""


class ModelNotFoundException(WebserviceException):
    """No registered model matches.

    The SDK raises either this or ``WebserviceException("ModelNotFound: ...")`` depending on the
    call; deriving from ``WebserviceException`` lets code catch either.
    """


class ModelPathNotFoundException(AzureMLException):
    """``Model.get_model_path`` found no local copy of the model."""


class ServiceException(AzureMLException):
    """The (emulated) service refused a request, e.g. a conflicting artifact upload."""


class RunConfigurationException(AzureMLException):
    """A run configuration is invalid."""
