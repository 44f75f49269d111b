"""Which constant is passed to an imported function: a byte-pattern look at its call sites.

No disassembler: the call forms compilers emit for imports are few. ``call [IAT slot]``
(``FF 15``: RIP-relative on x64, absolute on x86), or ``call thunk`` (``E8``) where the thunk is
``jmp [IAT slot]`` (``FF 25``, MinGW's import stubs). The first argument is the last
``mov ecx, imm32`` (x64) or ``push imm8`` (x86, pushed last) in the bytes before the call. For a
function pointer resolved at run time, ``mov ecx, imm32`` shortly before ``call reg`` is kept.
Every search is bounded by the size of the code sections, which the caller bounds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pefile

_LOOKBACK = 24
#: Most bytes of code searched per section (a bound on hostile files, not on real programs).
MAX_CODE_BYTES = 16 * 1024 * 1024
_X86 = 0x14C
_MOV_ECX = re.compile(rb"\xb9(.)\x00\x00\x00", re.DOTALL)
_PUSH_IMM8 = re.compile(rb"\x6a(.)", re.DOTALL)
_MOV_THEN_CALL_REG = re.compile(rb"\xb9(.)\x00\x00\x00.{0,16}?(?:\x41)?\xff[\xd0-\xd7]", re.DOTALL)


def import_slots(pe: pefile.PE, names: set[str]) -> dict[int, str]:
    """Virtual address of the import address table slot -> imported name, for ``names``."""
    slots: dict[int, str] = {}
    for entry in getattr(pe, "DIRECTORY_ENTRY_IMPORT", []):
        for imp in entry.imports:
            name = imp.name.decode("latin-1") if imp.name else ""
            if name in names and imp.address:
                slots[imp.address] = name
    return slots


def first_arguments(pe: pefile.PE, names: set[str]) -> dict[str, set[int]]:
    """For each imported function of ``names``: the first-argument constants seen at its calls."""
    slots = import_slots(pe, names)
    found: dict[str, set[int]] = {}
    if not slots:
        return found
    x86 = pe.FILE_HEADER.Machine == _X86
    for base, code in _code_sections(pe):
        targets = dict(slots)
        targets.update(_thunks(code, base, slots, x86))
        for at, name in _calls(code, base, targets, x86):
            value = _argument(code[max(0, at - _LOOKBACK):at], x86)
            found.setdefault(name, set())
            if value is not None:
                found[name].add(value)
    return found


def constants_before_register_calls(pe: pefile.PE) -> set[int]:
    """Small constants moved into ECX shortly before a call through a register (x64)."""
    values: set[int] = set()
    for _, code in _code_sections(pe):
        values.update(match.group(1)[0] for match in _MOV_THEN_CALL_REG.finditer(code))
    return values


def _code_sections(pe: pefile.PE) -> Iterator[tuple[int, bytes]]:
    base = pe.OPTIONAL_HEADER.ImageBase
    for section in pe.sections:
        if section.Characteristics & 0x20000020 and section.SizeOfRawData:
            yield base + section.VirtualAddress, section.get_data(length=MAX_CODE_BYTES)


def _target(code: bytes, at: int, base: int, x86: bool) -> int | None:
    """Where ``FF 15``/``FF 25`` at ``at`` reads its pointer from."""
    field = code[at + 2:at + 6]
    if len(field) < 4:
        return None
    if x86:
        return int.from_bytes(field, "little")
    return base + at + 6 + int.from_bytes(field, "little", signed=True)


def _thunks(code: bytes, base: int, slots: dict[int, str], x86: bool) -> dict[int, str]:
    thunks: dict[int, str] = {}
    for match in re.finditer(rb"\xff\x25", code):
        name = slots.get(_target(code, match.start(), base, x86) or -1)
        if name is not None:
            start = match.start() - 1 if code[match.start() - 1:match.start()] == b"\x48" else \
                match.start()
            thunks[base + start] = name
    return thunks


def _calls(code: bytes, base: int, targets: dict[int, str], x86: bool) -> Iterator[tuple[int, str]]:
    for match in re.finditer(rb"\xff\x15", code):
        name = targets.get(_target(code, match.start(), base, x86) or -1)
        if name is not None:
            yield match.start(), name
    for match in re.finditer(rb"\xe8", code):
        at = match.start()
        field = code[at + 1:at + 5]
        if len(field) == 4:
            name = targets.get(base + at + 5 + int.from_bytes(field, "little", signed=True))
            if name is not None:
                yield at, name


def _argument(window: bytes, x86: bool) -> int | None:
    pattern = _PUSH_IMM8 if x86 else _MOV_ECX
    matches = list(pattern.finditer(window))
    return matches[-1].group(1)[0] if matches else None
