"""One view of a sign-in event, whatever export it came from, and the records ``observe`` keeps.

The reader gives sign-ins the Log Analytics field names, but keeps a record's own spelling when
it holds the same value (``userAgent`` for Graph), so fields are looked up as the rule engine
looks them up: exact name first, then without case and spaces.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from huntpack.model import Event, SourceRef


@dataclass(frozen=True, slots=True)
class SignIn:
    """The sign-in facts the analyzer uses."""

    user: str | None
    address: str | None
    user_agent: str
    result: int | None  # ResultType: 0 is success
    device_id: str
    timestamp: float | None

    @property
    def success(self) -> bool:
        return self.result == 0


@dataclass(frozen=True, slots=True)
class Scripted:
    """``observe``'s record of a sign-in by a scripting client."""

    user: str
    address: str | None
    timestamp: float
    success: bool
    agent: str
    origin: SourceRef


@dataclass(frozen=True, slots=True)
class KnownAddress:
    """``observe``'s record of an address a user signed in from with an ordinary client."""

    user: str
    address: str


def signin_of(event: Event) -> SignIn:
    fields = _Fields(event.fields)
    return SignIn(
        user=event.user,
        address=fields.text("IPAddress"),
        user_agent=fields.text("UserAgent") or "",
        result=_result(fields.get("ResultType")),
        device_id=fields.text("DeviceDetail.deviceId") or "",
        timestamp=event.timestamp,
    )


class _Fields:
    __slots__ = ("fields", "_folded")

    def __init__(self, fields: Mapping[str, Any]) -> None:
        self.fields = fields
        self._folded: dict[str, str] | None = None

    def get(self, name: str) -> Any:
        if name in self.fields:
            return self.fields[name]
        if self._folded is None:
            self._folded = {_fold(key): key for key in self.fields}
        key = self._folded.get(_fold(name))
        return None if key is None else self.fields[key]

    def text(self, name: str) -> str | None:
        value = self.get(name)
        if isinstance(value, list):
            value = next((item for item in value if item not in (None, "")), None)
        return str(value).strip() if value not in (None, "") else None


def _fold(name: str) -> str:
    return name.lower().replace(" ", "")


def _result(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and len(value) <= 12 and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None
