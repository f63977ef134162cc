"""The SDK's tag and property filter (``Run.list``, ``Model.list``, ``Webservice.list``), once."""

from __future__ import annotations


def matches(values: dict, wanted) -> bool:
    """Whether ``values`` pass ``wanted``: ``None`` passes everything; a string is a key that must
    exist; a dict maps keys to the value each must have (``None``: only exist); a list holds keys
    and ``[key, value]`` pairs."""
    if wanted is None:
        return True
    if isinstance(wanted, str):
        return wanted in values
    if isinstance(wanted, dict):
        return all(k in values and (v is None or values[k] == v) for k, v in wanted.items())
    for entry in wanted:
        if isinstance(entry, str | bytes):
            if entry not in values:
                return False
        elif len(entry) != 2 or values.get(entry[0]) != entry[1]:
            return False
    return True
