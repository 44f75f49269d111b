"""Packet captures (pcap and pcapng) -> one event per flow (``LogSource(kind="pcap.flow")``).

Classic pcap records are read here (so a record cut short is reported at its byte offset);
pcapng blocks through ``dpkt.pcapng``. Each frame is decoded with ``dpkt`` down to IP and
TCP/UDP and handed to ``huntpack.sources.flow_table``, which gathers flows. A frame that does not
decode is skipped and counted; a capture that breaks off is one problem at its location, after
the flows read until then.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any, BinaryIO

import dpkt

from huntpack.model import Event, InputProblem
from huntpack.sources.content import Content
from huntpack.sources.flow_table import FlowTable, Packet

_PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e6),
    b"\xa1\xb2\xc3\xd4": (">", 1e6),
    b"\x4d\x3c\xb2\xa1": ("<", 1e9),
    b"\xa1\xb2\x3c\x4d": (">", 1e9),
}
_PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"

#: Largest captured length taken from one record (anything larger is a corrupt header).
MAX_FRAME_BYTES = 262144


def read_pcap(content: Content) -> Iterator[Event | InputProblem]:
    """Flows of one capture, as events; a broken-off capture as a problem with its offset."""
    table = FlowTable(content)
    with content.open() as stream:
        head = stream.read(4)
        frames = _pcapng(content, head, stream) if head == _PCAPNG_MAGIC else \
            _classic(content, head, stream)
        for item in frames:
            if isinstance(item, InputProblem):
                yield from table.drain()
                yield item
                continue
            yield from table.add(item)
    yield from table.drain()
    if table.undecoded:
        yield InputProblem(content.location, f"{table.undecoded} frames were not IP over a "
                           "known link type and were skipped", "input-partly-read")


def _classic(content: Content, magic: bytes, stream: BinaryIO) -> Iterator[Packet | InputProblem]:
    order, divisor = _PCAP_MAGICS[magic]
    header = stream.read(20)
    if len(header) < 20:
        yield InputProblem(content.location, "pcap global header is cut short", "input-truncated")
        return
    linktype = struct.unpack(order + "HHiIII", header)[5] & 0x0FFFFFFF
    offset, index = 24, 0
    while True:
        record = stream.read(16)
        if not record:
            return
        if len(record) < 16:
            yield _cut(content, offset, index, "record header")
            return
        seconds, fraction, caplen, _ = struct.unpack(order + "IIII", record)
        if caplen > MAX_FRAME_BYTES:
            yield _cut(content, offset, index, f"record of {caplen} bytes (corrupt length)")
            return
        frame = stream.read(caplen)
        if len(frame) < caplen:
            yield _cut(content, offset, index, "packet data")
            return
        index += 1
        yield Packet(index, seconds + fraction / divisor, _decode(linktype, frame))
        offset += 16 + caplen


def _cut(content: Content, offset: int, index: int, what: str) -> InputProblem:
    return InputProblem(str(content.ref(record=index + 1, offset=offset)),
                        f"capture is truncated in the {what} of packet {index + 1}",
                        "input-truncated")


def _pcapng(content: Content, magic: bytes, stream: BinaryIO) -> Iterator[Packet | InputProblem]:
    index = 0
    try:
        reader = dpkt.pcapng.Reader(_Prefixed(magic, stream))
        linktype = reader.datalink()
        for seconds, frame in reader:
            index += 1
            yield Packet(index, float(seconds), _decode(linktype, bytes(frame)))
    except (dpkt.Error, ValueError, struct.error) as error:
        yield InputProblem(str(content.ref(record=index + 1)),
                           f"pcapng is truncated or corrupt after packet {index}: {error}",
                           "input-truncated")


class _Prefixed:
    """A stream whose first bytes were already read (the sniffed magic)."""

    def __init__(self, prefix: bytes, stream: BinaryIO) -> None:
        self._prefix = prefix
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        if not self._prefix:
            return self._stream.read(size)
        if size < 0:
            head, self._prefix = self._prefix, b""
            return head + self._stream.read()
        head, self._prefix = self._prefix[:size], self._prefix[size:]
        return head + self._stream.read(size - len(head))


def _decode(linktype: int, frame: bytes) -> Any:
    """The IP layer of one frame (``dpkt.ip.IP`` / ``IP6``), or None."""
    try:
        if linktype == 1:
            layer: Any = dpkt.ethernet.Ethernet(frame).data
        elif linktype in (0, 108):
            layer = dpkt.loopback.Loopback(frame).data
        elif linktype == 113:
            layer = dpkt.sll.SLL(frame).data
        elif linktype in (12, 14, 101, 228, 229):
            layer = dpkt.ip6.IP6(frame) if frame[:1] and frame[0] >> 4 == 6 else dpkt.ip.IP(frame)
        else:
            return None
    except (dpkt.Error, struct.error, ValueError, IndexError):
        return None
    return layer if isinstance(layer, dpkt.ip.IP | dpkt.ip6.IP6) else None
