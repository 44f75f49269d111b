"""Rule health and input problems: nothing is dropped silently."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RuleProblem:
    """A rule that was not loaded or not compiled, with the file and the reason."""

    path: str
    reason: str
    stage: str  # "load" or "compile"
    rule_id: str | None = None
    title: str | None = None
    reference: str = "rule-unsupported"


@dataclass(slots=True)
class RuleHealth:
    """How many rules were found, loaded and compiled; which were not, and why."""

    files: int = 0
    loaded: int = 0
    compiled: int = 0
    correlations: int = 0
    filters: int = 0
    problems: list[RuleProblem] = field(default_factory=list)
    warnings: list[RuleProblem] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.problems)

    def merge(self, other: RuleHealth) -> None:
        self.files += other.files
        self.loaded += other.loaded
        self.compiled += other.compiled
        self.correlations += other.correlations
        self.filters += other.filters
        self.problems.extend(other.problems)
        self.warnings.extend(other.warnings)


@dataclass(frozen=True, slots=True)
class InputProblem:
    """A part of the evidence that could not be read: where, and why."""

    location: str
    reason: str
    reference: str = "input-unreadable"
