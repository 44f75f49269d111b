"""Synthetic packet captures: TCP sessions written as pcap files with ``dpkt``.

For tests and the bundled example (traffic the project builds itself, never captured from
anyone): a session is a client, a server, a start time and the bytes each side sends in turn;
``session_frames`` turns it into Ethernet frames (handshake, data in MSS-sized segments with
acknowledgements, FIN exchange) and ``write_pcap`` writes frames to a classic pcap file.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO

import dpkt

MSS = 1400
_FIN, _SYN, _RST, _PSH, _ACK = 0x01, 0x02, 0x04, 0x08, 0x10

Frame = tuple[float, bytes]


@dataclass(frozen=True, slots=True)
class TcpSession:
    """``turns``: ("c" or "s", bytes) in order; ``gap``: seconds between packets."""

    client: tuple[str, int]
    server: tuple[str, int]
    start: float
    turns: Sequence[tuple[str, bytes]]
    gap: float = 0.01
    close: bool = True


def session_frames(session: TcpSession) -> Iterator[Frame]:
    """The frames of one TCP session, handshake to FIN."""
    seq = {"c": 1000, "s": 5000}
    clock = [session.start]

    def frame(side: str, flags: int, data: bytes = b"") -> Frame:
        other = "s" if side == "c" else "c"
        ack = seq[other] if flags & _ACK else 0
        packet = _ethernet(session, side, flags, seq[side], ack, data)
        seq[side] += len(data) + (1 if flags & (_SYN | _FIN) else 0)
        clock[0] += session.gap
        return clock[0], packet

    yield frame("c", _SYN)
    yield frame("s", _SYN | _ACK)
    yield frame("c", _ACK)
    for side, data in session.turns:
        for offset in range(0, len(data), MSS):
            yield frame(side, _PSH | _ACK, data[offset : offset + MSS])
        yield frame("s" if side == "c" else "c", _ACK)
    if session.close:
        yield frame("c", _FIN | _ACK)
        yield frame("s", _FIN | _ACK)
        yield frame("c", _ACK)


def _ethernet(session: TcpSession, side: str, flags: int, seq: int, ack: int,
              data: bytes) -> bytes:
    src, dst = (session.client, session.server) if side == "c" else (session.server,
                                                                     session.client)
    tcp = dpkt.tcp.TCP(sport=src[1], dport=dst[1], seq=seq, ack=ack, flags=flags, win=65535,
                       data=data)
    ip = dpkt.ip.IP(src=socket.inet_aton(src[0]), dst=socket.inet_aton(dst[0]), p=6, ttl=64,
                    data=tcp)
    ip.len = len(ip)  # dpkt fills checksums when packed
    eth = dpkt.ethernet.Ethernet(src=b"\x02\x00\x00\x00\x00\x01", dst=b"\x02\x00\x00\x00\x00\x02",
                                 type=dpkt.ethernet.ETH_TYPE_IP, data=ip)
    return bytes(eth)


def write_pcap(stream: BinaryIO, frames: Iterable[Frame]) -> int:
    """Write ``frames`` (sorted by time) to ``stream`` as an Ethernet pcap; returns the count."""
    writer = dpkt.pcap.Writer(stream, linktype=dpkt.pcap.DLT_EN10MB)
    count = 0
    for moment, frame in sorted(frames, key=lambda item: item[0]):
        writer.writepkt(frame, ts=moment)
        count += 1
    return count
