"""FatalRAT-like test inputs built from the public facts, never copied from a sample.

* ``decrypt_routine``: the family's string/config decryption (facts 1.7: ``k = (key mod 1451) +
  61``, then every byte ``b`` becomes ``(b xor k) + k``) hand-assembled as 32-bit x86, the way a
  compiler emits it, with the constants as parameters so that a near miss is one argument away;
* ``implant``: a committed, clean PE with code put in the slack of its code section and data in
  the slack of ``.rdata`` (or, when that is full, appended as an overlay);
* ``keylog``: an offline keylog file as the builder writes it (facts 1.5: GBK text, headers
  ``[标题:]`` window title, ``[时间:]`` time and ``[内容:]`` keys, each byte XOR 0x62).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence

import pefile

MODULUS, BIAS = 0x5AB, 0x3D  # 1451 and 61
KEYLOG_XOR = 0x62


def decrypt_routine(modulus: int = MODULUS, bias: int = BIAS, *, frame: bool = True,
                    add_first: bool = False) -> bytes:
    """``decrypt(char *buf, int len, unsigned char key)``, cdecl, 32-bit.

    ``frame``: with a frame pointer (``push ebp``), else frame-pointer omitted, which moves the
    loads around the constants (what the signatures' jumps are for). ``add_first`` swaps the
    loop's ``xor`` and ``add``: ``(b + k) xor k`` is another routine.
    """
    loop = bytes.fromhex(
        "8a08"          # mov cl, [eax]
        + ("02ca32ca" if add_first else "32ca02ca")  # xor cl, dl ; add cl, dl (or swapped)
        + "8808"        # mov [eax], cl
        "40"            # inc eax
        "4e"            # dec esi
        "75f4")         # jnz loop (-12)
    mov_ecx = b"\xb9" + struct.pack("<I", modulus)  # mov ecx, modulus
    add_dl = b"\x80\xc2" + bytes([bias])            # add dl, bias: k = key % modulus + bias
    if frame:
        return b"".join((
            bytes.fromhex("558bec"),    # push ebp ; mov ebp, esp
            bytes.fromhex("0fb64510"),  # movzx eax, byte [ebp+16]   (key)
            b"\x99", mov_ecx,           # cdq ; mov ecx, modulus
            b"\x56",                    # push esi
            b"\xf7\xf9",                # idiv ecx                   (edx = key % modulus)
            bytes.fromhex("8b750c"),    # mov esi, [ebp+12]          (len)
            add_dl,
            bytes.fromhex("85f6760f"),  # test esi, esi ; jbe done
            bytes.fromhex("8b4508"),    # mov eax, [ebp+8]           (buf)
            loop,
            bytes.fromhex("5e5dc3"),    # done: pop esi ; pop ebp ; ret
        ))
    return b"".join((
        b"\x56",                        # push esi
        bytes.fromhex("0fb6442410"),    # movzx eax, byte [esp+16]   (key)
        b"\x99", mov_ecx,               # cdq ; mov ecx, modulus
        bytes.fromhex("8b74240c"),      # mov esi, [esp+12]          (len)
        b"\xf7\xf9",                    # idiv ecx
        bytes.fromhex("8b442408"),      # mov eax, [esp+8]           (buf)
        add_dl,
        bytes.fromhex("85f6740c"),      # test esi, esi ; jz done
        loop,
        bytes.fromhex("5ec3"),          # done: pop esi ; ret
    ))


def decrypt(data: bytes, key: int, modulus: int = MODULUS, bias: int = BIAS) -> bytes:
    """What ``decrypt_routine`` computes, in Python."""
    k = (key % modulus + bias) & 0xFF
    return bytes(((b ^ k) + k) & 0xFF for b in data)


def implant(pe_bytes: bytes, code: bytes = b"", data: Iterable[bytes] = ()) -> bytes:
    """``pe_bytes`` with ``code`` at the end of its code section and ``data`` (NUL-terminated
    blobs) in the slack of ``.rdata``, or appended as an overlay when they do not fit there."""
    pe = pefile.PE(data=pe_bytes, fast_load=True)
    try:
        out = bytearray(pe_bytes)
        if code:
            text = next(s for s in pe.sections if s.Characteristics & 0x20)  # IMAGE_SCN_CNT_CODE
            _put(out, text, code)
        blob = b"".join(part + b"\x00" for part in data)
        rdata = next((s for s in pe.sections if s.Name.rstrip(b"\x00") == b".rdata"), None)
        if blob and rdata is not None and _room(rdata) >= len(blob):
            _put(out, rdata, blob)
        elif blob:
            out += blob
        return bytes(out)
    finally:
        pe.close()


def _room(section: pefile.SectionStructure) -> int:
    return int(section.SizeOfRawData) - int(section.Misc_VirtualSize)


def _put(out: bytearray, section: pefile.SectionStructure, blob: bytes) -> None:
    """Write ``blob`` just after the section's used bytes and count it in its VirtualSize."""
    if _room(section) < len(blob):
        raise ValueError(f"{section.Name!r}: {_room(section)} free bytes, {len(blob)} needed")
    at = section.PointerToRawData + section.Misc_VirtualSize
    out[at:at + len(blob)] = blob
    header_at = section.get_file_offset()
    struct.pack_into("<I", out, header_at + 8, section.Misc_VirtualSize + len(blob))


def keylog(entries: Sequence[tuple[str, str, str]], xor: int | None = KEYLOG_XOR,
           encoding: str = "gbk") -> bytes:
    """An offline keylog file: per (window title, time, keys) entry the builder's headers, in
    ``encoding``, each byte XOR ``xor`` (None: left plain)."""
    text = "".join(f"\r\n[标题:]{title}\r\n[时间:]{time}\r\n[内容:]{keys}"
                   for title, time, keys in entries)
    raw = text.encode(encoding)
    return raw if xor is None else bytes(b ^ xor for b in raw)
