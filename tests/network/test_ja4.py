"""JA4 known answers: the flows' ``ja4`` checked against the FoxIO JA4 spec written out here
(technical_details/JA4.md), on the project's own ClientHello and on the corpus pcaps parsed
independently with dpkt; and JA4 stays put when a browser shuffles its extensions (JA3 moves)."""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path

import dpkt
import pytest

from huntpack.model import Event
from huntpack.sources import discover, read_events
from huntpack.sources.capture_writer import TcpSession
from tests.network.helpers import client_hello, write_sessions

_VERSIONS = {0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10", 0x0300: "s3"}
SNI, ALPN, SIGNATURES, SUPPORTED_VERSIONS = 0x0000, 0x0010, 0x000D, 0x002B


def _grease(value: int) -> bool:
    return (value & 0x0F0F) == 0x0A0A and (value >> 8) == (value & 0xFF)


def _hash12(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12] if text else "000000000000"


def spec_ja4(version: int, ciphers: list[int], extensions: list[tuple[int, bytes]]) -> str:
    """JA4 (TCP) from the hello's numbers, step by step as the spec gives them."""
    kinds = [kind for kind, _ in extensions if not _grease(kind)]
    data = dict(extensions)
    if SUPPORTED_VERSIONS in data:
        body = data[SUPPORTED_VERSIONS][1:]
        offered = [v for (v,) in struct.iter_unpack(">H", body) if not _grease(v)]
        version = max(offered, default=version)
    alpn = "00"
    if data.get(ALPN):
        first = data[ALPN][3:3 + data[ALPN][2]].decode("ascii")
        alpn = first[0] + first[-1]
    suites = [c for c in ciphers if not _grease(c)]
    part_a = (f"t{_VERSIONS.get(version, '00')}{'d' if SNI in kinds else 'i'}"
              f"{min(len(suites), 99):02d}{min(len(kinds), 99):02d}{alpn}")
    part_b = _hash12(",".join(f"{c:04x}" for c in sorted(suites)))
    sorted_ext = ",".join(f"{k:04x}" for k in sorted(k for k in kinds if k not in (SNI, ALPN)))
    signatures = ""
    if data.get(SIGNATURES):
        body = data[SIGNATURES][2:]
        signatures = ",".join(f"{v:04x}" for (v,) in struct.iter_unpack(">H", body))
    part_c = _hash12(f"{sorted_ext}_{signatures}" if signatures else sorted_ext)
    return f"{part_a}_{part_b}_{part_c}"


def _flows(path: Path) -> list[Event]:
    items, _ = discover([path])
    return [e for item in items for e in read_events(item) if isinstance(e, Event)]


def _hello_numbers(record: bytes) -> tuple[int, list[int], list[tuple[int, bytes]]]:
    records, _ = dpkt.ssl.tls_multi_factory(record)
    hello = dpkt.ssl.TLSHandshake(records[0].data).data
    assert isinstance(hello, dpkt.ssl.TLSClientHello)
    return hello.version, [s.code for s in hello.ciphersuites], list(hello.extensions)


def test_own_hello_has_the_spec_ja4(tmp_path: Path) -> None:
    hello = client_hello()
    session = TcpSession(("10.0.0.1", 40000), ("192.0.2.1", 443), 1.0e9, [("c", hello)])
    (flow,) = _flows(write_sessions(tmp_path / "hello.pcap", [session]))
    expected = spec_ja4(*_hello_numbers(hello))
    assert expected.startswith("t12d0305h2_")  # TLS 1.2, SNI, 3 ciphers, 5 extensions, h2
    assert flow.fields["ja4"] == expected


def test_ja4_ignores_extension_order_and_ja3_does_not(tmp_path: Path) -> None:
    hello = client_hello()
    # swap the curves (000a) and point formats (000b) extensions, as a browser may
    curves, points = b"\x00\x0a\x00\x08\x00\x06\x00\x1d\x00\x17\x00\x18", b"\x00\x0b\x00\x02\x01\x00"
    shuffled = hello.replace(curves + points, points + curves)
    assert shuffled != hello
    sessions = [TcpSession(("10.0.0.1", 40000 + i), ("192.0.2.1", 443), 1.0e9 + i, [("c", h)])
                for i, h in enumerate((hello, shuffled))]
    first, second = _flows(write_sessions(tmp_path / "two.pcap", sessions))
    assert first.fields["ja4"] == second.fields["ja4"]
    assert first.fields["ja3"] != second.fields["ja3"]


@pytest.mark.parametrize("pcap", ["Traces__ssl-chrome.pcap", "Traces__ssl-curl.pcap"])
def test_corpus_pcaps_have_the_spec_ja4(shared_data: Path, pcap: str) -> None:
    path = shared_data / "network" / "ja3" / pcap
    expected = set()
    with path.open("rb") as stream:
        for _, frame in dpkt.pcap.Reader(stream):
            segment = dpkt.ethernet.Ethernet(frame).data.data
            if isinstance(segment, dpkt.tcp.TCP) and segment.data[:1] == b"\x16":
                try:
                    expected.add(spec_ja4(*_hello_numbers(segment.data)))
                except (AssertionError, dpkt.NeedData, dpkt.UnpackError):
                    continue  # a ServerHello or a record split over segments
    assert expected
    assert {e.fields["ja4"] for e in _flows(path) if "ja4" in e.fields} == expected
