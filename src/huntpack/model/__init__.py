"""The vocabulary every layer speaks: events, their origin, findings, rule health.

Pure data, no I/O. Must not import any other huntpack package.
"""

from __future__ import annotations

from huntpack.model.event import Event, LogSource, SourceRef
from huntpack.model.finding import AttackRef, Finding, MatchedField, Severity
from huntpack.model.health import InputProblem, RuleHealth, RuleProblem

__all__ = [
    "AttackRef",
    "Event",
    "Finding",
    "InputProblem",
    "LogSource",
    "MatchedField",
    "RuleHealth",
    "RuleProblem",
    "Severity",
    "SourceRef",
]
