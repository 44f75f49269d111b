"""FatalRAT's C2 wire format (Gh0st lineage), as published (shared intel facts §1.7).

A packet is a 15-byte header ``[flag 3 B][u32 total length][u32 raw length][u32 compress flag]``
(little-endian; compress flag 2 = zlib) and a body: zlib-compressed, its first third XOR-ed with
a 14-byte table, then RC4 with the key ``EwinhProtocolHosty``. The whole buffer is then
byte-obfuscated ``b = (b XOR 0x15) - 0x87``; a receiver undoes it with ``(b + 0x87) XOR 0x15``.
With the builder's default flag ``%^ `` every packet on the wire starts ``A9 C4 AE``.

``encode_packet`` exists so tests and the bundled example can build real-format traffic;
``decode_packet`` never raises and bounds decompression to the header's raw length (at most
``MAX_RAW_BYTES``).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

HEADER_LENGTH = 15
DEFAULT_KEY = b"EwinhProtocolHosty"
DEFAULT_FLAG = b"%^ "
XOR_TABLE = (3, 5, 8, 2, 9, 7, 4, 0, 3, 9, 2, 9, 1, 5)
MAX_RAW_BYTES = 1 << 20
MAX_TOTAL_BYTES = 64 << 20
ZLIB = 2


@dataclass(frozen=True, slots=True)
class Header:
    flag: bytes
    total_length: int
    raw_length: int
    compress_flag: int

    def describe(self) -> str:
        return (f"flag={self.flag!r} total_length={self.total_length} "
                f"raw_length={self.raw_length} compress_flag={self.compress_flag}")


@dataclass(frozen=True, slots=True)
class Decoded:
    """A decoded packet: its header, and the plaintext when the body was complete."""

    header: Header
    plaintext: bytes | None


def obfuscate(data: bytes) -> bytes:
    return bytes(((b ^ 0x15) - 0x87) & 0xFF for b in data)


def deobfuscate(data: bytes) -> bytes:
    return bytes(((b + 0x87) & 0xFF) ^ 0x15 for b in data)


def rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) & 0xFF
        state[i], state[j] = state[j], state[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) & 0xFF
        j = (j + state[i]) & 0xFF
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) & 0xFF])
    return bytes(out)


def xor_first_third(data: bytes) -> bytes:
    """XOR the first third of ``data`` with ``XOR_TABLE`` (its own inverse)."""
    third = len(data) // 3
    head = bytes(b ^ XOR_TABLE[i % len(XOR_TABLE)] for i, b in enumerate(data[:third]))
    return head + data[third:]


def encode_packet(plaintext: bytes, key: bytes = DEFAULT_KEY, flag: bytes = DEFAULT_FLAG) -> bytes:
    """One packet as the implant puts it on the wire."""
    body = rc4(key, xor_first_third(zlib.compress(plaintext)))
    header = flag + struct.pack("<III", HEADER_LENGTH + len(body), len(plaintext), ZLIB)
    return obfuscate(header + body)


def parse_header(wire: bytes) -> Header | None:
    """The header of a packet at the start of ``wire`` if its numbers are plausible."""
    if len(wire) < HEADER_LENGTH:
        return None
    clear = deobfuscate(wire[:HEADER_LENGTH])
    total, raw, compress = struct.unpack("<III", clear[3:HEADER_LENGTH])
    if not HEADER_LENGTH < total <= MAX_TOTAL_BYTES or compress > 2 or raw > MAX_TOTAL_BYTES:
        return None
    return Header(clear[:3], total, raw, compress)


def decode_packet(wire: bytes, key: bytes = DEFAULT_KEY) -> Decoded | None:
    """Header and (when the whole packet is present and decodes) the plaintext, else None."""
    header = parse_header(wire)
    if header is None:
        return None
    if len(wire) < header.total_length or header.compress_flag != ZLIB:
        return Decoded(header, None)
    body = deobfuscate(wire[HEADER_LENGTH : header.total_length])
    compressed = xor_first_third(rc4(key, body))
    try:
        inflater = zlib.decompressobj()
        plain = inflater.decompress(compressed, min(header.raw_length, MAX_RAW_BYTES))
    except zlib.error:
        return Decoded(header, None)
    if len(plain) != header.raw_length or not inflater.eof:
        return Decoded(header, None)
    return Decoded(header, plain)
