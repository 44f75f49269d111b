"""One record (a JSON object, an EVTX record, a record given as data) -> an ``Event``.

The record's shape is recognised, not declared, so every reader and ``MemorySource`` give the
same fields for the same data:

1. evtx JSON (``{"Event": {"System": ...}}``): see ``huntpack.sources.windows``;
2. ECS / Winlogbeat 7+ (a top-level ``winlog``, ``ecs``, ``event`` or ``process`` object):
   see ``huntpack.sources.document``;
3. flattened Winlogbeat/NXLog/Mordor (top-level ``EventID``, or ``Channel`` with
   ``Hostname``/``SourceName``/``Computer``): kept, plus ``Computer``/``Provider_Name``;
4. anything else: flattened with ``.`` and kept as it is.

An event is a Windows event (``LogSource.product == "windows"``, ``kind == "windows"``) when it
came in the evtx shape or has a ``Channel`` or an ``EventID`` with a provider.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from huntpack.model import Event, LogSource, SourceRef
from huntpack.sources.document import ecs_fields, flatten_document, is_ecs
from huntpack.sources.timestamp import event_time, parse_time
from huntpack.sources.windows import as_event_id, flat_windows_fields, windows_fields


def normalise_record(record: Mapping[str, Any], origin: SourceRef) -> Event:
    """The ``Event`` for one record, whatever its shape (see the module docstring)."""
    wrapped = record.get("Event")
    if isinstance(wrapped, dict) and "System" in wrapped:
        return windows_event(wrapped, origin)
    if is_ecs(record):
        fields = ecs_fields(record)
    elif _is_flat_windows(record):
        fields = flat_windows_fields(flatten_document(record))
    else:
        fields = flatten_document(record)
    event_id = fields.get("EventID")
    if event_id is not None and type(event_id) is not int:
        fields["EventID"] = as_event_id(event_id)
    return Event(fields, origin, _logsource(fields, windows=False), event_time(fields))


def windows_event(event: Mapping[str, Any], origin: SourceRef, *, trim: bool = True) -> Event:
    """The ``Event`` for an evtx-JSON ``Event`` object (``trim``: see ``windows_fields``)."""
    fields = windows_fields(event, trim=trim)
    timestamp = parse_time(fields.get("TimeCreated"))
    return Event(fields, origin, _logsource(fields, windows=True), timestamp)


def _is_flat_windows(record: Mapping[str, Any]) -> bool:
    if "EventID" in record:
        return True
    return "Channel" in record and (
        "Hostname" in record or "SourceName" in record or "Computer" in record
    )


def _logsource(fields: Mapping[str, Any], *, windows: bool) -> LogSource:
    channel = fields.get("Channel")
    event_id = fields.get("EventID")
    provider = fields.get("Provider_Name")
    channel = channel if isinstance(channel, str) and channel else None
    event_id = event_id if type(event_id) is int else None
    provider = provider if isinstance(provider, str) and provider else None
    if windows or channel is not None or (event_id is not None and provider is not None):
        return LogSource("windows", channel, event_id, provider, kind="windows")
    return LogSource(kind="json")
