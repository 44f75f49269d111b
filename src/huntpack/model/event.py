"""Events: one record of evidence, flattened to field -> value, with its origin."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where an event (or an unreadable part) came from: a file and a position inside it.

    ``member`` names the entry inside an archive (zip) when there is one.
    """

    path: str
    record: int | None = None
    line: int | None = None
    offset: int | None = None
    member: str | None = None

    def __str__(self) -> str:
        where = self.path + (f"!{self.member}" if self.member else "")
        if self.record is not None:
            where += f"#record={self.record}"
        if self.line is not None:
            where += f":{self.line}"
        if self.offset is not None:
            where += f"@{self.offset}"
        return where


@dataclass(frozen=True, slots=True)
class LogSource:
    """What kind of log an event is: the raw identity that rules are routed by.

    ``product`` is the Sigma product ("windows", "linux", ...); ``channel``, ``event_id`` and
    ``provider`` are the Windows event identity when present. Sigma category/service are derived
    from these by the routing table in ``huntpack.rules`` (routing is data, not code here);
    ``category``/``service`` are set only when the input itself declares them (e.g. a JSON record
    with a ``logsource`` object, or a reader that knows what it reads, such as a Zeek conn log).
    """

    product: str | None = None
    channel: str | None = None
    event_id: int | None = None
    provider: str | None = None
    kind: str = "log"
    category: str | None = None
    service: str | None = None


@dataclass(slots=True)
class Event:
    """One record of evidence.

    ``fields`` is flat: nested documents are joined with ``.`` (ECS style) and Windows
    ``System``/``EventData`` values are lifted to the top (``EventID``, ``Channel``, ``Image``...),
    the shape Sigma rules are written for. Values are str, int, float, bool, None or lists of them.
    ``timestamp`` is seconds since the epoch (UTC) when the record has a time.
    """

    fields: dict[str, Any]
    origin: SourceRef
    logsource: LogSource = field(default_factory=LogSource)
    timestamp: float | None = None

    def get(self, name: str) -> Any:
        return self.fields.get(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.fields)

    @property
    def host(self) -> str | None:
        return _first_text(self.fields, _IDENTITY.get(self.logsource.kind, _DEFAULT)[0])

    @property
    def user(self) -> str | None:
        return _first_text(self.fields, _IDENTITY.get(self.logsource.kind, _DEFAULT)[1])


_Names = tuple[tuple[str, ...], tuple[str, ...]]
#: The fields that name an event's host and user, first present wins.
_DEFAULT: _Names = (("Computer", "Hostname", "host.name", "host.hostname"),
                    ("User", "TargetUserName", "SubjectUserName", "user.name", "UserName"))
#: Kinds whose readers put the host and user in ``host.name``/``user.name`` (sign-in logs:
#: the device name or IP address, and the UPN; their ``User`` column is a display name).
_IDENTITY: dict[str, _Names] = {"signin": (("host.name",), ("user.name",))}


def _first_text(fields: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = fields.get(name)
        if value not in (None, "", "-"):
            return str(value)
    return None
