"""``CampaignPack``: a validated pack as the rest of huntpack sees it.

It joins the manifest (``pack.yaml``), the indicators, the analyzer settings and what the rule
files declare, and answers the questions the hunt asks: which rules and analyzers cover a
technique, which data components would show it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from huntpack.intel.indicator import Indicator
from huntpack.intel.pack import PackManifest, Technique
from huntpack.intel.rulefile import RuleText, SigmaRuleRef, YaraRuleFile


@dataclass(frozen=True)
class CampaignPack:
    """A loaded campaign pack. ``path`` is None for a pack built in memory (e.g. from STIX)."""

    manifest: PackManifest
    indicators: tuple[Indicator, ...] = ()
    analyzer_settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    sigma_rules: tuple[SigmaRuleRef, ...] = ()
    yara_rules: tuple[YaraRuleFile, ...] = ()
    sigma_texts: tuple[RuleText, ...] = ()
    yara_texts: tuple[RuleText, ...] = ()
    path: Path | None = None
    warnings: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.manifest.id

    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def techniques(self) -> tuple[Technique, ...]:
        return self.manifest.techniques

    @property
    def sigma_dir(self) -> Path | None:
        return self.path / "sigma" if self.path else None

    @property
    def yara_dir(self) -> Path | None:
        return self.path / "yara" if self.path else None

    def technique(self, technique_id: str) -> Technique | None:
        return self.manifest.technique(technique_id)

    def rules_for(self, technique_id: str) -> tuple[SigmaRuleRef, ...]:
        """Sigma rules tagged with the technique or one of its sub-techniques."""
        return tuple(rule for rule in self.sigma_rules if rule.covers(technique_id))

    def analyzers_for(self, technique_id: str) -> tuple[str, ...]:
        technique = self.technique(technique_id)
        return technique.analyzers if technique else ()

    def indicators_for(self, technique_id: str) -> tuple[Indicator, ...]:
        wanted = technique_id.upper()
        return tuple(i for i in self.indicators if wanted in i.techniques)

    def rule_ids(self) -> frozenset[str]:
        return frozenset(rule.rule_id for rule in self.sigma_rules if rule.rule_id)
