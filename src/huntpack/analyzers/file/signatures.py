"""YARA rule files compiled once per process (analyzers are built before the workers fork).

Each rule file is compiled on its own, so one broken file is reported (with yara's message)
instead of losing the others. A file whose name says it holds packer or compiler signatures
(``peid``, ``packer``) is marked ``packer_set``: its rules fire on unpacked files too, so they are
evidence only when the PE structure agrees (``file.pe``), never findings on their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yara

from huntpack.intel.library import BUILTIN_DIR, pack_file_label
from huntpack.intel.rulefile import YARA_SUFFIXES

#: Seconds yara may spend on one file with one rule file.
MATCH_TIMEOUT = 20
_PACKER_SET_WORDS = ("peid", "packer")


@dataclass(frozen=True, slots=True)
class RuleFile:
    path: str
    rules: yara.Rules
    packer_set: bool

    @property
    def label(self) -> str:
        """How findings name the file: ``pack fatalrat: yara/x.yar`` for built-in packs."""
        return pack_file_label(self.path)


@dataclass(frozen=True, slots=True)
class RuleHit:
    """One rule that matched: its file, name, meta, and the strings that made it match."""

    file: RuleFile
    rule: str
    meta: dict[str, object]
    strings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SignatureSet:
    files: tuple[RuleFile, ...] = ()
    problems: tuple[tuple[str, str], ...] = field(default=())  # (path, reason)

    def match(self, data: bytes) -> tuple[list[RuleHit], list[tuple[str, str]]]:
        """The hits of every rule file on ``data``, and the rule files that failed on it."""
        hits: list[RuleHit] = []
        failures: list[tuple[str, str]] = []
        for rule_file in self.files:
            try:
                matches = rule_file.rules.match(data=data, timeout=MATCH_TIMEOUT)
            except yara.Error as error:
                failures.append((rule_file.path, str(error)))
                continue
            hits += [RuleHit(rule_file, m.rule, dict(m.meta),
                             tuple(s.identifier for s in m.strings)) for m in matches]
        return hits, failures


def resolve_folders(folders: Iterable[str]) -> tuple[str, ...]:
    """Folders as given when they exist, else relative to the built-in packs (``yara``)."""
    resolved: list[str] = []
    for folder in folders:
        path = Path(folder).expanduser()
        if path.is_dir():
            resolved.append(str(path.resolve()))
            continue
        in_packs = sorted(str(pack / folder) for pack in BUILTIN_DIR.iterdir()
                          if (pack / folder).is_dir())
        if not in_packs:
            raise ValueError(f"YARA folder {folder!r} not found")
        resolved += in_packs
    return tuple(dict.fromkeys(resolved))


@lru_cache(maxsize=8)
def compile_folders(folders: tuple[str, ...]) -> SignatureSet:
    """Compile every YARA file under ``folders`` (sorted), each on its own."""
    files: list[RuleFile] = []
    problems: list[tuple[str, str]] = []
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.suffix.lower() not in YARA_SUFFIXES or not path.is_file():
                continue
            try:
                rules = yara.compile(filepath=str(path))
            except yara.Error as error:
                problems.append((str(path), str(error)))
                continue
            packer = any(word in path.name.lower() for word in _PACKER_SET_WORDS)
            files.append(RuleFile(str(path), rules, packer))
    return SignatureSet(tuple(files), tuple(problems))
