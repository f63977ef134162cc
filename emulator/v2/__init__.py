"""The emulator's Azure ML v2 surface: the REST API ``azure-ai-ml`` calls, over HTTPS, on the same
workspace store as the v1 surface, running what it is given (see ``server.V2Server``)."""

from .server import V2Server

__all__ = ["V2Server"]
