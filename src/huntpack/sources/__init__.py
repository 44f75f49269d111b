"""Evidence readers: a path in, ``Event``s out, with format sniffing by content.

``discover(paths)`` finds evidence files and sniffs their format (registry in ``formats``:
EVTX, gzip, zip, JSON; a new reader is one registry entry). ``read_events(item)`` streams one
item's events, and yields what it cannot read as ``InputProblem``s with a location (file and
record, line or byte offset; ``archive.zip!member`` inside archives) instead of raising.
``normalise_record`` turns one record of any known shape (evtx JSON, flattened Winlogbeat/NXLog,
ECS, any other JSON) into the flat Sigma-style fields; ``MemorySource`` does the same for
records given as data.

Problem references: ``input-missing``, ``input-empty``, ``input-unrecognised``,
``input-unreadable``, ``input-malformed`` (one bad record), ``input-too-large`` (archive bomb
guard).

Imports only ``huntpack.model`` (and ``huntpack.errors``); never ``intel``.
"""

from __future__ import annotations

from huntpack.sources.evidence import EvidenceItem, discover, examine, files_beside, read_events
from huntpack.sources.executable import PLAIN_FILE_NOTE
from huntpack.sources.memory import MemorySource
from huntpack.sources.record import normalise_record

__all__ = ["PLAIN_FILE_NOTE", "EvidenceItem", "MemorySource", "discover", "examine", "files_beside",
           "normalise_record", "read_events"]
