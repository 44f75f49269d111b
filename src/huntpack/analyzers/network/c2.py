"""``network.c2``: FatalRAT's C2 on the wire, and other symmetric-encrypted C2 outside TLS.

1. FatalRAT: a TCP flow whose first bytes (either direction) decode under the family's wire
   format (``fatalrat_wire``). The whole first packet decoding to its announced length is
   critical; a plausible header that starts with the configured prefix is high. The decoded
   header is shown.
2. Generic: the first payload bytes of a TCP flow that is neither TLS, SSH nor HTTP look random
   (Shannon entropy near the maximum for the sample size): a lead for custom encrypted C2.
3. Zeek connection logs have no payload: raw TCP (no service identified) with data to one of the
   family's default ports is a low-level lead.

Settings (pack ``network.c2``): ``header_prefix_hex``, ``header_length``, ``rc4_key``,
``byte_decode``, ``default_ports``, ``reconnect_max_seconds`` (informational), and
``entropy_threshold`` (entropy relative to random bytes of the same length, default 0.93), ``min_entropy_bytes`` (default 64).
ATT&CK: T1573.001 (symmetric cryptography), T1095 (non-application-layer protocol).
"""

from __future__ import annotations

import functools
import math
import random
from collections import Counter
from collections.abc import Mapping
from typing import Any

from huntpack.analyzers.base import AnalyzerBase
from huntpack.analyzers.network.fatalrat_wire import DEFAULT_KEY, HEADER_LENGTH, decode_packet
from huntpack.analyzers.network.flow_view import (
    TLS_RECORD_START,
    Connection,
    Verdict,
    check_settings,
    connection_of,
    finding_for,
    int_set,
    number,
)
from huntpack.model import Event, Finding, Severity

_SETTINGS = ("header_prefix_hex", "header_length", "rc4_key", "byte_decode", "default_ports",
             "reconnect_max_seconds", "entropy_threshold", "min_entropy_bytes")
_BYTE_DECODE = "(b + 0x87) ^ 0x15"
_NOT_OPAQUE = frozenset({"ssl", "ssh", "http", "dtls", "quic"})


class C2Analyzer(AnalyzerBase):
    """See the module docstring."""

    name = "network.c2"
    kinds = frozenset({"pcap.flow", "zeek.conn"})

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__(settings)
        check_settings(self.name, self.settings, _SETTINGS)
        if str(self.settings.get("byte_decode", _BYTE_DECODE)).replace(" ", "") != \
                _BYTE_DECODE.replace(" ", ""):
            raise ValueError(f"{self.name}: only byte_decode {_BYTE_DECODE!r} is implemented")
        if int(self.settings.get("header_length", HEADER_LENGTH)) != HEADER_LENGTH:
            raise ValueError(f"{self.name}: only header_length {HEADER_LENGTH} is implemented")
        self.prefix = bytes.fromhex(str(self.settings.get("header_prefix_hex", "a9c4ae")))
        self.key = str(self.settings.get("rc4_key", DEFAULT_KEY.decode())).encode("latin-1")
        self.ports = int_set(self.settings, "default_ports", (8081,))
        self.threshold = number(self.settings, "entropy_threshold", 0.93)
        self.min_bytes = int(number(self.settings, "min_entropy_bytes", 64))

    def analyze(self, event: Event) -> list[Finding]:
        conn = connection_of(event)
        if conn is None or conn.proto != "tcp":
            return []
        if event.logsource.kind == "zeek.conn":
            verdict = self.raw_port(conn)
        else:
            verdict = self.fatalrat(conn) or self.opaque(conn)
        return [finding_for(self.name, event, verdict, conn.orig_h)] if verdict else []

    def fatalrat(self, conn: Connection) -> Verdict | None:
        for side, payload in (("orig", conn.orig_payload), ("resp", conn.resp_payload)):
            decoded = decode_packet(payload, self.key)
            if decoded is None:
                continue
            full = decoded.plaintext is not None
            if not full and not payload.startswith(self.prefix):
                continue
            shown = [(f"{side}_first_bytes", payload[:HEADER_LENGTH].hex(" ")),
                     ("decoded_header", decoded.header.describe())]
            if decoded.plaintext is not None:
                shown.append(("decoded_plaintext", printable(decoded.plaintext[:80])))
            how = ("the whole first packet decrypts (RC4 key, XOR table) and inflates to its "
                   "announced length" if full else "the header decodes and starts with the "
                   f"builder prefix {self.prefix.hex()}")
            return Verdict(
                "network-fatalrat-c2", "FatalRAT C2 protocol on the wire",
                Severity.CRITICAL if full else Severity.HIGH, ("T1573.001", "T1095"),
                tuple(shown),
                f"{conn.orig_h} -> {conn.resp_h}:{conn.resp_p} ({side} side): {how}. This is "
                "FatalRAT's Gh0st-style raw TCP channel.")
        return None

    def opaque(self, conn: Connection) -> Verdict | None:
        if set((conn.service or "").split(",")) & _NOT_OPAQUE:
            return None
        for side, payload in (("orig", conn.orig_payload), ("resp", conn.resp_payload)):
            if len(payload) < self.min_bytes or payload.startswith(TLS_RECORD_START):
                continue
            score = normalised_entropy(payload)
            if score >= self.threshold:
                return Verdict(
                    "network-opaque-c2", f"High-entropy raw TCP on port {conn.resp_p}",
                    Severity.MEDIUM, ("T1573.001", "T1095"),
                    ((f"{side}_entropy", f"{score:.3f} of random over {len(payload)} bytes"),
                     (f"{side}_first_bytes", payload[:16].hex(" "))),
                    f"{conn.orig_h} -> {conn.resp_h}:{conn.resp_p}: the first bytes look "
                    "random and follow no known protocol (not TLS, SSH or HTTP), as custom "
                    "symmetric-encrypted C2 does.")
        return None

    def raw_port(self, conn: Connection) -> Verdict | None:
        if conn.resp_p not in self.ports or conn.service or conn.orig_bytes <= 0:
            return None
        return Verdict(
            "network-raw-tcp-c2-port", f"Raw TCP to FatalRAT default port {conn.resp_p}",
            Severity.LOW, ("T1095",),
            (("id.resp_p", str(conn.resp_p)), ("service", "none identified")),
            f"{conn.orig_h} sent {conn.orig_bytes} bytes to {conn.resp_h}:{conn.resp_p} over a "
            "protocol Zeek did not identify, on the family's default C2 port.")


def printable(data: bytes) -> str:
    """``data`` as text an analyst can read: printable ASCII kept, other bytes as ``.``."""
    return "".join(chr(b) if 32 <= b < 127 else "." for b in data)


def entropy(data: bytes) -> float:
    """Shannon entropy of ``data`` in bits per byte."""
    total = len(data)
    return -sum(c / total * math.log2(c / total) for c in Counter(data).values()) if data else 0.0


def normalised_entropy(data: bytes) -> float:
    """Entropy of ``data`` divided by that of random bytes of the same length (about 0..1).

    A short sample of random bytes has fewer distinct values than 256, so comparing with the
    entropy random bytes reach at that length (not with 8 bits) keeps short samples fair.
    """
    if len(data) < 2:
        return 0.0
    return entropy(data) / _random_entropy(min(len(data), 4096))


@functools.lru_cache(maxsize=512)
def _random_entropy(size: int) -> float:
    generator = random.Random(size)  # deterministic: the same reference on every run
    samples = [entropy(generator.randbytes(size)) for _ in range(8)]
    return sum(samples) / len(samples)
