"""``network.protocol``: sessions whose protocol does not fit their port.

* non-TLS bytes on a TLS port (443, 8443, 993, 995, 465 by default): from the first payload
  bytes of a pcap flow, or from a Zeek ``service`` that names another protocol;
* TLS on a port that does not normally carry it (``service`` ``ssl`` or a TLS record header);
* HTTP on a port that is not an HTTP port.

Settings: ``tls_ports`` (ports that must carry TLS), ``tls_ok_ports`` (other ports where TLS is
normal), ``http_ports``. ATT&CK: T1571 (non-standard port), T1071 / T1095 (application or raw
protocol), T1573 for TLS outside its ports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from huntpack.analyzers.base import AnalyzerBase
from huntpack.analyzers.network.flow_view import (
    TLS_RECORD_START,
    Connection,
    Verdict,
    check_settings,
    connection_of,
    finding_for,
    int_set,
)
from huntpack.model import Event, Finding, Severity

TLS_PORTS = (443, 8443, 993, 995, 465)
TLS_OK_PORTS = (636, 853, 989, 990, 992, 994, 3269, 5061, 5223, 5986, 6697, 8883, 9443, 3389,
                4443, 10443)
HTTP_PORTS = (80, 8080, 8000, 8008, 8888, 3128, 591, 5985)



class ProtocolAnalyzer(AnalyzerBase):
    """See the module docstring."""

    name = "network.protocol"
    kinds = frozenset({"zeek.conn", "pcap.flow"})

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__(settings)
        check_settings(self.name, self.settings, ("tls_ports", "tls_ok_ports", "http_ports"))
        self.tls_ports = int_set(self.settings, "tls_ports", TLS_PORTS)
        self.tls_ok = self.tls_ports | int_set(self.settings, "tls_ok_ports", TLS_OK_PORTS)
        self.http_ports = int_set(self.settings, "http_ports", HTTP_PORTS)

    def analyze(self, event: Event) -> list[Finding]:
        conn = connection_of(event)
        if conn is None or conn.proto != "tcp":
            return []
        verdict = self.judge(conn)
        return [finding_for(self.name, event, verdict, conn.orig_h)] if verdict else []

    def judge(self, conn: Connection) -> Verdict | None:
        services = set((conn.service or "").lower().split(","))
        tls = "ssl" in services or conn.orig_payload.startswith(TLS_RECORD_START)
        if conn.resp_p in self.tls_ports and not tls:
            return _not_tls(conn, services)
        if tls and conn.resp_p not in self.tls_ok:
            return Verdict(
                "network-tls-nonstandard-port", f"TLS on non-standard port {conn.resp_p}",
                Severity.MEDIUM, ("T1571", "T1573"),
                (("id.resp_p", str(conn.resp_p)), ("service", conn.service or "ssl (bytes)")),
                f"{conn.orig_h} spoke TLS to {conn.resp_h}:{conn.resp_p}, a port that does not "
                "normally carry TLS: encrypted C2 often sits on such ports.")
        if "http" in services and conn.resp_p not in self.http_ports | self.tls_ok:
            return Verdict(
                "network-http-odd-port", f"HTTP on unusual port {conn.resp_p}", Severity.LOW,
                ("T1571", "T1071.001"), (("id.resp_p", str(conn.resp_p)), ("service", "http")),
                f"{conn.orig_h} spoke plain HTTP to {conn.resp_h}:{conn.resp_p}.")
        return None


def _not_tls(conn: Connection, services: set[str]) -> Verdict | None:
    named = sorted(s for s in services if s and s != "-")
    if conn.orig_payload:
        shown = conn.orig_payload[:16].hex(" ")
        evidence = ("first_bytes", shown)
        why = f"the client's first bytes are {shown}, not a TLS record"
    elif named:
        evidence = ("service", ",".join(named))
        why = f"Zeek identified {','.join(named)}"
    else:
        return None  # no payload seen and no protocol named: nothing to judge
    app = bool(named) or conn.orig_payload[:4].isalpha()
    return Verdict(
        "network-non-tls-on-tls-port", f"Non-TLS traffic on TLS port {conn.resp_p}",
        Severity.HIGH, ("T1571", "T1071" if app else "T1095"),
        (("id.resp_p", str(conn.resp_p)), evidence),
        f"{conn.orig_h} -> {conn.resp_h}:{conn.resp_p}: {why}. Plain or custom protocols on a "
        "TLS port hide from controls that trust the port.")
