"""``file.pe``: packing, keylogging, sandbox checks and FatalRAT traits in PE files.

Settings (the pack's ``file.pe`` mapping): ``packer_sections`` (more packer section names),
``entropy_threshold`` (default 7.2), ``yara_folders`` (folders of packer signatures such as
PEiD sets, cross-checked against the structure; relative names are looked up in the built-in
packs). Files are parsed, never run.

Parser choice, measured on the 12 PE files of the shared corpus (pe/yara-tests): ``pefile``
2024.8.26 (headers + imports + entropy) 6.5 ms/file, pure Python, every raw field reachable;
``lief`` 1.0.0 1.1 ms/file but writes parser warnings to stderr on malformed files;
``die-python`` 0.5.0 names the packer and version right (UPX 3.03/3.07/3.96) but only when given
its database path, at ~480 ms/file. ``pefile`` plus the weighed signs here is enough.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import pefile

from huntpack.analyzers.base import AnalyzerBase
from huntpack.analyzers.file.binary import Binary, find_texts, load_binary
from huntpack.analyzers.file.capability import api_use, evasion_signs, keylogging_signs
from huntpack.analyzers.file.findings import file_finding
from huntpack.analyzers.file.named_files import (
    NameWatcher,
    base_name,
    file_verdict,
    link,
    named_without_verdict,
)
from huntpack.analyzers.file.packing import PackingVerdict, assess_packing
from huntpack.analyzers.file.signatures import SignatureSet, compile_folders, resolve_folders
from huntpack.model import Event, Finding, Severity

#: FatalRAT builder strings (public facts) and the technique each points to ("" for none).
FATALRAT_TRAITS: dict[str, str] = {
    "SVP7-Thread running...": "",
    "nw_elf.dll": "T1574.002",
    "Fatal.key": "T1056.001",
    "EwinhProtocolHosty": "T1573.001",
    "XXAcQbcXXfRSScR": "T1497.001",
}
# the family's string decryption: mov ecx,0x5AB .. idiv ecx .. add dl,0x3D (32-bit builds)
_FATALRAT_DECRYPT = re.compile(rb"\xb9\xab\x05\x00\x00.{1,4}\xf7\xf9.{1,8}\x80\xc2\x3d", re.DOTALL)
_STRONG_KEYLOG = ("keyboard hook", "raw keyboard input")


EXECUTABLE_FORMATS = frozenset({"pe", "elf", "macho", "zip", "gzip"})  # archives may hold files


class PeAnalyzer(AnalyzerBase):
    name = "file.pe"
    kinds = frozenset({"file", "windows", "json"})  # log events: only to link named files

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__(settings)
        self.extra_sections = tuple(str(s) for s in self.settings.get("packer_sections") or ())
        self.entropy_threshold = float(self.settings.get("entropy_threshold", 7.2))
        folders = resolve_folders(str(f) for f in self.settings.get("yara_folders") or ())
        compiled = compile_folders(folders)  # only the packer sets matter here
        self.signatures = SignatureSet(tuple(f for f in compiled.files if f.packer_set),
                                       compiled.problems)
        self.watcher = NameWatcher()
        self._last: tuple[int, list[Finding]] = (0, [])

    def prepare(self, evidence_formats: frozenset[str], beside: Collection[str] = ()) -> None:
        """Log events only matter when they can name a file among or beside the evidence."""
        if not evidence_formats & EXECUTABLE_FORMATS and not any(map(base_name, beside)):
            self.kinds = frozenset({"file"})

    def wanted_files(self, records: Sequence[Any]) -> frozenset[str]:
        """Executables that log events name and that are not among the evidence."""
        return named_without_verdict(records)

    def analyze(self, event: Event) -> list[Finding]:
        if event.logsource.kind != "file":
            return []
        findings = self._analyze_file(event)
        self._last = (id(event), findings)
        return findings

    def observe(self, event: Event) -> Any | None:
        """A file's verdict, or a log event naming an executable (see ``named_files``)."""
        if event.logsource.kind != "file":
            return self.watcher.named_file(event)
        last_id, findings = self._last
        return file_verdict(event, findings) if last_id == id(event) else None

    def conclude(self, records: Sequence[Any]) -> list[Finding]:
        return link(records, self.name)

    def _analyze_file(self, event: Event) -> list[Finding]:
        binary = load_binary(event)
        if binary is None or binary.type != "pe":
            return []
        try:
            pe = pefile.PE(data=binary.data, fast_load=True)
            pe.parse_data_directories(directories=[
                pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_IMPORT"]])
        except pefile.PEFormatError:
            return []  # not a loadable PE after all: the file event itself is the record
        try:
            return self._findings(event, binary, pe)
        finally:
            pe.close()

    def _findings(self, event: Event, binary: Binary, pe: pefile.PE) -> list[Finding]:
        lowered = binary.data.lower()
        found = [self._packing(event, binary, pe), _keylogging(event, pe, lowered),
                 _evasion(event, binary.data, lowered), _fatalrat(event, binary.data, lowered)]
        return [finding for finding in found if finding is not None]

    def _packing(self, event: Event, binary: Binary, pe: pefile.PE) -> Finding | None:
        hits, _ = self.signatures.match(binary.data) if self.signatures.files else ([], [])
        rules = [hit.rule for hit in hits if hit.file.packer_set]
        verdict = assess_packing(pe, binary.data, self.extra_sections, self.entropy_threshold,
                                 rules)
        if not verdict.packed:
            return None
        return file_finding(
            self.name, event, "packed", _packed_title(verdict),
            Severity.MEDIUM if verdict.confidence == "high" else Severity.LOW, ["T1027.002"],
            [("packer", verdict.packer or "unknown"),
             ("confidence", f"{verdict.confidence} (score {verdict.score})"),
             *((sign.name, sign.detail) for sign in verdict.signs)],
            f"Packed or protected executable ({verdict.confidence} confidence, score "
            f"{verdict.score}). Packing hides code from inspection; alone it is no proof of "
            "malice (installers and commercial software pack too).")


def _packed_title(verdict: PackingVerdict) -> str:
    return f"Packed executable ({verdict.packer or 'unknown packer'})"


def _keylogging(event: Event, pe: pefile.PE, lowered: bytes) -> Finding | None:
    signs = keylogging_signs(pe, api_use(pe, lowered))
    if not signs:
        return None
    strong = any(sign in _STRONG_KEYLOG for sign, _ in signs)
    return file_finding(
        "file.pe", event, "keylogging", "Keylogging capability",
        Severity.HIGH if strong else Severity.MEDIUM, ["T1056.001"], signs,
        "The program can read keystrokes of other programs (keyboard hook, key polling or raw "
        "input). Confirm what it does with them before calling it a keylogger.")


def _evasion(event: Event, data: bytes, lowered: bytes) -> Finding | None:
    signs = evasion_signs(lowered, data)
    if not signs:
        return None
    return file_finding(
        "file.pe", event, "sandbox-checks", "Virtual machine or sandbox checks",
        Severity.MEDIUM, ["T1497.001"], signs,
        "The program carries artefacts of checks for virtual machines or analysis sandboxes, "
        "used by malware to stay dormant under analysis.")


def _fatalrat(event: Event, data: bytes, lowered: bytes) -> Finding | None:
    traits = find_texts(lowered, FATALRAT_TRAITS)
    signs = [("FatalRAT string", text) for text in traits]
    if _FATALRAT_DECRYPT.search(data):
        signs.append(("FatalRAT decryption routine", "constants 0x5AB (1451) and 0x3D (61)"))
    if len(signs) < 2:
        return None
    return file_finding(
        "file.pe", event, "fatalrat-traits", "FatalRAT traits in a file", Severity.HIGH,
        [FATALRAT_TRAITS[text] for text in traits if FATALRAT_TRAITS[text]], signs,
        "Strings or code of the FatalRAT builder (Gh0st lineage). Builder defaults can be "
        "changed by an operator, so their absence proves nothing.")
