"""The analyzer seam: detections that Sigma cannot express, run beside the rules.

An analyzer declares the event kinds it reads (``LogSource.kind``: "email", "file",
"zeek.conn", "pcap.flow", "windows" ...). In the worker processes, ``analyze(event)`` returns
findings for one event and ``observe(event)`` may return a small picklable record that the
analyzer needs later; in the parent, after every file, ``conclude(records)`` turns the records
of all files into findings (beacons, first-seen, volume per hour: whatever needs the whole
picture). ``prepare(formats, beside)`` runs once in the parent before the workers start, so an
analyzer can skip work that the evidence makes pointless; ``beside`` names the files lying next
to the evidence files. After every file, ``wanted_files(records)`` may name some of those files
(lower-cased names): the runner reads them as evidence too, then calls ``conclude``. Analyzers
never print and never touch the network unless their settings allow it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, Protocol

from huntpack.model import Event, Finding


class Analyzer(Protocol):
    """What the hunt runner needs of an analyzer."""

    name: str  # the name campaign packs use ("email", "url", "file.pe", "network.c2" ...)
    kinds: frozenset[str]  # LogSource.kind values it reads

    def prepare(self, evidence_formats: frozenset[str], beside: Collection[str] = ()) -> None: ...

    def wanted_files(self, records: Sequence[Any]) -> frozenset[str]: ...

    def analyze(self, event: Event) -> list[Finding]: ...

    def observe(self, event: Event) -> Any | None: ...

    def conclude(self, records: Sequence[Any]) -> list[Finding]: ...


class AnalyzerBase:
    """Defaults for analyzers that need only some of the three steps."""

    name = "analyzer"
    kinds: frozenset[str] = frozenset()

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        self.settings: Mapping[str, Any] = settings or {}

    def prepare(self, evidence_formats: frozenset[str], beside: Collection[str] = ()) -> None:
        """Called once in the parent, before workers start, with the formats of the evidence
        and the lower-cased names of the files beside the evidence files."""

    def wanted_files(self, records: Sequence[Any]) -> frozenset[str]:
        """Names (lower-cased) of files beside the evidence that this analyzer wants read."""
        return frozenset()

    def analyze(self, event: Event) -> list[Finding]:
        return []

    def observe(self, event: Event) -> Any | None:
        return None

    def conclude(self, records: Sequence[Any]) -> list[Finding]:
        return []
