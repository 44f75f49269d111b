"""Registry indicators: a key (``*`` stands for one key name), optionally a value name and data.

A key indicator without a value name matches activity on the key or anywhere under it; with a
value name, only that value of that key (and its data, when the indicator gives data). Keys are
compared in their canonical form (``normalise.registry_key``).

Look-ups walk the event key's ancestors (one dictionary probe per level): exact keys are found
directly, keys with ``*`` through the literal part before their first ``*``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from huntpack.analyzers.indicators.normalise import registry_data, registry_key
from huntpack.intel.indicator import Indicator


@dataclass(frozen=True, slots=True)
class _Entry:
    indicator: Indicator
    value_name: str | None
    value_data: str | None
    pattern: re.Pattern[str] | None = None  # for keys with ``*``: the key, then any subkeys


class RegistryIndex:
    """Registry-key indicators, looked up by an event's key, value name and data."""

    def __init__(self, indicators: Iterable[Indicator]) -> None:
        self.exact: dict[str, list[_Entry]] = {}
        self.wild: dict[str, list[_Entry]] = {}
        for indicator in indicators:
            key = registry_key(indicator.value)
            name = indicator.value_name.lower() if indicator.value_name is not None else None
            data = registry_data(indicator.value_data) if indicator.value_data is not None \
                else None
            if "*" not in key:
                self.exact.setdefault(key, []).append(_Entry(indicator, name, data))
                continue
            literal = key[:key.index("*")].rpartition("\\")[0]
            regex = "\\\\".join(_part(part) for part in key.split("\\"))
            pattern = re.compile(f"{regex}(?P<under>\\\\.*)?")
            self.wild.setdefault(literal, []).append(_Entry(indicator, name, data, pattern))

    def __bool__(self) -> bool:
        return bool(self.exact or self.wild)

    def match(self, key: str, value_name: str | None, data: str | None) -> Iterator[Indicator]:
        """Indicators matching the canonical ``key`` (and the value ``value_name``=``data``)."""
        name = value_name.lower() if value_name is not None else None
        text = registry_data(data) if data is not None else None
        for ancestor in _ancestors(key):
            for entry in self.exact.get(ancestor, ()):
                if _value_matches(entry, ancestor == key, name, text):
                    yield entry.indicator
            for entry in self.wild.get(ancestor, ()):
                assert entry.pattern is not None
                found = entry.pattern.fullmatch(key)
                if found is not None and _value_matches(entry, not found.group("under"), name,
                                                        text):
                    yield entry.indicator


def _ancestors(key: str) -> Iterator[str]:
    """The key, its parent, ... its hive, then "" (for keys whose first part has a ``*``)."""
    while key:
        yield key
        key = key.rpartition("\\")[0]
    yield ""


def _part(part: str) -> str:
    return "[^\\\\]*".join(re.escape(piece) for piece in part.split("*"))


def _value_matches(entry: _Entry, same_key: bool, name: str | None, data: str | None) -> bool:
    if entry.value_name is None:
        return entry.value_data is None or (same_key and data == entry.value_data)
    if not same_key or name != entry.value_name:
        return False
    return entry.value_data is None or data == entry.value_data
