"""Packets -> flows: the 5-tuple, times, bytes and packets each way, the first payload bytes.

A flow's originator is the sender of its first packet (the receiver, when that packet is a
SYN-ACK). Events carry Zeek ``conn.log`` names (``id.orig_h``, ``orig_bytes`` ...) so analyzers
read captures and Zeek logs alike, plus ``orig_payload``/``resp_payload`` (hex of the first
``PAYLOAD_BYTES`` of each direction, retransmissions dropped), a ``service`` guessed from those
bytes (``ssl``, ``http``, ``ssh``) and, for a TLS ClientHello, ``server_name``, ``ja3``,
``ja3_string`` and ``ja4``.

Memory is bounded: at most ``MAX_FLOWS`` open flows (the least recently active one is closed
first), ``CAPTURE_BYTES`` kept per direction, flows idle for ``IDLE_SECONDS`` closed.
"""

from __future__ import annotations

import socket
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import dpkt

from huntpack.model import Event, LogSource
from huntpack.sources.content import Content
from huntpack.sources.timestamp import valid_time
from huntpack.sources.tls_hello import ja3, ja3_string, ja4, looks_like_tls, parse_client_hello

MAX_FLOWS = 100_000
CAPTURE_BYTES = 16384
PAYLOAD_BYTES = 1024
IDLE_SECONDS = 600.0

FLOW_SOURCE = LogSource(product="network", kind="pcap.flow")

_HTTP_METHODS = (b"GET ", b"POST ", b"HEAD ", b"PUT ", b"DELETE ", b"OPTIONS ", b"CONNECT ",
                 b"PATCH ", b"TRACE ")
_FIN, _SYN, _RST, _ACK = 0x01, 0x02, 0x04, 0x10

Endpoint = tuple[str, int]


@dataclass(frozen=True, slots=True)
class Packet:
    """One captured frame: its number in the capture, time, and IP layer (None if undecoded)."""

    index: int
    ts: float
    ip: Any


@dataclass(slots=True)
class _Flow:
    orig: Endpoint
    resp: Endpoint
    proto: str
    first: float
    first_packet: int
    last: float = 0.0
    bytes: list[int] = field(default_factory=lambda: [0, 0])
    packets: list[int] = field(default_factory=lambda: [0, 0])
    payload: list[bytearray] = field(default_factory=lambda: [bytearray(), bytearray()])
    seen_seq: list[set[int]] = field(default_factory=lambda: [set(), set()])
    closed: bool = False


class FlowTable:
    """Gathers the flows of one capture; ``add`` and ``drain`` yield the finished ones."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self.flows: OrderedDict[tuple[Any, ...], _Flow] = OrderedDict()
        self.undecoded = 0
        self.count = 0

    def add(self, packet: Packet) -> Iterator[Event]:
        parts = _transport(packet.ip)
        if parts is None:
            self.undecoded += 1
            return
        proto, src, dst, segment = parts
        key = (proto, *sorted((src, dst)))
        flow = self.flows.get(key)
        flags = getattr(segment, "flags", 0)
        if flow is not None and (flow.closed and flags & _SYN and not flags & _ACK):
            yield self._finish(key)
            flow = None
        if flow is None:
            flow = self._open(key, proto, src, dst, flags, packet)
        self.flows.move_to_end(key)
        _account(flow, src == flow.orig, segment, packet.ts, flags)
        yield from self._expire(packet.ts)

    def drain(self) -> Iterator[Event]:
        while self.flows:
            yield self._finish(next(iter(self.flows)))

    def _open(self, key: tuple[Any, ...], proto: str, src: Endpoint, dst: Endpoint, flags: int,
              packet: Packet) -> _Flow:
        orig, resp = (dst, src) if flags & _SYN and flags & _ACK else (src, dst)
        flow = self.flows[key] = _Flow(orig, resp, proto, packet.ts, packet.index)
        return flow

    def _expire(self, now: float) -> Iterator[Event]:
        while self.flows:
            key, oldest = next(iter(self.flows.items()))
            if len(self.flows) <= MAX_FLOWS and now - oldest.last < IDLE_SECONDS:
                return
            yield self._finish(key)

    def _finish(self, key: tuple[Any, ...]) -> Event:
        flow = self.flows.pop(key)
        self.count += 1
        fields = flow_fields(flow, f"P{self.count}")
        return Event(fields, self.content.ref(record=flow.first_packet), FLOW_SOURCE,
                     valid_time(flow.first))


def _transport(ip: Any) -> tuple[str, Endpoint, Endpoint, Any] | None:
    if ip is None:
        return None
    segment = ip.data
    if isinstance(segment, dpkt.tcp.TCP):
        proto = "tcp"
    elif isinstance(segment, dpkt.udp.UDP):
        proto = "udp"
    else:
        return None
    family = socket.AF_INET6 if isinstance(ip, dpkt.ip6.IP6) else socket.AF_INET
    try:
        src = (socket.inet_ntop(family, ip.src), int(segment.sport))
        dst = (socket.inet_ntop(family, ip.dst), int(segment.dport))
    except (ValueError, OSError):
        return None
    return proto, src, dst, segment


def _account(flow: _Flow, outbound: bool, segment: Any, ts: float, flags: int) -> None:
    side = 0 if outbound else 1
    data = bytes(segment.data) if isinstance(segment.data, bytes | bytearray) else b""
    flow.last = max(flow.last, ts)
    flow.packets[side] += 1
    if flags & (_FIN | _RST):
        flow.closed = True
    if not data:
        return
    seq = getattr(segment, "seq", None)
    if seq is not None:
        if seq in flow.seen_seq[side]:
            return  # a retransmission
        if len(flow.seen_seq[side]) < 4096:
            flow.seen_seq[side].add(seq)
    flow.bytes[side] += len(data)
    room = CAPTURE_BYTES - len(flow.payload[side])
    if room > 0:
        flow.payload[side] += data[:room]


def flow_fields(flow: _Flow, uid: str) -> dict[str, Any]:
    """The Zeek-conn-like fields of one finished flow (see the module docstring)."""
    sent, received = bytes(flow.payload[0]), bytes(flow.payload[1])
    fields: dict[str, Any] = {
        "ts": flow.first, "uid": uid,
        "id.orig_h": flow.orig[0], "id.orig_p": flow.orig[1],
        "id.resp_h": flow.resp[0], "id.resp_p": flow.resp[1],
        "proto": flow.proto, "duration": round(flow.last - flow.first, 6),
        "orig_bytes": flow.bytes[0], "resp_bytes": flow.bytes[1],
        "orig_pkts": flow.packets[0], "resp_pkts": flow.packets[1],
    }
    if sent:
        fields["orig_payload"] = sent[:PAYLOAD_BYTES].hex()
    if received:
        fields["resp_payload"] = received[:PAYLOAD_BYTES].hex()
    service = payload_service(sent, received)
    if service:
        fields["service"] = service
    if service == "ssl":
        fields.update(_hello_fields(sent))
    return fields


def payload_service(sent: bytes, received: bytes) -> str | None:
    """The protocol the first bytes show (Zeek ``service`` names), or None."""
    if looks_like_tls(sent) or looks_like_tls(received):
        return "ssl"
    if sent.startswith(_HTTP_METHODS) or received.startswith(b"HTTP/1."):
        return "http"
    if sent.startswith(b"SSH-") or received.startswith(b"SSH-"):
        return "ssh"
    return None


def _hello_fields(sent: bytes) -> dict[str, Any]:
    hello = parse_client_hello(sent)
    if hello is None:
        return {}
    fields: dict[str, Any] = {"ja3": ja3(hello), "ja3_string": ja3_string(hello),
                              "tls_client_version": hello.version}
    if hello.server_name:
        fields["server_name"] = hello.server_name
    fingerprint = ja4(hello)
    if fingerprint:
        fields["ja4"] = fingerprint
    return fields
