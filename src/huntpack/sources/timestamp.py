"""Event time: seconds since the epoch (UTC) from the many ways logs write it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

#: Fields that may carry an event's time, most specific first.
TIME_FIELDS = (
    "TimeCreated",
    "@timestamp",
    "UtcTime",
    "timestamp",
    "ts",
    "eventTime",
    "createdDateTime",
    "published",
    "time",
    "Timestamp",
)

_MS_EPOCH = 1e11  # larger epoch numbers are milliseconds (1e11 s is the year 5138)
_US_EPOCH = 1e14
_NS_EPOCH = 1e17


#: Epoch seconds of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the times ``datetime`` (and so
#: every report) can write. Times outside are not times (hostile ``-1e300``, year-0 offsets).
EARLIEST = -62135596800.0
LATEST = 253402300799.0


def parse_time(value: Any) -> float | None:
    """Epoch seconds (UTC) from an ISO 8601 string or an epoch number; None if not a time.

    Strings without an offset are taken as UTC (Sysmon ``UtcTime``). Never raises; never
    returns a time outside ``EARLIEST``..``LATEST``.
    """
    return valid_time(_parse(value))


def valid_time(seconds: float | None) -> float | None:
    """``seconds`` if it is a time a report can write, else None."""
    if seconds is None or not EARLIEST <= seconds <= LATEST:  # NaN fails the comparison too
        return None
    return seconds


def _parse(value: Any) -> float | None:
    if type(value) is str:
        if value[-1:] == "Z":  # the common UTC form (EVTX SystemTime, ECS): straight through
            try:
                return datetime.fromisoformat(value).timestamp()
            except (ValueError, OverflowError, OSError):
                return None
        return _parse_text(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return _from_epoch(float(value))


def event_time(fields: Mapping[str, Any], names: tuple[str, ...] = TIME_FIELDS) -> float | None:
    """The first of ``names`` in ``fields`` that parses as a time."""
    for name in names:
        value = fields.get(name)
        if value is not None:
            seconds = parse_time(value)
            if seconds is not None:
                return seconds
    return None


def _parse_text(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    if text[0].isdigit() and text.replace(".", "", 1).isdigit():
        return _from_epoch(float(text))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.timestamp()
    except (OverflowError, OSError, ValueError):
        return None


def _from_epoch(number: float) -> float | None:
    if number != number or number in (float("inf"), float("-inf")):
        return None
    magnitude = abs(number)
    if magnitude >= _NS_EPOCH:
        return number / 1e9
    if magnitude >= _US_EPOCH:
        return number / 1e6
    if magnitude >= _MS_EPOCH:
        return number / 1e3
    return number
