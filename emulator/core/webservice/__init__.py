"""``azureml.core.webservice`` in the emulator: deploy registered models as real scoring services.

The modules mirror the SDK's: ``webservice`` (the base class), ``aci``, ``local``, and the
emulator-only ``docker``. Services are real processes (or containers); see ``webservice.py``.
"""

from ..inference_config import InferenceConfig
from .aci import AciServiceDeploymentConfiguration, AciWebservice
from .docker import DockerServiceDeploymentConfiguration, DockerWebservice
from .local import LocalWebservice, LocalWebserviceDeploymentConfiguration
from .webservice import Webservice, WebserviceDeploymentConfiguration, webservice_name_validation

__all__ = [
    "AciServiceDeploymentConfiguration",
    "AciWebservice",
    "DockerServiceDeploymentConfiguration",
    "DockerWebservice",
    "InferenceConfig",
    "LocalWebservice",
    "LocalWebserviceDeploymentConfiguration",
    "Webservice",
    "WebserviceDeploymentConfiguration",
    "webservice_name_validation",
]
