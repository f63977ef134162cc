"""The SDK's authentication classes; the emulator needs no credentials, so they only keep their arguments."""

from __future__ import annotations


class AbstractAuthentication:
    def __init__(self, *args, **kwargs):
        self._args = args
        self._kwargs = kwargs

    def get_authentication_header(self):
        return {"Authorization": "Bearer emulator"}


class InteractiveLoginAuthentication(AbstractAuthentication):
    pass


class ServicePrincipalAuthentication(AbstractAuthentication):
    pass


class AzureCliAuthentication(AbstractAuthentication):
    pass


class MsiAuthentication(AbstractAuthentication):
    pass
