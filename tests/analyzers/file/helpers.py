"""Run the file analyzers over paths, the way the hunt does (source reader -> analyzers)."""

from __future__ import annotations

import struct
import zipfile
import zlib
from functools import cache
from pathlib import Path

from huntpack.analyzers.file.pe import PeAnalyzer
from huntpack.analyzers.file.yara_scan import YaraAnalyzer
from huntpack.model import Event, Finding, InputProblem
from huntpack.sources import discover, read_events

DATA = Path(__file__).resolve().parents[2] / "data" / "file"


@cache
def analyzers(packer_folder: str | None = None) -> tuple[PeAnalyzer, YaraAnalyzer]:
    folders = [packer_folder] if packer_folder else []
    return (PeAnalyzer({"yara_folders": folders, "entropy_threshold": 7.2}),
            YaraAnalyzer({"rule_folder": "yara"}))


def analyze_path(path: Path, packer_folder: str | None = None
                 ) -> tuple[list[Finding], list[InputProblem], list[Event]]:
    """Findings of file.pe + file.yara on every file event under ``path``."""
    items, problems = discover([path])
    findings: list[Finding] = []
    events: list[Event] = []
    for item in items:
        for entry in read_events(item):
            if isinstance(entry, InputProblem):
                problems.append(entry)
                continue
            events.append(entry)
            for analyzer in analyzers(packer_folder):
                findings += analyzer.analyze(entry)
    return findings, problems, events


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xEDB88320 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _crc_table()


def zipcrypto(plain: bytes, password: bytes, check: int) -> bytes:
    """Traditional PKWARE encryption (what ``zip -P`` writes): 12-byte header + data."""
    keys = [0x12345678, 0x23456789, 0x34567890]

    def update(byte: int) -> None:
        keys[0] = _TABLE[(keys[0] ^ byte) & 0xFF] ^ (keys[0] >> 8)
        keys[1] = ((keys[1] + (keys[0] & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        keys[2] = _TABLE[(keys[2] ^ (keys[1] >> 24)) & 0xFF] ^ (keys[2] >> 8)

    for byte in password:
        update(byte)
    out = bytearray()
    for byte in bytes(11) + bytes([check]) + plain:
        temp = (keys[2] | 2) & 0xFFFF
        out.append(byte ^ (((temp * (temp ^ 1)) >> 8) & 0xFF))
        update(byte)
    return bytes(out)


def encrypted_zip(path: Path, name: str, plain: bytes, password: bytes) -> Path:
    """A zip with one stored member encrypted with ``password`` (zipfile cannot write one)."""
    crc = zlib.crc32(plain)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(name, zipcrypto(plain, password, crc >> 24))
    data = bytearray(path.read_bytes())
    for magic, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(magic)
        data[at + flags_at] |= 0x1
        struct.pack_into("<I", data, at + flags_at + 8, crc)  # CRC-32 of the plain bytes
        struct.pack_into("<I", data, at + flags_at + 16, len(plain))  # uncompressed size
    path.write_bytes(bytes(data))
    return path
