"""The FatalRAT pack's Sigma rules against their data-driven cases (tests/data/pack_cases/).

Format: tests/data/pack_cases/README.md. Each case file compiles only its own rule file (with the
case's placeholders). Events are built through ``MemorySource``, the same normalisation users
get, which also turns a record's reserved ``logsource`` key into the event's Sigma logsource.
Single-event rules: every ``match`` event fires the rule, every ``no_match`` event does not, and
the fast path agrees with the oracle. Correlation rules: each sequence is evaluated alone through
a fresh ``CorrelationEngine``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from huntpack.model import Event
from huntpack.rules.catalog import compile_rules
from huntpack.rules.correlation import CorrelationEngine, RuleHit
from huntpack.rules.predicates import fold_field_name
from huntpack.rules.ruleset import CompiledRule, RuleSet
from huntpack.sources import MemorySource

ROOT = Path(__file__).resolve().parents[2]
SIGMA_DIR = ROOT / "src" / "huntpack" / "intel" / "packs" / "fatalrat" / "sigma"
CASES_DIR = ROOT / "tests" / "data" / "pack_cases"
SINGLE_KEYS = {"rule", "description", "placeholders", "match", "no_match"}
CORRELATION_KEYS = {
    "rule",
    "description",
    "placeholders",
    "match_sequences",
    "no_match_sequences",
    "expected_correlations",
}


def case_files() -> list[Path]:
    return sorted(CASES_DIR.glob("*.yaml"))


def load_case(path: Path) -> dict[str, Any]:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(case, dict), f"{path.name}: a case file is a mapping"
    return case


def make_events(records: Sequence[Mapping[str, Any]], name: str) -> list[Event]:
    for record in records:
        assert isinstance(record, dict), f"{name}: an event is a mapping, got {record!r}"
    events = list(MemorySource(records, name=name).events())
    for record, event in zip(records, events, strict=True):
        assert "logsource" not in event.fields, "the reserved logsource key is not a field"
        declared = record.get("logsource")
        if declared:
            source = event.logsource
            for key in ("product", "category", "service"):
                if key in declared:
                    assert getattr(source, key) == declared[key], (key, record)
    return events


def shares_a_field(ruleset: RuleSet, rule: CompiledRule, event: Event) -> bool:
    """Does the event carry a field the rule reads (after the routing renames)?"""
    if rule.fields is None:  # keyword rule: reads every value
        return True
    names = {fold_field_name(name) for name in event.fields}
    for rule_field, event_field in ruleset.routing.identify(event).renames:
        if fold_field_name(event_field) in names:
            names.add(fold_field_name(rule_field))
    return bool(names & rule.fields)


def matches(ruleset: RuleSet, event: Event, record: Mapping[str, Any]) -> list[CompiledRule]:
    fast = ruleset.match(event)
    assert ruleset.match_oracle(event) == fast, f"fast path and oracle disagree on {record}"
    return fast


def run_sequence(ruleset: RuleSet, records: Sequence[Mapping[str, Any]], name: str) -> list[Any]:
    """The correlation findings of one sequence, evaluated alone (fresh correlation state)."""
    engine = CorrelationEngine(ruleset.correlations)
    assert engine.problems == [], engine.problems
    hits: list[RuleHit] = []
    for record, event in zip(records, make_events(records, name), strict=True):
        assert event.timestamp is not None, f"a sequence event needs a time: {record}"
        for rule in matches(ruleset, event, record):
            if engine.wants(rule.id, rule.name):
                hits.append(
                    RuleHit(
                        rule.id,
                        rule.name,
                        rule.title,
                        event.timestamp,
                        event.fields,
                        event.origin,
                        event.host,
                        event.user,
                    )
                )
    return engine.run(hits)


@pytest.mark.parametrize("path", case_files(), ids=lambda path: path.stem)
def test_pack_rule_case(path: Path) -> None:
    case = load_case(path)
    rule_file = SIGMA_DIR / case["rule"]
    assert rule_file.is_file(), f"{path.name}: no rule {case['rule']}"
    assert rule_file.stem == path.stem, f"{path.name} must be named after {case['rule']}"
    placeholders = case.get("placeholders") or {}
    ruleset = compile_rules([rule_file], placeholders)
    assert ruleset.health.problems == [], ruleset.health.problems
    assert ruleset.rules, f"{case['rule']} compiled to no rule"
    base_ids = {rule.id for rule in ruleset.rules}

    if ruleset.correlations:
        assert set(case) <= CORRELATION_KEYS, set(case) - CORRELATION_KEYS
        expected = case["expected_correlations"]
        assert isinstance(expected, int) and expected > 0
        assert case.get("match_sequences") and case.get("no_match_sequences")
        correlation_ids = {str(rule.id) for rule in ruleset.correlations}
        for index, sequence in enumerate(case["match_sequences"]):
            name = f"{path.stem}:match_sequences[{index}]"
            findings = run_sequence(ruleset, sequence, name)
            assert len(findings) == expected, (name, findings)
            assert {finding.rule_id for finding in findings} <= correlation_ids, findings
        for index, sequence in enumerate(case["no_match_sequences"]):
            name = f"{path.stem}:no_match_sequences[{index}]"
            findings = run_sequence(ruleset, sequence, name)
            assert findings == [], (name, findings)
        return

    assert set(case) <= SINGLE_KEYS, set(case) - SINGLE_KEYS
    assert len(ruleset.rules) == 1, "a single-event case file tests one rule"
    rule = ruleset.rules[0]
    assert case.get("match") and case.get("no_match"), "needs match and no_match events"
    for index, (record, event) in enumerate(
        zip(case["match"], make_events(case["match"], f"{path.stem}:match"), strict=True)
    ):
        assert shares_a_field(ruleset, rule, event), f"match[{index}] shares no field: {record}"
        found = matches(ruleset, event, record)
        assert rule in found, f"match[{index}] does not fire {rule.title}: {record}"
        assert {hit.id for hit in found} <= base_ids
        assert ruleset.explain(rule, event), "a match must say why"
    for index, (record, event) in enumerate(
        zip(case["no_match"], make_events(case["no_match"], f"{path.stem}:no_match"), strict=True)
    ):
        assert shares_a_field(ruleset, rule, event), f"no_match[{index}] shares no field: {record}"
        assert matches(ruleset, event, record) == [], f"no_match[{index}] fires: {record}"


def test_every_pack_rule_has_a_case_and_every_case_a_rule() -> None:
    rules = {path.stem for path in SIGMA_DIR.glob("*.yml")}
    cases = {path.stem for path in case_files()}
    assert rules, f"no rules under {SIGMA_DIR}"
    assert rules - cases == set(), f"rule files without a case file: {sorted(rules - cases)}"
    assert cases - rules == set(), f"case files without a rule file: {sorted(cases - rules)}"
    for path in case_files():
        assert load_case(path).get("rule") == f"{path.stem}.yml", path.name
