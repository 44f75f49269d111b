"""``file.yara``: the campaign pack's YARA rules and the user's rule folders over every file.

Settings: ``rule_folder`` (the pack's folder, default ``yara``; null for none) and ``yara_folders`` (more
folders; ``--yara DIR``). Rules are compiled once, when the analyzer is built. Files holding
packer signatures (``peid``/``packer`` in the name) are left to ``file.pe``, which cross-checks
them. A rule's ``attack`` meta (``T1056.001, T1497.001``) becomes the finding's techniques.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from huntpack.analyzers.base import AnalyzerBase
from huntpack.analyzers.file.binary import load_binary
from huntpack.analyzers.file.findings import file_finding
from huntpack.analyzers.file.signatures import RuleHit, compile_folders, resolve_folders
from huntpack.model import Event, Finding, Severity, SourceRef

_TECHNIQUE = re.compile(r"\bT\d{4}(?:\.\d{3})?\b")


class YaraAnalyzer(AnalyzerBase):
    name = "file.yara"
    kinds = frozenset({"file", "file.data"})  # executables and any other file given as evidence

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__(settings)
        pack_folder = self.settings.get("rule_folder", "yara")
        folders = [str(pack_folder)] if pack_folder else []
        folders += [str(folder) for folder in self.settings.get("yara_folders") or ()]
        self.signatures = compile_folders(resolve_folders(folders))

    def analyze(self, event: Event) -> list[Finding]:
        binary = load_binary(event)
        if binary is None:
            return []
        hits, failures = self.signatures.match(binary.data)
        findings = [self._finding(event, hit) for hit in hits if not hit.file.packer_set]
        if failures:  # a timeout or a yara error on hostile input: say which rules did not run
            findings.append(file_finding(
                self.name, event, "scan-incomplete", "YARA scan incomplete", Severity.LOW, (),
                [("rule file not run", f"{path}: {reason}") for path, reason in failures],
                "Some YARA rule files could not scan this file; their rules were not evaluated."))
        return findings

    def conclude(self, records: Sequence[Any]) -> list[Finding]:
        """Rule files that did not compile: reported once per hunt, never dropped silently."""
        return [Finding(rule_id="file.yara.rule-not-compiled", title="YARA rule file not compiled",
                        level=Severity.INFORMATIONAL, source=self.name, origin=SourceRef(path),
                        description=reason) for path, reason in self.signatures.problems]

    def _finding(self, event: Event, hit: RuleHit) -> Finding:
        meta = hit.meta
        techniques = _TECHNIQUE.findall(str(meta.get("attack", "")))
        title = str(meta.get("description") or hit.rule)
        signs = [("YARA rule", f"{hit.rule} ({hit.file.label})")]
        signs += [("YARA string", identifier) for identifier in dict.fromkeys(hit.strings)]
        return file_finding(
            self.name, event, hit.rule, title, _level(meta), techniques, signs,
            str(meta.get("confidence") or "YARA rule match"))


def _level(meta: Mapping[str, object]) -> Severity:
    try:
        return Severity.parse(str(meta.get("level") or meta.get("severity") or "high"))
    except KeyError:
        return Severity.HIGH
