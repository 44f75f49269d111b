"""Files named by log events, linked to the verdicts on the same files among the evidence.

A service's ``ImagePath``, a process's ``Image`` or a written ``TargetFilename`` names a file;
when a file with that name (case-insensitive base name) is among the evidence and ``file.pe``
found something in it, the link becomes a finding on the event's host that repeats the file's
verdict, so a packed keylogger on disk and the service that runs it are seen together. Matching
is by name (the event rarely carries the file's hash); a Sysmon ``Hashes`` value equal to the
file's SHA-256 is said to be a hash match. At most ``MAX_EVENTS_PER_NAME`` events per name and
evidence file are kept (the first ones, in file order, so the result does not depend on how
files are spread over workers), and the records stay small on big hunts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from huntpack.model import AttackRef, Event, Finding, MatchedField, Severity, SourceRef

FILE_FIELDS = ("Image", "ImagePath", "TargetFilename")
MAX_EVENTS_PER_NAME = 3
_MAX_VALUE = 1024  # a path longer than this is cut before it is searched
_EXECUTABLE = re.compile(r"([^\\/\"]+?\.(?:exe|dll|sys|scr|cpl|ocx|com))(?:[\s\"]|$)",
                         re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FileVerdict:
    """What ``file.pe`` found in one evidence file."""

    name: str
    location: str
    sha256: str
    titles: tuple[str, ...]
    techniques: tuple[str, ...]
    level: Severity


@dataclass(frozen=True, slots=True)
class NamedFile:
    """A log event that names a file."""

    name: str
    field: str
    value: str
    hashes: str
    origin: SourceRef
    timestamp: float | None
    host: str | None
    user: str | None


def base_name(value: str) -> str | None:
    """``"C:\\Windows\\Svwxya.exe" Win7`` -> ``svwxya.exe`` (executables only)."""
    found = _EXECUTABLE.search(value[:_MAX_VALUE].strip())
    if found is None:
        return None
    return re.split(r"[\\/]", found.group(1))[-1].strip().lower() or None


def file_verdict(event: Event, findings: Sequence[Finding]) -> FileVerdict | None:
    if not findings:
        return None
    return FileVerdict(
        str(event.get("FileName") or "").lower(), str(event.get("path") or event.origin),
        str(event.get("sha256") or ""), tuple(f.title for f in findings),
        tuple(dict.fromkeys(t for f in findings for t in f.techniques)),
        max(f.level for f in findings))


class NameWatcher:
    """The first few events naming each executable, counted per evidence file."""

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()
        self.path = ""

    def named_file(self, event: Event) -> NamedFile | None:
        if event.origin.path != self.path:  # a worker reads one evidence file at a time
            self.path = event.origin.path
            self.seen.clear()
        for field in FILE_FIELDS:
            value = event.fields.get(field)
            name = base_name(value) if isinstance(value, str) else None
            if name is None or self.seen[name] >= MAX_EVENTS_PER_NAME:
                continue
            self.seen[name] += 1
            return NamedFile(name, field, value if isinstance(value, str) else "",
                             str(event.fields.get("Hashes") or ""), event.origin,
                             event.timestamp, event.host, event.user)
        return None


def named_without_verdict(records: Iterable[object]) -> frozenset[str]:
    """Names that events gave and that no evidence file with a verdict answers."""
    named: set[str] = set()
    answered: set[str] = set()
    for record in records:
        if isinstance(record, NamedFile):
            named.add(record.name)
        elif isinstance(record, FileVerdict):
            answered.add(record.name)
    return frozenset(named - answered)


def link(records: Iterable[object], source: str) -> list[Finding]:
    """One finding per event that names a file with a verdict."""
    verdicts: dict[str, FileVerdict] = {}
    named: list[NamedFile] = []
    for record in records:
        if isinstance(record, FileVerdict) and record.name:
            verdicts.setdefault(record.name, record)
        elif isinstance(record, NamedFile):
            named.append(record)
    return [_finding(item, verdicts[item.name], source) for item in named
            if item.name in verdicts]


def _finding(item: NamedFile, verdict: FileVerdict, source: str) -> Finding:
    same_hash = bool(verdict.sha256) and verdict.sha256.lower() in item.hashes.lower()
    return Finding(
        rule_id=f"{source}.named-file",
        title=f"Event names a flagged file: {item.name}",
        level=verdict.level,
        source=source,
        origin=item.origin,
        timestamp=item.timestamp,
        host=item.host,
        user=item.user,
        attack=tuple(AttackRef(t) for t in verdict.techniques),
        matched=(MatchedField(item.field, item.value),
                 MatchedField("file among the evidence", verdict.location),
                 MatchedField("link", "same SHA-256" if same_hash else "same file name"),
                 *(MatchedField("file verdict", title) for title in verdict.titles)),
        related=(SourceRef(verdict.location),),
        description="A file this event names is among the evidence, and the file analysis "
                    "flagged it. A match by name only can be another file of the same name.",
    )
