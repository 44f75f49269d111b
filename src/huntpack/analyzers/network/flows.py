"""``network.flows``: what needs every connection of the hunt at once.

Workers ``observe`` each connection (Zeek conn, pcap flow, Sysmon EID 3) and DNS query (Sysmon
EID 22) as a small ``FlowRecord``; the parent's ``conclude`` finds:

* beacons: host -> destination:port pairs whose times and sizes are regular (``beacon``);
* long-lived connections (``long_connection_seconds``, default 1 h);
* exfiltration volume: bytes sent per source, destination and clock hour above
  ``exfil_bytes_per_hour`` (default 1 GB) with a producer/consumer ratio
  (sent - received) / (sent + received) of at least ``min_producer_consumer_ratio`` (0.5), to
  routable destinations unless ``external_only`` is false;
* first-seen destinations and programs using the network: see ``first_seen``.

ATT&CK: T1020 (volume, long-lived, first-seen), T1071 / T1095 (beacons, by protocol).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from huntpack.analyzers.base import AnalyzerBase
from huntpack.analyzers.network.beacon import score_beacon
from huntpack.analyzers.network.first_seen import FIRST_SEEN_SETTINGS, first_seen_findings
from huntpack.analyzers.network.flow_record import FlowRecord, summary_finding
from huntpack.analyzers.network.flow_view import (
    check_settings,
    connection_of,
    int_set,
    is_external,
    number,
)
from huntpack.model import Event, Finding, Severity

_SETTINGS = ("beacon_min_connections", "beacon_threshold", "beacon_ignore_ports",
             "long_connection_seconds", "exfil_bytes_per_hour", "min_producer_consumer_ratio",
             "external_only", *FIRST_SEEN_SETTINGS)


class FlowsAnalyzer(AnalyzerBase):
    """See the module docstring."""

    name = "network.flows"
    kinds = frozenset({"zeek.conn", "pcap.flow", "windows"})

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__(settings)
        check_settings(self.name, self.settings, _SETTINGS)
        self.min_connections = int(number(self.settings, "beacon_min_connections", 10))
        self.beacon_threshold = number(self.settings, "beacon_threshold", 0.8)
        self.ignore_ports = int_set(self.settings, "beacon_ignore_ports", (53, 123, 137, 138))
        self.long_seconds = number(self.settings, "long_connection_seconds", 3600)
        self.exfil_bytes = number(self.settings, "exfil_bytes_per_hour", 1e9)
        self.min_pcr = number(self.settings, "min_producer_consumer_ratio", 0.5)
        self.external_only = bool(self.settings.get("external_only", True))

    def observe(self, event: Event) -> FlowRecord | None:
        if event.logsource.kind == "windows":
            if event.fields.get("EventID") == 22:
                return _dns_record(event)
            if event.fields.get("EventID") != 3:
                return None
        conn = connection_of(event)
        if conn is None or conn.ts is None:
            return None
        return FlowRecord(event.logsource.kind.partition(".")[0], conn.ts, conn.orig_h,
                          conn.resp_h, conn.resp_p, conn.proto, conn.orig_bytes, conn.resp_bytes,
                          conn.duration, conn.service, conn.image, event.origin)

    def conclude(self, records: Sequence[Any]) -> list[Finding]:
        flows = sorted((r for r in records if isinstance(r, FlowRecord)), key=FlowRecord.order)
        conns = [r for r in flows if r.kind != "dns"]
        findings = list(self.beacons(conns))
        findings += [self.long_lived(r) for r in conns if r.duration >= self.long_seconds]
        findings += self.volume(conns)
        findings += first_seen_findings(self.name, flows, self.settings)
        return findings

    def beacons(self, conns: Iterable[FlowRecord]) -> Iterable[Finding]:
        pairs: dict[tuple[str, str, str, int], list[FlowRecord]] = defaultdict(list)
        for record in conns:
            if record.resp_p not in self.ignore_ports:
                pairs[(record.kind, record.orig_h, record.resp_h, record.resp_p)].append(record)
        for (_, orig, resp, port), group in pairs.items():
            if len(group) < self.min_connections:
                continue
            sizes = None if group[0].kind == "windows" else [r.orig_bytes for r in group]
            score = score_beacon([r.ts for r in group], sizes)
            if score is None or score.score < self.beacon_threshold:
                continue
            technique = "T1071" if group[0].service else "T1095"
            yield summary_finding(
                self.name, "network-beacon", f"Beaconing from {orig} to {resp}:{port}",
                Severity.HIGH if score.score >= 0.9 else Severity.MEDIUM, (technique,), group,
                (("beacon_score", f"{score.score:.2f}"), ("regularity", score.describe())),
                f"{orig} connected to {resp}:{port} at regular intervals with regular sizes: "
                f"{score.describe()}. Implants call home like this; so do some updaters.")

    def long_lived(self, record: FlowRecord) -> Finding:
        return summary_finding(
            self.name, "network-long-connection",
            f"Long-lived connection {record.orig_h} -> {record.resp_h}:{record.resp_p}",
            Severity.MEDIUM, ("T1020", "T1095" if not record.service else "T1071"), [record],
            (("duration", f"{record.duration:.0f} s"),
             ("bytes", f"{record.orig_bytes} out / {record.resp_bytes} in")),
            f"A {record.proto or 'network'} session lasted {record.duration / 3600:.1f} h: "
            "a RAT's controller link stays open like this.")

    def volume(self, conns: Iterable[FlowRecord]) -> list[Finding]:
        hours: dict[tuple[str, str, str, int], list[FlowRecord]] = defaultdict(list)
        for record in conns:  # per source kind: a capture and a Zeek log of it must not add up
            if record.orig_bytes and (not self.external_only or is_external(record.resp_h)):
                key = (record.kind, record.orig_h, record.resp_h, int(record.ts // 3600))
                hours[key].append(record)
        return [finding for (_, orig, resp, hour), group in hours.items()
                if (finding := self._exfil(orig, resp, hour, group)) is not None]

    def _exfil(self, orig: str, resp: str, hour: int, group: list[FlowRecord]) -> Finding | None:
        sent = sum(r.orig_bytes for r in group)
        received = sum(r.resp_bytes for r in group)
        ratio = (sent - received) / (sent + received) if sent + received else 0.0
        if sent < self.exfil_bytes or ratio < self.min_pcr:
            return None
        return summary_finding(
            self.name, "network-exfil-volume", f"Large upload from {orig} to {resp}",
            Severity.HIGH, ("T1020",), sorted(group, key=lambda r: -r.orig_bytes),
            (("bytes_out_per_hour", str(sent)), ("producer_consumer_ratio", f"{ratio:.2f}")),
            f"{orig} sent {sent / 1e9:.2f} GB to {resp} in the hour from {_hour(hour)} and "
            f"received {received / 1e6:.1f} MB (producer/consumer ratio {ratio:.2f}): data is "
            "leaving, not arriving.")


def _hour(hour: int) -> str:
    return datetime.fromtimestamp(hour * 3600, UTC).strftime("%Y-%m-%d %H:00 UTC")


def _dns_record(event: Event) -> FlowRecord | None:
    query, image = event.fields.get("QueryName"), event.fields.get("Image")
    if not isinstance(query, str) or event.timestamp is None:
        return None
    host = event.host or "?"
    return FlowRecord("dns", event.timestamp, host, query.lower(), 53, "udp", 0, 0, 0.0, "dns",
                      image if isinstance(image, str) else None, event.origin)
