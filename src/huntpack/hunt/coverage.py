"""Coverage and visibility per campaign technique: detected, assessed, blind or not covered.

* **detected**: a finding maps to the technique or one of its sub-techniques;
* **not covered**: no compiled rule and no available analyzer covers the technique, so a silence
  would mean nothing (rules that failed to compile and missing analyzers are listed);
* **assessed**: something covers it and data that a working rule or analyzer for it reads was in
  the evidence, yet nothing fired; when the hunt says which rules met an event they could have
  matched (``rules_with_data``), a rule counts only if it did: Windows logons do not make a rule
  on cloud sign-in logs "assessed";
* **blind**: something covers it but none of the data its rules and analyzers read was there (the
  data that would show it is listed in ``missing_components``).

Which data a Sigma rule reads comes from its logsource (category or service) through the
telemetry map; an analyzer is taken to read the technique's own data components.

Pure functions of their inputs; the event -> data component map lives in ``huntpack.intel``.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace

from huntpack.intel.campaign import CampaignPack
from huntpack.intel.pack import Technique
from huntpack.intel.rulefile import SigmaRuleRef
from huntpack.intel.telemetry import (
    data_components_of,
    data_components_of_category,
    data_components_of_logsource,
    observed_components,
)
from huntpack.model import RuleProblem

__all__ = [
    "CoverageStatus",
    "TechniqueCoverage",
    "assess_coverage",
    "data_components_of",
    "data_components_of_category",
    "data_components_of_logsource",
    "observed_components",
]


class CoverageStatus(enum.StrEnum):
    DETECTED = "detected"
    ASSESSED = "assessed"
    BLIND = "blind"
    NOT_COVERED = "not covered"


@dataclass(frozen=True, slots=True)
class TechniqueCoverage:
    """The verdict for one technique and everything that led to it."""

    technique_id: str
    name: str
    status: CoverageStatus
    findings: int
    required_components: tuple[str, ...]  # the pack's data components for the technique
    present_components: tuple[str, ...]  # of those, the ones seen in the evidence
    missing_components: tuple[str, ...]  # the data components that would show it, absent
    detection_inputs: tuple[str, ...]  # what the working rules and analyzers read
    inputs_present: tuple[str, ...]  # of those, the ones seen in the evidence
    rules: tuple[str, ...]  # compiled rules covering it
    failed_rules: tuple[str, ...]  # covering rules that did not load or compile
    analyzers: tuple[str, ...]  # available analyzers covering it
    missing_analyzers: tuple[str, ...]  # named by the pack but not available
    # working rules that met no event they could have matched: "title [product/category]"
    rules_without_data: tuple[str, ...] = ()

    @property
    def covered(self) -> bool:
        return bool(self.rules or self.analyzers)


def assess_coverage(
    pack: CampaignPack,
    observed: Collection[str],
    finding_techniques: Iterable[str],
    rule_failures: Iterable[str | RuleProblem],
    *,
    available_analyzers: Collection[str] = (),
    rules_with_data: Collection[str] | None = None,
    analyzers_with_data: Collection[str] | None = None,
) -> list[TechniqueCoverage]:
    """One ``TechniqueCoverage`` per technique of the pack, in pack order.

    ``observed``: data component names present in the evidence (see ``observed_components``).
    ``finding_techniques``: the ATT&CK ids of every finding (repeat an id once per finding).
    ``rule_failures``: rule ids or file names (or ``RuleProblem``s) that did not load/compile.
    ``available_analyzers``: names of the analyzers that exist and ran.
    ``rules_with_data``: ids of the rules that met an event they could have matched; None when
    unknown (then a rule's data counts as seen when its logsource's data components were).
    ``analyzers_with_data``: names of the analyzers that met an event of a kind they read; with
    ``rules_with_data``, an analyzer that met none does not make its technique assessed (the
    sign-in analyzer has read nothing when only Windows logons were there). None: unknown.
    """
    counts = Counter(t.upper() for t in finding_techniques)
    failed = _failure_keys(rule_failures)
    present = frozenset(observed)
    fed = None if rules_with_data is None else frozenset(rules_with_data)
    fed_analyzers = None if analyzers_with_data is None else frozenset(analyzers_with_data)
    return [
        _assess(pack, technique, present, counts, failed, frozenset(available_analyzers), fed,
                fed_analyzers)
        for technique in pack.techniques
    ]


def _assess(
    pack: CampaignPack,
    technique: Technique,
    present: frozenset[str],
    counts: Counter[str],
    failed: frozenset[str],
    analyzers: frozenset[str],
    fed: frozenset[str] | None = None,
    fed_analyzers: frozenset[str] | None = None,
) -> TechniqueCoverage:
    required = technique.component_names
    rules = pack.rules_for(technique.id)
    broken = tuple(r.name for r in rules if _rule_keys(r.name, r.file_name) & failed)
    working = tuple(r for r in rules if r.name not in broken)
    usable = tuple(a for a in technique.analyzers if a in analyzers)
    inputs = _detection_inputs(working, bool(usable), required)
    read = bool(usable) if fed_analyzers is None else any(a in fed_analyzers for a in usable)
    seen = present if fed is None else _inputs_seen(working, fed, read, required, present)
    coverage = TechniqueCoverage(
        technique_id=technique.id,
        name=technique.name,
        status=CoverageStatus.BLIND,
        findings=_findings_for(technique.id, counts),
        required_components=required,
        present_components=tuple(c for c in required if c in present),
        missing_components=tuple(c for c in required if c not in present),
        detection_inputs=inputs,
        inputs_present=tuple(c for c in inputs if c in seen),
        rules=tuple(r.name for r in working),
        failed_rules=broken,
        analyzers=usable,
        missing_analyzers=tuple(a for a in technique.analyzers if a not in analyzers),
        rules_without_data=() if fed is None else _rules_without_data(working, fed),
    )
    return replace(coverage, status=_status(coverage))


def _status(coverage: TechniqueCoverage) -> CoverageStatus:
    if coverage.findings:
        return CoverageStatus.DETECTED
    if not coverage.covered:
        return CoverageStatus.NOT_COVERED
    return CoverageStatus.ASSESSED if coverage.inputs_present else CoverageStatus.BLIND


def _detection_inputs(
    rules: Iterable[SigmaRuleRef], with_analyzer: bool, required: tuple[str, ...]
) -> tuple[str, ...]:
    """Data components the working rules read (from their logsource); an analyzer, or a rule
    whose logsource the map cannot place, is taken to read the technique's own components."""
    inputs: tuple[str, ...] = required if with_analyzer else ()
    for rule in rules:
        known = data_components_of_logsource(rule.category, rule.service)
        inputs = _union(inputs, tuple(sorted(known)) if known is not None else required)
    return inputs


def _inputs_seen(rules: Iterable[SigmaRuleRef], fed: frozenset[str], with_analyzer: bool,
                 required: tuple[str, ...], present: frozenset[str]) -> frozenset[str]:
    """Data components known to have reached a working rule or analyzer of the technique."""
    seen = set(present & set(required)) if with_analyzer else set()
    reached: set[str] = set()
    for rule in rules:
        if rule.name in fed:
            reached.update(_detection_inputs((rule,), False, required))
    # what a rule met is only as precise as the telemetry map: keep the components that were
    # also observed, unless that leaves nothing of data a rule demonstrably met
    return frozenset(seen | (reached & present or reached))


def _rules_without_data(rules: Iterable[SigmaRuleRef], fed: frozenset[str]) -> tuple[str, ...]:
    """The rules that met no event they could have matched, each with the log it reads."""
    return tuple(sorted(f"{rule.title} [{_logsource_label(rule) or 'any log'}]"
                        for rule in rules if rule.name not in fed))


def _logsource_label(rule: SigmaRuleRef) -> str:
    return "/".join(part for part in (rule.product, rule.category, rule.service) if part)


def _union(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*first, *second)))


def _findings_for(technique_id: str, counts: Counter[str]) -> int:
    """Findings on the technique itself or on any of its sub-techniques."""
    prefix = technique_id.upper() + "."
    return sum(n for t, n in counts.items() if t == technique_id.upper() or t.startswith(prefix))


def _rule_keys(name: str, file_name: str) -> set[str]:
    return {name, file_name, file_name.rsplit("/", 1)[-1]}


def _failure_keys(failures: Iterable[str | RuleProblem]) -> frozenset[str]:
    keys: set[str] = set()
    for failure in failures:
        if isinstance(failure, RuleProblem):
            keys.update(k for k in (failure.rule_id, failure.title) if k)
            keys.update({failure.path, failure.path.replace("\\", "/").rsplit("/", 1)[-1]})
        else:
            keys.add(failure)
    return frozenset(keys)
