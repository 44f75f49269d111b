"""One record (a JSON object, an EVTX record, a record given as data) -> an ``Event``.

The record's shape is recognised, not declared, so every reader and ``MemorySource`` give the
same fields for the same data:

1. evtx JSON (``{"Event": {"System": ...}}``): see ``huntpack.sources.windows``;
2. ECS / Winlogbeat 7+ (a top-level ``winlog``, ``ecs``, ``event`` or ``process`` object):
   see ``huntpack.sources.document``;
3. flattened Winlogbeat/NXLog/Mordor (top-level ``EventID``, or ``Channel`` with
   ``Hostname``/``SourceName``/``Computer``): kept, plus ``Computer``/``Provider_Name``;
4. Entra ID sign-ins (Graph, Azure Monitor, Log Analytics shapes): see
   ``huntpack.sources.entra_signin``;
5. anything else: flattened with ``.`` and kept as it is; a Zeek JSON record (``ts`` with
   ``uid``/``id.orig_h``...) gets the Zeek ``LogSource`` of its log (``huntpack.sources.zeek_shape``).

A record may declare its Sigma logsource in a top-level ``logsource`` object (test cases, data
exported with its logsource). An event is a Windows event (``LogSource.product == "windows"``, ``kind == "windows"``) when it
came in the evtx shape or has a ``Channel`` or an ``EventID`` with a provider.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from huntpack.model import Event, LogSource, SourceRef
from huntpack.sources.document import ecs_fields, flatten_document, is_ecs
from huntpack.sources.entra_signin import signin_event, signin_shape
from huntpack.sources.timestamp import event_time, parse_time
from huntpack.sources.windows import as_event_id, flat_windows_fields, windows_fields
from huntpack.sources.zeek_shape import is_zeek_record, zeek_log_name, zeek_logsource

#: A reader's memo of the ``LogSource`` objects it made (immutable, a handful per file), so
#: that events of one stream share them instead of building one per record.
LogSources = dict[tuple[Any, ...], LogSource]

_MAX_REMEMBERED = 4096


def normalise_record(
    record: Mapping[str, Any], origin: SourceRef, *, logsources: LogSources | None = None
) -> Event:
    """The ``Event`` for one record, whatever its shape (see the module docstring).

    A top-level ``logsource`` object (``{product, category, service}``) declares the record's
    Sigma logsource; it is not kept as fields. ``logsources``: see ``LogSources``.
    """
    wrapped = record.get("Event")
    if isinstance(wrapped, dict) and "System" in wrapped:
        return windows_event(wrapped, origin, logsources=logsources)
    declared = record.get("logsource")
    if isinstance(declared, dict):
        record = {name: value for name, value in record.items() if name != "logsource"}
    if is_ecs(record):
        fields = ecs_fields(record)
    elif _is_flat_windows(record):
        fields = flat_windows_fields(flatten_document(record))
    elif (signin := signin_shape(record)) is not None:  # see huntpack.sources.entra_signin
        event = signin_event(record, origin, signin)
        if isinstance(declared, dict):
            event.logsource = _declared(event.logsource, declared)
        return event
    else:
        fields = flatten_document(record)
    event_id = fields.get("EventID")
    if event_id is not None and type(event_id) is not int:
        fields["EventID"] = as_event_id(event_id)
    source = _logsource(fields, False, logsources)
    if is_zeek_record(record):
        source = _zeek(record, origin, source)
    if isinstance(declared, dict):
        source = _declared(source, declared)
    return Event(fields, origin, source, event_time(fields))


def windows_event(
    event: Mapping[str, Any],
    origin: SourceRef,
    *,
    trim: bool = True,
    logsources: LogSources | None = None,
) -> Event:
    """The ``Event`` for an evtx-JSON ``Event`` object (``trim``: see ``windows_fields``)."""
    fields = windows_fields(event, trim=trim)
    timestamp = parse_time(fields.get("TimeCreated"))
    return Event(fields, origin, _logsource(fields, True, logsources), timestamp)


def _is_flat_windows(record: Mapping[str, Any]) -> bool:
    if "EventID" in record:
        return True
    return "Channel" in record and (
        "Hostname" in record or "SourceName" in record or "Computer" in record
    )


def _logsource(fields: Mapping[str, Any], windows: bool, known: LogSources | None) -> LogSource:
    channel = fields.get("Channel")
    event_id = fields.get("EventID")
    provider = fields.get("Provider_Name")
    channel = channel if type(channel) is str and channel else None
    event_id = event_id if type(event_id) is int else None
    provider = provider if type(provider) is str and provider else None
    key = (channel, event_id, provider, windows)
    source = known.get(key) if known is not None else None
    if source is None:
        if windows or channel is not None or (event_id is not None and provider is not None):
            source = LogSource("windows", channel, event_id, provider, kind="windows")
        else:
            source = LogSource(kind="json")
        if known is not None and len(known) < _MAX_REMEMBERED:
            known[key] = source
    return source


def _zeek(record: Mapping[str, Any], origin: SourceRef, source: LogSource) -> LogSource:
    log = zeek_log_name(record, origin.member or origin.path)
    return zeek_logsource(log) if log is not None else source


def _declared(source: LogSource, declared: Mapping[str, Any]) -> LogSource:
    def text(name: str) -> str | None:
        value = declared.get(name)
        return value if isinstance(value, str) and value else None

    return replace(
        source,
        product=text("product") or source.product,
        category=text("category"),
        service=text("service"),
    )
