"""What a hunt returns: findings, statistics, rule health, input inventory."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from huntpack.hunt.coverage import TechniqueCoverage
from huntpack.model import Finding, InputProblem, RuleHealth


@dataclass(slots=True)
class InputRecord:
    """One evidence file: its format and what was read from it."""

    path: str
    format: str
    size: int
    events: int = 0
    unreadable: int = 0


@dataclass(slots=True)
class HuntStats:
    events: int = 0
    unreadable: int = 0
    filtered_out: int = 0
    findings: int = 0
    findings_dropped: int = 0
    rule_compile_seconds: float = 0.0
    hunt_seconds: float = 0.0
    workers: int = 1

    @property
    def events_per_second(self) -> float:
        return self.events / self.hunt_seconds if self.hunt_seconds > 0 else 0.0


@dataclass(slots=True)
class HuntResult:
    """The outcome of ``run_hunt``; renderers in ``huntpack.report`` turn it into views."""

    findings: list[Finding] = field(default_factory=list)
    rule_health: RuleHealth = field(default_factory=RuleHealth)
    inputs: list[InputRecord] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    stats: HuntStats = field(default_factory=HuntStats)
    findings_per_rule: Counter[str] = field(default_factory=Counter)
    event_kinds: Counter[str] = field(default_factory=Counter)
    coverage: list[TechniqueCoverage] = field(default_factory=list)
    analyzers_run: list[str] = field(default_factory=list)
    analyzer_failures: dict[str, str] = field(default_factory=dict)
    # ids of the rules and correlations that met an event they could have matched (None: unknown)
    rules_with_data: frozenset[str] | None = None
    # names of the analyzers that met an event of a kind they read (None: unknown)
    analyzers_with_data: frozenset[str] | None = None

    @property
    def has_findings(self) -> bool:
        return self.stats.findings > 0
