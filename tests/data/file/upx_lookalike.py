"""Make a built test PE look UPX-packed, without packing it (used by build.sh).

Renames the first code section to ``UPX0`` and appends a writable + executable section ``UPX1``
holding 64 KiB of deterministic high-entropy bytes (a SHA-256 counter stream). The code and the
import table stay intact, so capability checks still see them. Usage:
``python upx_lookalike.py IN.exe OUT.exe``.
"""

from __future__ import annotations

import hashlib
import struct
import sys

import pefile

SECTION_HEADER = struct.Struct("<8sIIIIIIHHI")
RWX_DATA = 0x20000000 | 0x40000000 | 0x80000000 | 0x00000040
BLOB_BYTES = 64 * 1024


def _align(value: int, alignment: int) -> int:
    return (value + alignment - 1) // alignment * alignment


def _blob(size: int) -> bytes:
    chunks = (hashlib.sha256(b"huntpack-%d" % n).digest() for n in range(size // 32))
    return b"".join(chunks)


def disguise(data: bytes) -> bytes:
    pe = pefile.PE(data=data)
    out = bytearray(data)
    header = pe.OPTIONAL_HEADER
    first, last = pe.sections[0], pe.sections[-1]
    out[first.get_file_offset():first.get_file_offset() + 8] = b"UPX0\x00\x00\x00\x00"
    table_end = last.get_file_offset() + SECTION_HEADER.size
    if table_end + SECTION_HEADER.size > min(header.SizeOfHeaders, first.PointerToRawData):
        raise SystemExit("no room for one more section header")
    blob = _blob(BLOB_BYTES)
    raw_at = _align(len(out), header.FileAlignment)
    virtual_at = _align(last.VirtualAddress + max(last.Misc_VirtualSize, last.SizeOfRawData),
                        header.SectionAlignment)
    raw_size = _align(len(blob), header.FileAlignment)
    out[table_end:table_end + SECTION_HEADER.size] = SECTION_HEADER.pack(
        b"UPX1", len(blob), virtual_at, raw_size, raw_at, 0, 0, 0, 0, RWX_DATA)
    struct.pack_into("<H", out, pe.FILE_HEADER.get_file_offset() + 2, len(pe.sections) + 1)
    struct.pack_into("<I", out, header.get_file_offset() + 56,
                     _align(virtual_at + len(blob), header.SectionAlignment))
    out.extend(b"\x00" * (raw_at - len(out)))
    out.extend(blob.ljust(raw_size, b"\x00"))
    return bytes(out)


if __name__ == "__main__":
    source, target = sys.argv[1], sys.argv[2]
    with open(source, "rb") as stream:
        result = disguise(stream.read())
    with open(target, "wb") as stream:
        stream.write(result)
