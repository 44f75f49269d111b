"""Packet captures written by the tests: each session is flagged by the right analyzer, and
near-miss sessions are not."""

from __future__ import annotations

import random
import struct
import zlib
from pathlib import Path

from huntpack.analyzers.network.fatalrat_wire import encode_packet, rc4
from huntpack.model import Event, Severity
from huntpack.sources import discover, read_events
from huntpack.sources.capture_writer import TcpSession
from tests.network.helpers import client_hello, hunt, rule_ids, write_sessions

START = 1741226885.0  # 2025-03-06 02:08:05 UTC
CLIENT = "10.20.4.31"
C2 = "198.51.100.23"


def _session(port: int, *turns: tuple[str, bytes], client_port: int = 50000) -> TcpSession:
    return TcpSession((CLIENT, client_port), (C2, port), START + client_port % 100, turns)


def test_tls_on_port_8081_is_flagged(tmp_path: Path) -> None:
    pcap = write_sessions(tmp_path / "tls8081.pcap", [_session(8081, ("c", client_hello()),
                                                             ("s", b"\x16\x03\x03" + bytes(60)))])
    findings = hunt([pcap]).findings
    assert rule_ids(findings) == ["network-tls-nonstandard-port"]
    assert findings[0].techniques == ("T1571", "T1573")


def test_plaintext_on_443_is_flagged(tmp_path: Path) -> None:
    pcap = write_sessions(tmp_path / "plain443.pcap", [_session(
        443, ("c", b"HELLO agent-7 ready\r\n"), ("s", b"OK sleep 60\r\n"))])
    findings = hunt([pcap]).findings
    assert rule_ids(findings) == ["network-non-tls-on-tls-port"]
    assert any(m.field == "first_bytes" and m.value.startswith("48 45 4c 4c 4f")
               for m in findings[0].matched)


def test_fatalrat_session_is_decoded(tmp_path: Path) -> None:
    login = b"WS-TPE-014|Windows 10|4*2400MHz|360tray.exe|Fatal|" + bytes(40)
    pcap = write_sessions(tmp_path / "c2.pcap", [_session(
        8081, ("c", encode_packet(login)), ("s", encode_packet(b"\x01keylog")))])
    findings = hunt([pcap]).findings
    assert rule_ids(findings) == ["network-fatalrat-c2"]
    finding = findings[0]
    assert finding.level == Severity.CRITICAL
    assert "T1573.001" in finding.techniques
    shown = {m.field: m.value for m in finding.matched}
    assert shown["orig_first_bytes"].startswith("a9 c4 ae")
    assert "compress_flag=2" in shown["decoded_header"]
    assert shown["decoded_plaintext"].startswith("WS-TPE-014|Windows 10|4*2400MHz|")


def documented_packet(plaintext: bytes) -> bytes:
    """A packet built step by step from the facts (§1.7), not with the project's encoder:
    zlib, XOR of the first third with the table, RC4 (key ``EwinhProtocolHosty``; the cipher
    itself has a known-answer test), the 15-byte header with the default flag ``%^ ``, then
    every byte ``(b XOR 0x15) - 0x87``."""
    body = bytearray(zlib.compress(plaintext))
    table = (3, 5, 8, 2, 9, 7, 4, 0, 3, 9, 2, 9, 1, 5)
    for i in range(len(body) // 3):
        body[i] ^= table[i % len(table)]
    body = bytearray(rc4(b"EwinhProtocolHosty", bytes(body)))
    clear = b"%^ " + struct.pack("<III", 15 + len(body), len(plaintext), 2) + body
    return bytes(((b ^ 0x15) - 0x87) & 0xFF for b in clear)


def test_session_in_the_documented_encoding_is_decoded(tmp_path: Path) -> None:
    login = b"WS-TPE-014|Windows 10|li.wei|" + bytes(range(64))
    wire = documented_packet(login)
    assert wire[:3] == bytes.fromhex("a9c4ae")  # the published on-the-wire prefix
    assert encode_packet(login) == wire
    pcap = write_sessions(tmp_path / "c2doc.pcap", [_session(9001, ("c", wire))])
    (finding,) = hunt([pcap]).findings
    assert finding.rule_id == "network-fatalrat-c2" and finding.level == Severity.CRITICAL
    shown = {m.field: m.value for m in finding.matched}
    assert f"raw_length={len(login)} compress_flag=2" in shown["decoded_header"]
    assert shown["decoded_plaintext"].startswith("WS-TPE-014|Windows 10|li.wei|")


def test_near_miss_prefix_with_a_wrong_key_is_not_critical(tmp_path: Path) -> None:
    """Same format, another RC4 key: the header still decodes (high), the body does not."""
    wire = encode_packet(b"hello" * 40, key=b"another key")
    (finding,) = hunt([write_sessions(tmp_path / "k.pcap", [_session(8081, ("c", wire))])]).findings
    assert finding.rule_id == "network-fatalrat-c2" and finding.level == Severity.HIGH
    assert "decoded_plaintext" not in {m.field for m in finding.matched}


def test_fatalrat_header_alone_with_prefix_is_high(tmp_path: Path) -> None:
    packet = encode_packet(random.Random(3).randbytes(3000))  # larger than the kept payload
    pcap = write_sessions(tmp_path / "c2big.pcap", [_session(8081, ("c", packet))])
    findings = hunt([pcap]).findings
    assert rule_ids(findings) == ["network-fatalrat-c2"]
    assert findings[0].level == Severity.HIGH


def test_other_encrypted_raw_tcp_is_a_lead(tmp_path: Path) -> None:
    noise = random.Random(7).randbytes(400)
    pcap = write_sessions(tmp_path / "opaque.pcap", [_session(4444, ("c", noise))])
    assert rule_ids(hunt([pcap]).findings) == ["network-opaque-c2"]


def test_near_misses_are_quiet(tmp_path: Path) -> None:
    download = zlib.compress(random.Random(1).randbytes(20000))  # opaque body, but HTTP
    sessions = [
        _session(443, ("c", client_hello("teams.microsoft.com")),
                 ("s", b"\x16\x03\x03" + random.Random(2).randbytes(900)), client_port=50001),
        _session(80, ("c", b"GET /setup.zip HTTP/1.1\r\nHost: dl.example\r\n\r\n"),
                 ("s", b"HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\n\r\n" + download),
                 client_port=50002),
        _session(8080, ("c", b"GET / HTTP/1.1\r\n\r\n"), ("s", b"HTTP/1.1 200 OK\r\n\r\nhi"),
                 client_port=50003),
    ]
    pcap = write_sessions(tmp_path / "benign.pcap", sessions)
    result = hunt([pcap])
    assert result.stats.events == 3
    assert result.findings == []


def test_ja3_list_from_settings_matches_pcap(tmp_path: Path) -> None:
    pcap = write_sessions(tmp_path / "tls.pcap", [_session(443, ("c", client_hello()))])
    flows = hunt([pcap], analyzers=())
    assert flows.findings == []
    items, _ = discover([pcap])
    event = next(e for e in read_events(items[0]) if isinstance(e, Event))
    settings = {"network.tls": {"ja4": {event.fields["ja4"]: "test tool"}}}
    findings = hunt([pcap], settings).findings
    assert rule_ids(findings) == ["network-ja4-listed"]
