"""Builders for network test evidence: TLS ClientHellos, Zeek logs (TSV and JSON), pcaps,
and a one-call hunt over them with the network analyzers only."""

from __future__ import annotations

import json
import struct
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from huntpack.hunt.plan import HuntPlan
from huntpack.hunt.result import HuntResult
from huntpack.hunt.runner import run_hunt
from huntpack.model import Finding
from huntpack.sources.capture_writer import TcpSession, session_frames, write_pcap

NETWORK = ("network.c2", "network.flows", "network.protocol", "network.tls")

CONN_FIELDS = (("ts", "time"), ("uid", "string"), ("id.orig_h", "addr"), ("id.orig_p", "port"),
               ("id.resp_h", "addr"), ("id.resp_p", "port"), ("proto", "enum"),
               ("service", "string"), ("duration", "interval"), ("orig_bytes", "count"),
               ("resp_bytes", "count"), ("conn_state", "string"), ("history", "string"),
               ("tunnel_parents", "set[string]"))


def hunt(paths: Sequence[Path], settings: Mapping[str, Mapping[str, Any]] | None = None,
         analyzers: tuple[str, ...] = NETWORK) -> HuntResult:
    plan = HuntPlan(evidence=tuple(paths), rule_paths=(), jobs=1, analyzers=analyzers,
                    analyzer_settings=settings or {})
    result = run_hunt(plan)
    assert not result.analyzer_failures, result.analyzer_failures
    return result


def rule_ids(findings: Iterable[Finding]) -> list[str]:
    return sorted(finding.rule_id for finding in findings)


def client_hello(server_name: str = "example.com") -> bytes:
    """A TLS 1.2 record holding a ClientHello with SNI, curves, point formats, ALPN."""
    name = server_name.encode()
    sni = struct.pack(">HBH", len(name) + 3, 0, len(name)) + name
    extensions = (
        _ext(0x0A0A, b"") + _ext(0x0000, sni) + _ext(0x000A, b"\x00\x06\x00\x1d\x00\x17\x00\x18")
        + _ext(0x000B, b"\x01\x00") + _ext(0x000D, b"\x00\x04\x04\x03\x08\x04")
        + _ext(0x0010, b"\x00\x03\x02h2")
    )
    ciphers = b"\x1a\x1a\xc0\x2b\xc0\x2f\x00\x9c"
    body = (b"\x03\x03" + bytes(range(32)) + b"\x00" + struct.pack(">H", len(ciphers)) + ciphers
            + b"\x01\x00" + struct.pack(">H", len(extensions)) + extensions)
    handshake = b"\x01" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + struct.pack(">H", len(handshake)) + handshake


#: JA3 of ``client_hello()``: GREASE (0x1a1a, 0x0a0a) left out.
CLIENT_HELLO_JA3_STRING = "771,49195-49199-156,0-10-11-13-16,29-23-24,0"


def _ext(kind: int, data: bytes) -> bytes:
    return struct.pack(">HH", kind, len(data)) + data


def write_sessions(path: Path, sessions: Iterable[TcpSession]) -> Path:
    frames = [frame for session in sessions for frame in session_frames(session)]
    with path.open("wb") as stream:
        write_pcap(stream, frames)
    return path


def conn(ts: float, orig: str, resp: str, port: int, **extra: Any) -> dict[str, Any]:
    """One conn.log record as Zeek's JSON writer gives it (unset fields absent)."""
    record: dict[str, Any] = {"ts": round(ts, 6), "uid": f"C{int(ts * 1000) % 10**9}{port}",
                              "id.orig_h": orig, "id.orig_p": 49152 + int(ts) % 10000,
                              "id.resp_h": resp, "id.resp_p": port, "proto": "tcp",
                              "conn_state": "SF", "history": "ShADadFf", "tunnel_parents": []}
    record.update(extra)
    if "duration" in record:
        record["duration"] = round(record["duration"], 6)
    return record


def write_zeek_json(path: Path, records: Iterable[Mapping[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), "utf-8")
    return path


def write_zeek_tsv(path: Path, records: Iterable[Mapping[str, Any]], log: str = "conn",
                   fields: Sequence[tuple[str, str]] = CONN_FIELDS) -> Path:
    lines = ["#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)",
             "#unset_field\t-", f"#path\t{log}", "#open\t2025-03-06-01-00-00",
             "#fields\t" + "\t".join(name for name, _ in fields),
             "#types\t" + "\t".join(kind for _, kind in fields)]
    for record in records:
        lines.append("\t".join(_tsv(record.get(name), kind) for name, kind in fields))
    lines.append("#close\t2025-03-06-03-00-00")
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _tsv(value: Any, kind: str) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return ",".join(str(v) for v in value) if value else "(empty)"
    if isinstance(value, bool):
        return "T" if value else "F"
    if kind in ("time", "interval"):
        return f"{value:.6f}"
    return str(value)
