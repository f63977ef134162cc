"""The SDK's authentication classes, with its signatures.

The emulator needs no token, so each class only keeps what it was given; the step code that
chooses among them (service principal, managed identity, Azure CLI, interactive) runs unchanged
offline and on Azure.
"""

from __future__ import annotations

from emulator.exceptions import AuthenticationException


class AbstractAuthentication:
    def __init__(self, cloud=None):
        self._cloud_type = cloud or "AzureCloud"

    def get_authentication_header(self):
        return {"Authorization": "Bearer emulator"}


class InteractiveLoginAuthentication(AbstractAuthentication):
    def __init__(self, force=False, tenant_id=None, cloud=None):
        super().__init__(cloud)
        self._force = force
        self._tenant_id = tenant_id


class ServicePrincipalAuthentication(AbstractAuthentication):
    def __init__(
        self,
        tenant_id,
        service_principal_id,
        service_principal_password,
        cloud="AzureCloud",
        _enable_caching=True,
    ):
        super().__init__(cloud)
        self._tenant_id = tenant_id
        self._service_principal_id = service_principal_id
        self._service_principal_password = service_principal_password


class AzureCliAuthentication(AbstractAuthentication):
    def __init__(self, cloud=None):
        super().__init__(cloud)


class MsiAuthentication(AbstractAuthentication):
    def __init__(self, cloud=None, **kwargs):
        super().__init__(cloud)
        self._identity_config = kwargs.get("identity_config")


class TokenAuthentication(AbstractAuthentication):
    """A token from the caller's ``get_token_for_audience(audience)``, as the SDK's; the emulator
    asks for one only when a header is wanted."""

    def __init__(self, get_token_for_audience, cloud=None):
        super().__init__(cloud)
        if get_token_for_audience is None:
            raise AuthenticationException("get_token_for_audience cannot be null.")
        self._get_token_for_audience = get_token_for_audience
