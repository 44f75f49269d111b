"""EVTX files, through the Rust ``evtx`` parser's JSON rendering.

A record the parser cannot read becomes an ``InputProblem`` located by what the parser says
(record number, chunk number, byte offset) or else by the last record read before it; the
parser then goes on with the next record, and so do we.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import evtx
import orjson

from huntpack.model import Event, InputProblem
from huntpack.sources.content import Content
from huntpack.sources.record import LogSources, normalise_record, windows_event

#: Rust worker threads per file. One: the hunt parallelises across files and processes, and a
#: second thread buys under 10 % on one file.
PARSER_THREADS = 1

#: Give up on a file after this many failures in a row (a file of garbage chunks).
MAX_FAILURES_IN_A_ROW = 10_000

_RECORD = re.compile(r"record number (\d+)")
_CHUNK = re.compile(r"chunk number (\d+)")
_OFFSET = re.compile(r"offset (0x[0-9a-fA-F]+|\d+)", re.IGNORECASE)


def read_evtx(content: Content) -> Iterator[Event | InputProblem]:
    """Events of one EVTX file; unreadable records as problems (never raises for content)."""
    source: Any = content.fs_path if content.fs_path is not None else content.open()
    try:
        parser = evtx.PyEvtxParser(source, number_of_threads=PARSER_THREADS)
    except (OSError, RuntimeError, ValueError) as exc:
        yield InputProblem(content.location, f"not a readable EVTX file: {exc}")
        return
    records = parser.records_json()
    logsources: LogSources = {}
    last_record: int | None = None
    failures = 0
    while failures < MAX_FAILURES_IN_A_ROW:
        try:
            record = next(records)
        except StopIteration:
            return
        except (RuntimeError, OSError, ValueError) as exc:
            failures += 1
            yield record_problem(content, str(exc), last_record)
            continue
        if record is None:  # the binding's iterator is typed Optional; treat None as the end
            return
        failures = 0
        last_record = record["event_record_id"]
        yield _event(content, record, logsources)
    yield InputProblem(content.location, f"gave up after {failures} unreadable records in a row")


def _event(content: Content, record: dict[str, Any], known: LogSources) -> Event | InputProblem:
    number = record["event_record_id"]
    raw: str = record["data"]
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return InputProblem(str(content.ref(record=number)), f"bad JSON from parser: {exc}")
    wrapped = data.get("Event") if isinstance(data, dict) else None
    if isinstance(wrapped, dict) and "System" in wrapped:
        # compact JSON has ' "' only where a string ends in a space: trim only then
        origin = content.ref(record=number)
        return windows_event(wrapped, origin, trim=' "' in raw, logsources=known)
    return normalise_record(data, content.ref(record=number), logsources=known)


def record_problem(content: Content, message: str, last_record: int | None) -> InputProblem:
    """A problem for a failed record, located as precisely as the parser's message allows."""
    record = _number(_RECORD, message)
    offset = _number(_OFFSET, message)
    chunk = _number(_CHUNK, message)
    if record is not None or offset is not None:
        location = str(content.ref(record=record, offset=offset))
    elif chunk is not None:
        location = f"{content.location}#chunk={chunk}"
    elif last_record is not None:
        location = f"{content.location}#after-record={last_record}"
    else:
        location = f"{content.location}#first-record"
    return InputProblem(location, message, "input-malformed")


def _number(pattern: re.Pattern[str], message: str) -> int | None:
    found = pattern.search(message)
    if not found:
        return None
    digits = found.group(1)
    return int(digits, 16) if digits[:2].lower() == "0x" else int(digits)
