"""Packing signs in a PE file, weighed into a verdict that names the packer when it is known.

Packing alone is no proof of malice, and every sign alone has innocent causes (an installer's
overlay, a compressed resource, a linker that merges sections), so the verdict adds weights and
needs ``PACKED_SCORE``. Packer signatures (PEiD-style YARA rules) fire falsely on their own: a
signature may name the packer only when the structure already looks packed, and then adds weight.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pefile

#: Section names that packers leave behind, lower-cased -> packer.
PACKER_SECTIONS: dict[str, str] = {
    "upx0": "UPX", "upx1": "UPX", "upx2": "UPX", "upx!": "UPX",
    ".vmp0": "VMProtect", ".vmp1": "VMProtect", ".vmp2": "VMProtect",
    ".themida": "Themida", ".winlice": "Themida",
    ".aspack": "ASPack", ".adata": "ASPack",
    ".mpress1": "MPRESS", ".mpress2": "MPRESS",
    ".petite": "Petite", ".nsp0": "NsPack", ".nsp1": "NsPack", ".nsp2": "NsPack",
    "pec1": "PECompact", "pec2": "PECompact", "pecompact2": "PECompact",
    ".enigma1": "Enigma", ".enigma2": "Enigma", ".yp": "yoda's Crypter", "mew": "MEW",
    "fsg!": "FSG", ".perplex": "Perplex", ".packed": "unknown packer", "kkrunchy": "kkrunchy",
}

#: Tokens in packer-signature rule names -> packer (PEiD rule names carry the packer's name).
PACKER_TOKENS: tuple[tuple[str, str], ...] = (
    ("upx", "UPX"), ("aspack", "ASPack"), ("mpress", "MPRESS"), ("themida", "Themida"),
    ("vmprotect", "VMProtect"), ("pecompact", "PECompact"), ("fsg", "FSG"), ("petite", "Petite"),
    ("nspack", "NsPack"), ("acprotect", "ACProtect"), ("armadillo", "Armadillo"),
    ("enigma", "Enigma"), ("obsidium", "Obsidium"), ("execryptor", "ExeCryptor"),
    ("upack", "Upack"), ("telock", "tElock"), ("pelock", "PELock"), ("molebox", "MoleBox"),
    ("yoda", "yoda's Crypter"), ("mew", "MEW"),
)

PACKED_SCORE = 3
HIGH_SCORE = 5
_EXECUTE, _WRITE = 0x20000000, 0x80000000
_CODE = 0x00000020
_MIN_ENTROPY_BYTES = 1024
_MIN_VIRTUAL_ONLY = 16 * 1024
_LOADERS = ("loadlibrarya", "loadlibraryw", "loadlibraryexa", "loadlibraryexw", "ldrloaddll")


@dataclass(frozen=True, slots=True)
class Sign:
    """One packing sign: its name, what was seen, and its weight in the verdict."""

    name: str
    detail: str
    weight: int


@dataclass(slots=True)
class PackingVerdict:
    packer: str | None = None
    signs: list[Sign] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(sign.weight for sign in self.signs)

    @property
    def packed(self) -> bool:
        return self.score >= PACKED_SCORE

    @property
    def confidence(self) -> str:
        return "high" if self.score >= HIGH_SCORE else "medium" if self.packed else "low"


def assess_packing(pe: pefile.PE, data: bytes, extra_sections: Iterable[str] = (),
                   entropy_threshold: float = 7.2,
                   signature_rules: Sequence[str] = ()) -> PackingVerdict:
    """Weigh the structural signs of ``pe``, then cross-check the packer signatures that hit."""
    verdict = PackingVerdict()
    known = dict(PACKER_SECTIONS)
    known.update({name.lower(): PACKER_SECTIONS.get(name.lower(), "unknown packer")
                  for name in extra_sections})
    named = _section_names(pe, known, verdict)
    verdict.signs += _section_signs(pe, entropy_threshold)
    verdict.signs += _entry_signs(pe) + _import_signs(pe) + _overlay_signs(pe, data)
    verdict.packer = named
    _cross_check(verdict, signature_rules)
    return verdict


def _section_names(pe: pefile.PE, known: dict[str, str], verdict: PackingVerdict) -> str | None:
    hits = [(name, known[name.lower()]) for name in map(section_name, pe.sections)
            if name.lower() in known]
    if not hits:
        return None
    names = ", ".join(name for name, _ in hits)
    packer = next((p for _, p in hits if p != "unknown packer"), hits[0][1])
    verdict.signs.append(Sign("packer section names", f"{names} ({packer})", 3))
    return None if packer == "unknown packer" else packer


def section_name(section: pefile.SectionStructure) -> str:
    raw: bytes = section.Name
    return raw.rstrip(b"\x00").decode("latin-1", "replace")


def _section_signs(pe: pefile.PE, threshold: float) -> list[Sign]:
    signs: list[Sign] = []
    for section in pe.sections:
        name, flags = section_name(section), section.Characteristics
        entropy = section.get_entropy() if section.SizeOfRawData >= _MIN_ENTROPY_BYTES else 0.0
        if entropy > threshold:
            signs.append(Sign("high-entropy section", f"{name}: entropy {entropy:.2f} > "
                              f"{threshold}", 2))
        if flags & _EXECUTE and flags & _WRITE:
            signs.append(Sign("writable and executable section", name, 1))
        if (section.SizeOfRawData == 0 and section.Misc_VirtualSize >= _MIN_VIRTUAL_ONLY
                and flags & (_EXECUTE | _CODE)):
            signs.append(Sign("executable section with no raw data",
                              f"{name}: 0 bytes on disk, {section.Misc_VirtualSize} in memory", 2))
    return signs


def _entry_signs(pe: pefile.PE) -> list[Sign]:
    entry = pe.OPTIONAL_HEADER.AddressOfEntryPoint
    code = [s for s in pe.sections if s.Characteristics & (_CODE | _EXECUTE)]
    if not code or entry == 0:
        return []
    first = code[0]
    if first.contains_rva(entry) and first.SizeOfRawData > 0:
        return []
    holder = next((section_name(s) for s in pe.sections if s.contains_rva(entry)), "no section")
    return [Sign("entry point outside the first code section",
                 f"entry {entry:#x} in {holder}, first code section {section_name(first)}", 1)]


def imported_names(pe: pefile.PE) -> list[str]:
    names: list[str] = []
    for entry in getattr(pe, "DIRECTORY_ENTRY_IMPORT", []):
        names += [imp.name.decode("latin-1") for imp in entry.imports if imp.name]
    return names


def _import_signs(pe: pefile.PE) -> list[Sign]:
    names = [name.lower() for name in imported_names(pe)]
    if not names or len(names) > 12:
        return []
    if "getprocaddress" in names and any(loader in names for loader in _LOADERS):
        return [Sign("tiny import table with run-time linking",
                     f"{len(names)} imports, LoadLibrary + GetProcAddress", 1)]
    return []


def _overlay_signs(pe: pefile.PE, data: bytes) -> list[Sign]:
    start = pe.get_overlay_data_start_offset()
    if start is None or start >= len(data):
        return []
    directories = pe.OPTIONAL_HEADER.DATA_DIRECTORY
    index = pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_SECURITY"]
    if index < len(directories):
        security = directories[index]
        if security.Size and security.VirtualAddress >= start:
            return []  # an Authenticode signature: not an appended payload
    return [Sign("overlay", f"{len(data) - start} bytes after the last section", 0)]


def packer_of_rule(rule: str) -> str | None:
    lowered = rule.lower()
    return next((packer for token, packer in PACKER_TOKENS if token in lowered), None)


def _cross_check(verdict: PackingVerdict, rules: Sequence[str]) -> None:
    votes = Counter(p for p in map(packer_of_rule, rules) if p is not None)
    if not votes:
        return
    if not verdict.packed:
        return  # a signature alone is not enough: PEiD rules fire on unpacked files too
    agreeing = verdict.packer if verdict.packer in votes else votes.most_common(1)[0][0]
    hits = ", ".join(rule for rule in rules if packer_of_rule(rule) == agreeing)
    verdict.signs.append(Sign("packer signature", f"{agreeing}: {hits}", 1))
    verdict.packer = verdict.packer or agreeing
