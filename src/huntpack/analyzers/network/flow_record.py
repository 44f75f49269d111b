"""``FlowRecord``: the small picklable record ``network.flows`` keeps per connection, and the
finding built over a group of them (first one as origin, the others as related evidence)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from huntpack.analyzers.network.flow_view import attack
from huntpack.model import Finding, MatchedField, Severity, SourceRef

#: Most related locations listed on one finding.
MAX_RELATED = 50


@dataclass(frozen=True, slots=True)
class FlowRecord:
    """One connection (``kind`` "zeek", "pcap", "windows") or DNS query (``kind`` "dns")."""

    kind: str
    ts: float
    orig_h: str
    resp_h: str
    resp_p: int
    proto: str
    orig_bytes: int
    resp_bytes: int
    duration: float
    service: str | None
    image: str | None
    origin: SourceRef

    def order(self) -> tuple[float, str, int, int]:
        return (self.ts, str(self.origin), self.origin.line or 0, self.origin.record or 0)


def summary_finding(
    source: str, rule_id: str, title: str, level: Severity, techniques: tuple[str, ...],
    group: Sequence[FlowRecord], matched: tuple[tuple[str, str], ...], description: str,
) -> Finding:
    first = group[0]
    event = {"id.orig_h": first.orig_h, "id.resp_h": first.resp_h, "id.resp_p": first.resp_p,
             "proto": first.proto, "connections": len(group), "first_ts": first.ts,
             "last_ts": group[-1].ts}
    if first.image:
        event["Image"] = first.image
    return Finding(
        rule_id=rule_id, title=title, level=level, source=source, origin=first.origin,
        timestamp=first.ts, host=first.orig_h, attack=attack(*techniques),
        matched=tuple(MatchedField(name, value) for name, value in matched), event=event,
        related=tuple(record.origin for record in group[1 : 1 + MAX_RELATED]),
        description=description,
    )
