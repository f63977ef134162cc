"""``azureml.core.webservice.local``: services on this machine, served by a local process."""

from __future__ import annotations

from typing import Any

from ...exceptions import WebserviceException
from ._staging import _restage
from .webservice import _ASSET, Webservice, WebserviceDeploymentConfiguration


class LocalWebserviceDeploymentConfiguration(WebserviceDeploymentConfiguration):
    def __init__(self, port=None):
        self.port = port
        self.validate_configuration()


class LocalWebservice(Webservice):
    """A service on this machine, served by a local process (keys off, as for the SDK's local services)."""

    _webservice_type = "Local"

    def __init__(self, workspace, name, must_exist=True):
        if not must_exist and workspace._store.get_asset(_ASSET, name) is None:
            raise WebserviceException(
                f"WebserviceNotFound: Webservice with name {name} not found in provided workspace"
            )
        super().__init__(workspace, name)

    @staticmethod
    def deploy_configuration(port=None):
        return LocalWebserviceDeploymentConfiguration(port=port)

    @classmethod
    def _create(cls, workspace, name, models, inference_config, config, overwrite):
        # the SDK's local deployment blocks until the container answers
        service = super()._create(workspace, name, models, inference_config, config, overwrite)
        service.wait_for_deployment()
        return service

    def reload(self, wait=False):
        """Restart the server, picking up edits to the staged entry script and models."""
        self._restart()
        if wait:
            self.wait_for_deployment()

    def update(
        self, models=None, image_config=None, deployment_config=None, wait=False, inference_config=None
    ):
        """Restage models and/or the entry script, move to ``deployment_config.port``, and restart."""
        fields: dict[str, Any] = {}
        port = getattr(deployment_config, "port", None)
        if port:
            fields.update(
                port=port,
                scoringUri=f"http://127.0.0.1:{port}/score",
                swaggerUri=f"http://127.0.0.1:{port}/swagger.json",
            )
        _restage(self._folder, fields, models, inference_config)
        self._restart(**fields)
        if wait:
            self.wait_for_deployment()

    def get_logs(self, num_lines=5000, raw=False):
        return super().get_logs(num_lines=num_lines)

    # The SDK's LocalWebservice declares these with narrower signatures than Webservice's.
    def run(self, input_data):
        return super().run(input_data)

    def regen_key(self, key):
        return super().regen_key(key)

    def update_deployment_state(self, must_exist=False):
        return super().update_deployment_state()

    def wait_for_deployment(self, show_output=False):
        return super().wait_for_deployment(show_output=show_output)

    @staticmethod
    def list(workspace, model_name=None, model_id=None, all=None):
        """Local services of the workspace (``all`` is accepted for the SDK's sake: every service is listed)."""
        services = Webservice.list(workspace, model_name=model_name, model_id=model_id)
        return [service for service in services if isinstance(service, LocalWebservice)]

    def delete(self, delete_cache=True, delete_image=False, delete_volume=True):
        super().delete()


LocalWebserviceDeploymentConfiguration._webservice_type = LocalWebservice
