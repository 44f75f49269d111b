"""TLS ClientHello: parsed from the first bytes a client sent, and its JA3 / JA4 fingerprints.

JA3 (Salesforce): ``SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats``,
decimal values joined by ``-`` in wire order, GREASE values (RFC 8701) left out; the MD5 of that
string is the JA3 hash. JA4 (FoxIO) is computed by the ``ja4plus`` library from the parsed hello
(imported lazily: without it, flows simply carry no ``ja4``).

The parser walks handshake records until the hello is complete; every length is checked against
the bytes present, so a truncated or hostile hello gives None, never an exception.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: Most handshake bytes gathered for one hello (real ones are under 2 KB; post-quantum ~1.8 KB).
MAX_HELLO_BYTES = 16384


@dataclass(frozen=True, slots=True)
class ClientHello:
    """The parts of a ClientHello the fingerprints and analyzers use."""

    version: int
    ciphers: tuple[int, ...]
    extensions: tuple[int, ...]
    curves: tuple[int, ...] = ()
    point_formats: tuple[int, ...] = ()
    server_name: str | None = None
    alpn: tuple[bytes, ...] = ()
    supported_versions: tuple[int, ...] = ()
    signature_algorithms: tuple[int, ...] = ()


def is_grease(value: int) -> bool:
    return (value & 0x0F0F) == 0x0A0A and (value >> 8) == (value & 0xFF)


def looks_like_tls(payload: bytes) -> bool:
    """A TLS (or SSL 3) record header: content type 20-23, version 3.0-3.4."""
    return len(payload) >= 5 and 0x14 <= payload[0] <= 0x17 and payload[1] == 3 \
        and payload[2] <= 4


def parse_client_hello(payload: bytes) -> ClientHello | None:
    """The ClientHello at the start of a client's byte stream, or None."""
    body = _handshake_body(payload)
    if body is None or len(body) < 4 or body[0] != 1:
        return None
    length = int.from_bytes(body[1:4], "big")
    hello = body[4 : 4 + length]
    if len(hello) < length:
        return None
    try:
        return _hello(hello)
    except (IndexError, ValueError):
        return None


def _handshake_body(payload: bytes) -> bytes | None:
    """Handshake bytes from consecutive TLS records (a hello may span several)."""
    out = bytearray()
    offset = 0
    while offset + 5 <= len(payload) and len(out) < MAX_HELLO_BYTES:
        if payload[offset] != 0x16 or payload[offset + 1] != 3:
            break
        size = int.from_bytes(payload[offset + 3 : offset + 5], "big")
        out += payload[offset + 5 : offset + 5 + size]
        offset += 5 + size
        if len(out) >= 4 and len(out) >= 4 + int.from_bytes(out[1:4], "big"):
            break
    return bytes(out) if out else None


class _Cursor:
    """Reads big-endian fields from ``data``; raises IndexError past the end."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, size: int) -> bytes:
        if self.pos + size > len(self.data):
            raise IndexError("past the end of the hello")
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def number(self, size: int) -> int:
        return int.from_bytes(self.take(size), "big")

    def vector(self, length_size: int) -> bytes:
        return self.take(self.number(length_size))

    @property
    def left(self) -> int:
        return len(self.data) - self.pos


def _hello(data: bytes) -> ClientHello:
    cursor = _Cursor(data)
    version = cursor.number(2)
    cursor.take(32)  # random
    cursor.vector(1)  # session id
    ciphers = _numbers(cursor.vector(2), 2)
    cursor.vector(1)  # compression methods
    extensions: list[int] = []
    parts: dict[str, Any] = {}
    if cursor.left >= 2:
        block = _Cursor(cursor.vector(2))
        while block.left >= 4:
            kind = block.number(2)
            extensions.append(kind)
            _extension(kind, block.vector(2), parts)
    return ClientHello(version, ciphers, tuple(extensions), **parts)


def _extension(kind: int, data: bytes, parts: dict[str, Any]) -> None:
    reader = _EXTENSIONS.get(kind)
    if reader is not None:
        name, parse = reader
        parts[name] = parse(data)


def _numbers(data: bytes, size: int) -> tuple[int, ...]:
    return tuple(int.from_bytes(data[i : i + size], "big") for i in range(0, len(data) - size + 1,
                                                                          size))


def _server_name(data: bytes) -> str | None:
    cursor = _Cursor(_Cursor(data).vector(2))
    while cursor.left >= 3:
        kind = cursor.number(1)
        name = cursor.vector(2)
        if kind == 0:
            return name.decode("ascii", "replace")
    return None


def _alpn(data: bytes) -> tuple[bytes, ...]:
    cursor = _Cursor(_Cursor(data).vector(2))
    out: list[bytes] = []
    while cursor.left >= 1 and len(out) < 64:
        out.append(cursor.vector(1))
    return tuple(out)


_EXTENSIONS: dict[int, tuple[str, Callable[[bytes], Any]]] = {
    0x0000: ("server_name", _server_name),
    0x000A: ("curves", lambda data: _numbers(_Cursor(data).vector(2), 2)),
    0x000B: ("point_formats", lambda data: _numbers(_Cursor(data).vector(1), 1)),
    0x000D: ("signature_algorithms", lambda data: _numbers(_Cursor(data).vector(2), 2)),
    0x0010: ("alpn", _alpn),
    0x002B: ("supported_versions", lambda data: _numbers(_Cursor(data).vector(1), 2)),
}


def ja3_string(hello: ClientHello) -> str:
    def join(values: tuple[int, ...]) -> str:
        return "-".join(str(value) for value in values if not is_grease(value))

    return ",".join((str(hello.version), join(hello.ciphers), join(hello.extensions),
                     join(hello.curves), join(hello.point_formats)))


def ja3(hello: ClientHello) -> str:
    """The JA3 hash (MD5 of ``ja3_string``; MD5 is what the JA3 spec names, not a security use)."""
    return hashlib.md5(ja3_string(hello).encode("ascii"), usedforsecurity=False).hexdigest()


def ja4(hello: ClientHello) -> str | None:
    """The JA4 fingerprint (FoxIO spec, via ``ja4plus``), or None when it is not installed."""
    generate = _ja4_generator()
    if generate is None:
        return None
    info = {
        "type": "client_hello",
        "version": hello.version,
        "supported_versions": list(hello.supported_versions),
        "ciphers": list(hello.ciphers),
        "extensions": list(hello.extensions),
        "signature_algorithms": list(hello.signature_algorithms),
        "alpn_raw": list(hello.alpn),
        "sni": hello.server_name,
    }
    result = generate(info)
    return result if isinstance(result, str) else None


@functools.cache
def _ja4_generator() -> Callable[[dict[str, Any]], Any] | None:
    try:
        from ja4plus.fingerprinters.ja4 import generate_ja4
    except ImportError:
        return None
    generator: Callable[[dict[str, Any]], Any] = generate_ja4
    return generator
