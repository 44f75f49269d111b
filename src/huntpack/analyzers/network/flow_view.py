"""One view of a connection, whatever recorded it: a Zeek conn row, a pcap flow, Sysmon EID 3.

Analyzers read ``Connection`` instead of each source's field names. Also the small helpers every
network analyzer shares: settings checks, ATT&CK references and finding construction.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from huntpack.model import AttackRef, Event, Finding, MatchedField, Severity

# The first bytes of a TLS record: handshake, application data, alert, change cipher spec.
TLS_RECORD_START = (b"\x16\x03", b"\x17\x03", b"\x15\x03", b"\x14\x03")

#: Fields copied from the event into a finding (payloads are shown through MatchedField only).
_SHOWN = ("ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service",
          "duration", "orig_bytes", "resp_bytes", "server_name", "ja3", "ja4", "Image",
          "DestinationIp", "DestinationPort", "QueryName")


@dataclass(frozen=True, slots=True)
class Connection:
    """The connection facts the analyzers use; missing numbers are 0, missing text None."""

    orig_h: str
    resp_h: str
    resp_p: int
    proto: str
    ts: float | None
    service: str | None = None
    orig_bytes: int = 0
    resp_bytes: int = 0
    duration: float = 0.0
    orig_payload: bytes = b""
    resp_payload: bytes = b""
    image: str | None = None


def connection_of(event: Event) -> Connection | None:
    """The connection an event records, or None (not a connection, or too broken to read)."""
    fields = event.fields
    if event.logsource.kind == "windows":
        return _sysmon_connection(fields, event.timestamp)
    orig, resp = fields.get("id.orig_h"), fields.get("id.resp_h")
    if not isinstance(orig, str) or not isinstance(resp, str):
        return None
    service = fields.get("service")
    return Connection(
        orig, resp, _int(fields.get("id.resp_p")), str(fields.get("proto") or "").lower(),
        event.timestamp, service if isinstance(service, str) and service else None,
        _int(fields.get("orig_bytes")), _int(fields.get("resp_bytes")),
        _float(fields.get("duration")), _hex(fields.get("orig_payload")),
        _hex(fields.get("resp_payload")),
    )


def _sysmon_connection(fields: Mapping[str, Any], ts: float | None) -> Connection | None:
    if fields.get("EventID") != 3:
        return None
    orig, resp = fields.get("SourceIp"), fields.get("DestinationIp")
    if not isinstance(orig, str) or not isinstance(resp, str):
        return None
    image = fields.get("Image")
    return Connection(orig, resp, _int(fields.get("DestinationPort")),
                      str(fields.get("Protocol") or "tcp").lower(), ts,
                      image=image if isinstance(image, str) else None)


def _int(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    try:
        return int(float(str(value)))
    except (TypeError, ValueError, OverflowError):  # OverflowError: inf, 1e999
        return 0


def _float(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if number == number else 0.0


def _hex(value: Any) -> bytes:
    if not isinstance(value, str):
        return b""
    try:
        return bytes.fromhex(value)
    except ValueError:
        return b""


#: Networks that stay inside an organisation (documentation ranges count as outside: the
#: examples and tests use them for internet hosts, as RFC 5737 intends).
_INTERNAL = tuple(ipaddress.ip_network(net) for net in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
    "169.254.0.0/16", "224.0.0.0/4", "255.255.255.255/32", "0.0.0.0/8", "fc00::/7",
    "fe80::/10", "ff00::/8", "::1/128", "::/128"))


def is_external(address: str) -> bool:
    """An address outside the organisation (not private, loopback, link-local, multicast)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return not any(ip.version == net.version and ip in net for net in _INTERNAL)


def check_settings(name: str, settings: Mapping[str, Any], known: Iterable[str]) -> None:
    """Reject setting names the analyzer does not know (a typo must not pass silently)."""
    unknown = sorted(set(settings) - set(known))
    if unknown:
        raise ValueError(f"{name}: unknown settings {', '.join(unknown)}")


def int_set(settings: Mapping[str, Any], key: str, default: Iterable[int]) -> frozenset[int]:
    value = settings.get(key)
    if value is None:
        return frozenset(default)
    if not isinstance(value, list | tuple) or not all(isinstance(v, int) for v in value):
        raise ValueError(f"setting {key}: expected a list of port numbers")
    return frozenset(value)


def number(settings: Mapping[str, Any], key: str, default: float) -> float:
    value = settings.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"setting {key}: expected a number")
    return float(value)


def attack(*ids: str) -> tuple[AttackRef, ...]:
    return tuple(AttackRef(technique) for technique in ids)


def shown_fields(event: Event) -> dict[str, Any]:
    return {name: event.fields[name] for name in _SHOWN if name in event.fields}


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one check concluded about one event, before it becomes a ``Finding``."""

    rule_id: str
    title: str
    level: Severity
    techniques: tuple[str, ...]
    matched: tuple[tuple[str, str], ...]
    description: str


def finding_for(source: str, event: Event, verdict: Verdict, host: str | None) -> Finding:
    return Finding(
        rule_id=verdict.rule_id, title=verdict.title, level=verdict.level, source=source,
        origin=event.origin, timestamp=event.timestamp, host=host or event.host,
        user=event.user, attack=attack(*verdict.techniques),
        matched=tuple(MatchedField(name, value) for name, value in verdict.matched),
        event=shown_fields(event), description=verdict.description,
    )
