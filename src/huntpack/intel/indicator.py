"""The ``indicators.yaml`` model: indicator values with their source, confidence and caveats.

``never_alone`` marks a value that must not raise an alert by itself (a shared, legitimate CDN, a
common DLL name): analyzers may use it only together with other evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from huntpack.intel.pack import SLUG, TECHNIQUE_ID, Confidence, Evidence

IndicatorType = Literal[
    "sha256",
    "sha1",
    "md5",
    "file_path",
    "file_name",
    "pdb_path",
    "registry_key",
    "domain",
    "url",
    "ipv4",
    "port",
    "string",
    "mutex",
    "service_name",
    "stix_pattern",
]

_DOMAIN = re.compile(
    r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}$"
)
_IPV4 = re.compile(r"^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$")
_HIVES = ("HKLM\\", "HKCU\\", "HKU\\", "HKCR\\", "HKEY_")


def _hex(length: int) -> Callable[[str], bool]:
    return lambda value: re.fullmatch(f"[0-9a-f]{{{length}}}", value) is not None


def _url(value: str) -> bool:
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value).split("/", 1)[0].split(":", 1)[0]
    return bool(_DOMAIN.match(host) or _IPV4.match(host))


def _port(value: str) -> bool:
    return value.isdigit() and 0 < int(value) < 65536


_CHECKS: dict[str, tuple[Callable[[str], bool], str]] = {
    "sha256": (_hex(64), "64 lower-case hex digits"),
    "sha1": (_hex(40), "40 lower-case hex digits"),
    "md5": (_hex(32), "32 lower-case hex digits"),
    "domain": (lambda v: _DOMAIN.match(v) is not None, "a lower-case, re-fanged domain name"),
    "ipv4": (lambda v: _IPV4.match(v) is not None, "a dotted IPv4 address"),
    "url": (_url, "a URL (scheme optional) whose host is a domain or IPv4 address"),
    "port": (_port, "a port number 1-65535"),
    "registry_key": (lambda v: v.upper().startswith(_HIVES), "a key starting with its hive"),
    "file_path": (lambda v: "\\" in v or "/" in v, "a path with a directory"),
}


class Indicator(BaseModel):
    """One indicator value, where it comes from and how far to trust it."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    type: IndicatorType
    value: str = Field(min_length=1)
    description: str = Field(min_length=3)
    source: str = Field(pattern=SLUG)
    confidence: Confidence
    evidence: Evidence = "reported"
    never_alone: bool = False
    context: str = ""
    techniques: tuple[str, ...] = ()
    value_name: str | None = None
    value_data: str | None = None
    protocol: Literal["tcp", "udp"] | None = None

    @model_validator(mode="after")
    def _well_formed(self) -> Indicator:
        check = _CHECKS.get(self.type)
        if check and not check[0](self.value):
            raise ValueError(f"{self.type} value {self.value!r} is not {check[1]}")
        if (self.value_name or self.value_data) and self.type != "registry_key":
            raise ValueError("value_name/value_data are only for registry_key indicators")
        if self.protocol and self.type != "port":
            raise ValueError("protocol is only for port indicators")
        for technique in self.techniques:
            if not re.match(TECHNIQUE_ID, technique):
                raise ValueError(f"technique {technique!r} is not an ATT&CK id like T1056.001")
        return self

    @property
    def key(self) -> str:
        """A stable identity for the indicator inside its pack."""
        parts = [self.type, self.value, self.value_name or "", self.value_data or ""]
        return "|".join(parts)


class IndicatorFile(BaseModel):
    """The whole of ``indicators.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal[1] = 1
    indicators: tuple[Indicator, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> IndicatorFile:
        keys = [indicator.key for indicator in self.indicators]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            raise ValueError(f"indicator listed twice: {', '.join(duplicates)}")
        return self


def alertable(indicators: Iterable[Indicator]) -> tuple[Indicator, ...]:
    """The indicators that may raise an alert on their own (``never_alone`` is false)."""
    return tuple(indicator for indicator in indicators if not indicator.never_alone)
