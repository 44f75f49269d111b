"""Findings: what fired, on which evidence, and why."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from huntpack.model.event import SourceRef


class Severity(enum.IntEnum):
    """Sigma levels, ordered so that ``--min-level`` is a comparison."""

    INFORMATIONAL = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str | None) -> Severity:
        if not text:
            return cls.MEDIUM
        aliases = {"info": "informational", "crit": "critical", "med": "medium"}
        name = aliases.get(text.strip().lower(), text.strip().lower())
        return cls[name.upper()]

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class AttackRef:
    """An ATT&CK technique (``T1569.002``) or tactic (``persistence``) a finding maps to."""

    id: str
    kind: str = "technique"

    @classmethod
    def from_sigma_tag(cls, tag: str) -> AttackRef | None:
        """``attack.t1569.002`` -> technique T1569.002; ``attack.persistence`` -> tactic."""
        namespace, _, name = tag.partition(".")
        if namespace.lower() != "attack" or not name:
            return None
        if name[:1].lower() == "t" and name[1:2].isdigit():
            return cls(name.upper(), "technique")
        if name[:1].lower() in "gs" and name[1:2].isdigit():
            return None
        return cls(name.lower().replace("_", "-"), "tactic")


@dataclass(frozen=True, slots=True)
class MatchedField:
    """One field/value that made a rule fire (the "why")."""

    field: str
    value: str


@dataclass(frozen=True, slots=True)
class Finding:
    """A detection: a rule or analyzer fired on one event (or a correlated group of events)."""

    rule_id: str
    title: str
    level: Severity
    source: str  # "sigma", "correlation", or an analyzer name
    origin: SourceRef
    timestamp: float | None = None
    host: str | None = None
    user: str | None = None
    attack: tuple[AttackRef, ...] = ()
    matched: tuple[MatchedField, ...] = ()
    event: dict[str, Any] = field(default_factory=dict)
    related: tuple[SourceRef, ...] = ()
    description: str = ""

    @property
    def techniques(self) -> tuple[str, ...]:
        return tuple(ref.id for ref in self.attack if ref.kind == "technique")
