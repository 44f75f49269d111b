"""The finding of one matched indicator: what matched where, the indicator, its source and trust.

Its ``matched`` fields explain it: the event field and value, ``indicator`` (type and value),
``indicator.key`` (the indicator's identity in its pack: the report links the finding back to
the pack's indicator and its STIX id through it), ``indicator.source`` (reference, confidence,
how it is known), how it matched when not literally (a subdomain, a file name, a DNS answer),
and ``context``: never-alone indicators the same event matched as well.

Level follows the pack's confidence (high -> high, medium -> medium, low -> low); ATT&CK
techniques are the indicator's own, else a default for its type.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from huntpack.analyzers.indicators.index import Hit
from huntpack.intel.indicator import Indicator
from huntpack.model import AttackRef, Event, Finding, MatchedField, Severity

#: The matched field holding the indicator's pack key (``Indicator.key``).
KEY_FIELD = "indicator.key"

LEVELS = {"high": Severity.HIGH, "medium": Severity.MEDIUM, "low": Severity.LOW}

#: Techniques of an indicator that names none: campaign files arriving on a host (ingress tool
#: transfer), web and other application-layer traffic to campaign infrastructure, a registry
#: change, a service. Strings and mutexes have no default: they say "this tool", not "this act".
DEFAULT_TECHNIQUES: dict[str, tuple[str, ...]] = {
    "sha256": ("T1105",), "sha1": ("T1105",), "md5": ("T1105",), "file_path": ("T1105",),
    "file_name": ("T1105",), "domain": ("T1071.001",), "url": ("T1071.001",),
    "ipv4": ("T1071",), "port": ("T1571",), "registry_key": ("T1112",),
    "service_name": ("T1543.003",),
}

LABELS = {"sha256": "file hash (SHA-256)", "sha1": "file hash (SHA-1)", "md5": "file hash (MD5)",
          "file_path": "file path", "file_name": "file name", "registry_key": "registry key",
          "domain": "domain", "url": "URL", "ipv4": "IPv4 address", "port": "port",
          "service_name": "service name", "string": "string", "mutex": "mutex name"}

_HOST_FIELDS = ("c-ip", "id.orig_h", "SourceIp", "source.ip")
_BULKY = frozenset({"payload", "orig_payload", "resp_payload", "email.raw", "email.body.text",
                    "email.body.html", "email.headers"})
_MAX_CHARS = 2000


def describe(indicator: Indicator) -> str:
    """``domain telegraac.com``; registry values with their name and data."""
    text = f"{indicator.type} {indicator.value}"
    if indicator.value_name is not None:
        text += f" value {indicator.value_name}"
    if indicator.value_data is not None:
        text += f" = {indicator.value_data}"
    if indicator.protocol:
        text += f"/{indicator.protocol}"
    return text


def techniques_of(indicator: Indicator) -> tuple[str, ...]:
    return indicator.techniques or DEFAULT_TECHNIQUES.get(indicator.type, ())


def indicator_finding(source: str, event: Event, hit: Hit, context: Sequence[Hit]) -> Finding:
    indicator = hit.indicator
    matched = [MatchedField(hit.field, hit.value[:500]),
               MatchedField("indicator", describe(indicator)),
               MatchedField(KEY_FIELD, indicator.key),
               MatchedField("indicator.source", f"{indicator.source} (confidence "
                            f"{indicator.confidence}, {indicator.evidence})")]
    if hit.how:
        matched.append(MatchedField("indicator.match", hit.how))
    matched += [MatchedField("context", f"{describe(c.indicator)} in {c.field}"
                             + (f" ({c.how})" if c.how else "")) for c in context]
    return Finding(
        rule_id=f"indicator.{indicator.type}",
        title=f"campaign indicator: {LABELS.get(indicator.type, indicator.type)}",
        level=LEVELS[indicator.confidence], source=source, origin=event.origin,
        timestamp=event.timestamp, host=event.host or _network_host(event), user=event.user,
        attack=tuple(AttackRef(t) for t in techniques_of(indicator)), matched=tuple(matched),
        event=_shown(event.fields), description=_explain(hit, context),
    )


def _explain(hit: Hit, context: Sequence[Hit]) -> str:
    indicator = hit.indicator
    how = f" ({hit.how})" if hit.how else ""
    text = (f"{hit.field} {hit.value[:300]!r} matches the campaign's "
            f"{LABELS.get(indicator.type, indicator.type)} indicator {indicator.value!r}{how}: "
            f"{indicator.description.rstrip('.')}. Source {indicator.source}, confidence "
            f"{indicator.confidence}, {indicator.evidence}.")
    if indicator.context:
        text += f" Caveat: {indicator.context}"
    if context:
        names = "; ".join(describe(c.indicator) for c in context)
        text += f" The same event also matches indicators that never count alone: {names}."
    return text


def _network_host(event: Event) -> str | None:
    for name in _HOST_FIELDS:
        value = event.fields.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def _shown(fields: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for name, value in fields.items():
        if name in _BULKY or isinstance(value, bytes | bytearray):
            continue
        kept[name] = value[:_MAX_CHARS] if isinstance(value, str) else value
    return kept
