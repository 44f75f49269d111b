"""FatalRAT's wire format (shared intel facts §1.7) and hostile bytes for every decoder."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from huntpack.analyzers.network.fatalrat_wire import (
    decode_packet,
    deobfuscate,
    encode_packet,
    obfuscate,
    parse_header,
    rc4,
)
from huntpack.model import Event, InputProblem
from huntpack.sources.content import Content
from huntpack.sources.packet_capture import read_pcap
from huntpack.sources.tls_hello import parse_client_hello
from huntpack.sources.zeek_log import read_zeek_tsv


def test_default_flag_gives_the_published_prefix() -> None:
    assert encode_packet(b"x")[:3] == bytes.fromhex("a9c4ae")


def test_byte_obfuscation_matches_the_published_formula() -> None:
    data = bytes(range(256))
    assert deobfuscate(obfuscate(data)) == data
    assert deobfuscate(b"\xa9") == bytes([((0xA9 + 0x87) & 0xFF) ^ 0x15])


def test_rc4_known_answer() -> None:
    assert rc4(b"Key", b"Plaintext").hex() == "bbf316e8d940af0ad3"  # RFC 6229 style vector


def test_round_trip_and_header() -> None:
    decoded = decode_packet(encode_packet(b"login" * 30))
    assert decoded is not None and decoded.plaintext == b"login" * 30
    assert decoded.header.flag == b"%^ " and decoded.header.raw_length == 150


def test_wrong_key_gives_header_only() -> None:
    decoded = decode_packet(encode_packet(b"login" * 30), key=b"another key")
    assert decoded is not None and decoded.plaintext is None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_decoders_never_raise(data: bytes) -> None:
    decode_packet(data)
    parse_header(data)
    parse_client_hello(data)
    parse_client_hello(b"\x16\x03\x01" + data)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_pcap_reader_never_raises(data: bytes) -> None:
    for head in (b"\xd4\xc3\xb2\xa1", b"\x0a\x0d\x0d\x0a"):
        blob = head + data
        entries = list(read_pcap(Content("fuzz.pcap", open=lambda b=blob: io.BytesIO(b))))
        assert all(isinstance(e, Event | InputProblem) for e in entries)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_zeek_reader_never_raises(text: str) -> None:
    blob = ("#separator \\x09\n#fields\tts\tid.orig_h\n#types\ttime\taddr\n" + text).encode()
    entries = list(read_zeek_tsv(Content("fuzz.log", open=lambda: io.BytesIO(blob))))
    assert all(isinstance(e, Event | InputProblem) for e in entries)
