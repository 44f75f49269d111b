"""Events given as data: the test seam (like capa's null extractor).

Each record goes through the same ``normalise_record`` as JSON input, so a record in evtx-JSON
shape, flattened Winlogbeat shape or ECS shape gives the event a file would give.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from huntpack.model import Event, SourceRef
from huntpack.sources.record import normalise_record


class MemorySource:
    """A source whose records are given as mappings; record ``i`` is located as ``name:i+1``."""

    def __init__(self, records: Iterable[Mapping[str, Any]], name: str = "memory") -> None:
        self.name = name
        self._records = records

    def events(self) -> Iterator[Event]:
        for index, record in enumerate(self._records):
            yield normalise_record(record, SourceRef(self.name, line=index + 1))

    def __repr__(self) -> str:
        return f"MemorySource(name={self.name!r})"
