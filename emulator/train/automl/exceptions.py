"""The AutoML exception names (``azureml.train.automl.exceptions``)."""

from __future__ import annotations

from emulator.exceptions import UserErrorException


class ConfigException(UserErrorException, ValueError):
    """An AutoMLConfig setting, or the data it points at, is invalid."""


def invalid_argument(name: str, value: object, supported: object) -> ConfigException:
    """The SDK's ``InvalidArgumentWithSupportedValues`` error for one argument."""
    return ConfigException(
        f"Invalid argument(s) '{name}' specified. Supported value(s): '{supported}'. Got: {value!r}."
    )
