"""Telemetry: which ATT&CK data components an event gives evidence of.

The mapping is data (``intel/data/telemetry.yaml``): Windows channel + event id, a source's
``LogSource.kind`` (e-mail, sign-in logs, packet captures, files...) and Sigma categories, each to
ATT&CK v18 data component names. Coverage uses it to tell "assessed" from "blind".
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from huntpack.intel.document import read_yaml_document, validate_document
from huntpack.model import LogSource

TELEMETRY_FILE = Path(__file__).parent / "data" / "telemetry.yaml"


class ChannelMap(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: str
    aliases: tuple[str, ...] = ()
    events: dict[int, tuple[str, ...]] = Field(min_length=1)


class TelemetryMap(BaseModel):
    """The whole of ``telemetry.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: int = 1
    channels: tuple[ChannelMap, ...] = ()
    kinds: dict[str, tuple[str, ...]] = {}
    categories: dict[str, tuple[str, ...]] = {}
    services: dict[str, tuple[str, ...]] = {}

    def channel(self, name: str) -> ChannelMap | None:
        wanted = name.strip().lower()
        for entry in self.channels:
            if wanted == entry.channel.lower() or wanted in (a.lower() for a in entry.aliases):
                return entry
        return None

    def component_names(self) -> frozenset[str]:
        """Every data component name the map uses."""
        names = {n for c in self.channels for names in c.events.values() for n in names}
        names.update(n for names in self.kinds.values() for n in names)
        names.update(n for names in self.categories.values() for n in names)
        names.update(n for names in self.services.values() for n in names)
        return frozenset(names)


@functools.lru_cache(maxsize=2)
def load_telemetry_map(path: Path = TELEMETRY_FILE) -> TelemetryMap:
    return validate_document(TelemetryMap, read_yaml_document(path))


def data_components_of(
    channel: str | None, event_id: int | None, kind: str | None = None
) -> frozenset[str]:
    """Data components shown by an event of this channel/event id and source kind."""
    mapping = load_telemetry_map()
    found: set[str] = set(mapping.kinds.get((kind or "").lower(), ()))
    entry = mapping.channel(channel) if channel else None
    if entry is not None and event_id is not None:
        found.update(entry.events.get(int(event_id), ()))
    return frozenset(found)


def data_components_of_category(category: str) -> frozenset[str]:
    """Data components shown by events of a Sigma logsource category (``process_creation``)."""
    return frozenset(load_telemetry_map().categories.get(category.lower(), ()))


def data_components_of_logsource(
    category: str | None, service: str | None
) -> frozenset[str] | None:
    """Data components a Sigma rule with this logsource reads; None when the map cannot tell."""
    mapping = load_telemetry_map()
    if category:
        found = mapping.categories.get(category.lower())
    elif service:
        found = mapping.services.get(service.lower())
    else:
        found = None
    return frozenset(found) if found is not None else None


def observed_components(logsources: Iterable[LogSource]) -> frozenset[str]:
    """Union of the data components of every event identity seen in the evidence."""
    found: set[str] = set()
    for logsource in set(logsources):
        found.update(data_components_of(logsource.channel, logsource.event_id, logsource.kind))
        if logsource.category:  # a record that declares its Sigma category (e.g. proxy logs)
            found.update(data_components_of_category(logsource.category))
    return frozenset(found)
