"""The emulated cloud's names, as azure-ai-ml reads them from its ARM cloud metadata."""

CLOUD = "AzureMLEmulator"
REGION = "local"
