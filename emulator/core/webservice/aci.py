"""``azureml.core.webservice.aci``: Azure Container Instances services, served on 127.0.0.1."""

from __future__ import annotations

from typing import Any

from ...exceptions import WebserviceException
from ._staging import _restage
from .webservice import Webservice, WebserviceDeploymentConfiguration


class AciServiceDeploymentConfiguration(WebserviceDeploymentConfiguration):
    def __init__(self, **settings):
        self.__dict__.update(settings)
        self.validate_configuration()


class AciWebservice(Webservice):
    """An Azure Container Instances service; the emulator serves it on 127.0.0.1."""

    _webservice_type = "ACI"

    def run(self, input_data):
        return super().run(input_data)

    @staticmethod
    def deploy_configuration(
        cpu_cores=None,
        memory_gb=None,
        tags=None,
        properties=None,
        description=None,
        location=None,
        auth_enabled=None,
        ssl_enabled=None,
        enable_app_insights=None,
        ssl_cert_pem_file=None,
        ssl_key_pem_file=None,
        ssl_cname=None,
        dns_name_label=None,
        primary_key=None,
        secondary_key=None,
        collect_model_data=None,
        cmk_vault_base_url=None,
        cmk_key_name=None,
        cmk_key_version=None,
        vnet_name=None,
        subnet_name=None,
    ):
        settings = dict(locals())
        return AciServiceDeploymentConfiguration(**settings)

    def update(
        self,
        image=None,
        tags=None,
        properties=None,
        description=None,
        auth_enabled=None,
        ssl_enabled=None,
        ssl_cert_pem_file=None,
        ssl_key_pem_file=None,
        ssl_cname=None,
        enable_app_insights=None,
        models=None,
        inference_config=None,
    ):
        """Change the service; new models, entry script or auth restart it (``wait_for_deployment`` after)."""
        given = (image, tags, properties, description, auth_enabled, ssl_enabled, ssl_cert_pem_file)
        given += (ssl_key_pem_file, ssl_cname, enable_app_insights, models, inference_config)
        if all(value is None for value in given):
            raise WebserviceException("No parameters provided to update.")
        fields: dict[str, Any] = {}
        if tags is not None:
            fields["tags"] = tags
        if properties is not None:
            fields["properties"] = {**self.properties, **properties}
        if description:
            fields["description"] = description
        restart = models is not None or inference_config is not None
        if auth_enabled is not None and auth_enabled != self.auth_enabled:
            fields["authEnabled"] = bool(auth_enabled)
            restart = True
        _restage(self._folder, fields, models, inference_config)
        if restart:
            self._restart(**fields)
        else:
            self._save(**fields)


AciServiceDeploymentConfiguration._webservice_type = AciWebservice
