"""The ATT&CK catalog as data: techniques, tactics, data components, v18 detection strategies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class AttackTechnique:
    id: str
    name: str
    stix_id: str
    tactics: tuple[str, ...]
    platforms: tuple[str, ...] = ()
    url: str = ""

    @property
    def is_subtechnique(self) -> bool:
        return "." in self.id


@dataclass(frozen=True, slots=True)
class AttackAnalyticInfo:
    id: str
    stix_id: str
    platforms: tuple[str, ...]
    description: str
    components: tuple[str, ...]  # data component ids (DCxxxx)
    mutable_elements: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AttackStrategy:
    id: str
    name: str
    stix_id: str
    analytics: tuple[str, ...]  # AN ids
    techniques: tuple[str, ...]  # T ids


@dataclass(frozen=True)
class AttackCatalog:
    """ATT&CK objects by external id (``T1569``, ``DC0032``, ``AN0778``, ``DET0279``)."""

    version: str
    source: str
    techniques: Mapping[str, AttackTechnique]
    tactics: Mapping[str, tuple[str, str]]  # shortname -> (TA id, display name)
    components: Mapping[str, tuple[str, str]]  # DC id -> (name, stix id)
    analytics: Mapping[str, AttackAnalyticInfo]
    strategies: Mapping[str, AttackStrategy]
    others: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # kind -> id -> name

    def technique(self, technique_id: str) -> AttackTechnique | None:
        return self.techniques.get(technique_id.upper())

    def display_name(self, technique_id: str) -> str | None:
        """``T1566.002`` -> ``Phishing: Spearphishing Link`` (parent name first for subs)."""
        technique = self.technique(technique_id)
        if technique is None:
            return None
        parent = self.technique(technique_id.split(".")[0]) if technique.is_subtechnique else None
        return f"{parent.name}: {technique.name}" if parent else technique.name

    def strategies_for(self, technique_id: str) -> tuple[AttackStrategy, ...]:
        wanted = technique_id.upper()
        return tuple(s for s in self.strategies.values() if wanted in s.techniques)

    def component_by_name(self, name: str) -> str | None:
        """DC id of a data component name (case-insensitive)."""
        lowered = name.lower()
        return next((i for i, (n, _) in self.components.items() if n.lower() == lowered), None)
