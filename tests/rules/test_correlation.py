"""Sigma correlations: data-driven cases (format: tests/data/correlation_cases/README.md) run
through the real rule engine, plus unit tests of findings, windows and unsupported rules."""

from __future__ import annotations

import random
import statistics
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from huntpack.model import AttackRef, Event, Finding, LogSource, MatchedField, Severity, SourceRef
from huntpack.rules.catalog import compile_rules
from huntpack.rules.correlation import CorrelationEngine, RuleHit
from huntpack.rules.correlation_window import (
    EventCount,
    Item,
    SlidingWindow,
    Threshold,
    percentile,
)
from huntpack.rules.ruleset import RuleSet

CASES_DIR = Path(__file__).resolve().parents[1] / "data" / "correlation_cases"


# -- the case runner --------------------------------------------------------------------------


def load_cases() -> list[Any]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            cases.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))
    return cases


def expand_events(specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for spec in specs:
        if "repeat" not in spec:
            records.append(dict(spec))
            continue
        start = datetime.fromisoformat(spec["start"])
        for n in range(spec["repeat"]):
            when = start + timedelta(seconds=spec["every"] * n)
            record = {name: _fill(value, n) for name, value in spec["event"].items()}
            record["TimeCreated"] = when.isoformat()
            records.append(record)
    return records


def _fill(value: Any, n: int) -> Any:
    if isinstance(value, str):
        return value.replace("{n1}", str(n + 1)).replace("{n}", str(n))
    return value


def make_event(record: dict[str, Any], name: str, index: int) -> Event:
    fields = dict(record)
    fields.setdefault("Channel", "Security")
    when = fields.get("TimeCreated")
    timestamp = datetime.fromisoformat(str(when)).timestamp() if when else None
    source = LogSource(product="windows", channel=fields["Channel"],
                       event_id=int(fields["EventID"]) if "EventID" in fields else None)
    return Event(fields, SourceRef(f"{name}.evtx", record=index + 1), source, timestamp)


def compile_text(tmp_path: Path, text: str) -> RuleSet:
    path = tmp_path / "correlation.yml"
    path.write_text(text, encoding="utf-8")
    ruleset = compile_rules([path])
    assert not ruleset.health.problems, ruleset.health.problems
    assert ruleset.correlations, "the rule text holds no correlation"
    return ruleset


def hits_for(ruleset: RuleSet, engine: CorrelationEngine, events: Iterable[Event]) -> list[RuleHit]:
    hits: list[RuleHit] = []
    for event in events:
        for rule in ruleset.match(event):
            if engine.wants(rule.id, rule.name):
                hits.append(RuleHit(rule.id, rule.name, rule.title, event.timestamp,
                                    event.fields, event.origin, event.host, event.user))
    return hits


def run_case(tmp_path: Path, rules: str, records: list[dict[str, Any]],
             name: str = "case") -> tuple[CorrelationEngine, list[Finding]]:
    ruleset = compile_text(tmp_path, rules)
    engine = CorrelationEngine(ruleset.correlations)
    assert not engine.problems, engine.problems
    events = [make_event(record, name, index) for index, record in enumerate(records)]
    return engine, engine.run(hits_for(ruleset, engine, events))


def metric_of(finding: Finding) -> str:
    return finding.matched[len(finding.event)].value


@pytest.mark.parametrize("case", load_cases())
def test_case(case: dict[str, Any], tmp_path: Path) -> None:
    engine, findings = run_case(tmp_path, case["rules"], expand_events(case["events"]),
                                case["name"])
    expect = case["expect"]
    assert len(findings) == expect["count"], [f.description for f in findings]
    assert all(f.source == "correlation" for f in findings)
    if "rule_id" in expect:
        assert {f.rule_id for f in findings} <= {expect["rule_id"]}
    for group in expect.get("groups", []):
        wanted = {str(k): str(v) for k, v in group["values"].items()}
        mine = [f for f in findings if f.event == wanted]
        assert len(mine) == group["count"], (wanted, [f.event for f in findings])
        if "metric" in group:
            assert [metric_of(f) for f in mine] == [str(v) for v in group["metric"]]
    for key, value in expect.get("stats", {}).items():
        assert engine.stats[key] == value, (key, engine.stats)


# -- findings ---------------------------------------------------------------------------------

BRUTE_FORCE = """\
title: Failed logon
id: 0c1d0000-0000-4000-8000-000000004625
name: failed_logon
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4625}
  condition: selection
---
title: Brute force against a host
id: 0c1d0000-0000-4000-8000-0000000000f1
name: brute_force_host
level: critical
tags: [attack.credential-access, attack.t1110.001]
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [Computer]
  timespan: 5m
  condition: {gte: %(threshold)s}
"""


def failed_logons(count: int, computer: str = "dc1", every: float = 1.0) -> list[dict[str, Any]]:
    start = datetime.fromisoformat("2024-05-01T10:00:00+00:00")
    return [
        {"TimeCreated": (start + timedelta(seconds=every * n)).isoformat(), "EventID": 4625,
         "Computer": computer, "TargetUserName": f"user{n}", "IpAddress": "10.0.0.5"}
        for n in range(count)
    ]


def test_finding_fields(tmp_path: Path) -> None:
    _, findings = run_case(tmp_path, BRUTE_FORCE % {"threshold": 3}, failed_logons(4), "sec")
    [finding] = findings
    assert finding.rule_id == "0c1d0000-0000-4000-8000-0000000000f1"
    assert finding.title == "Brute force against a host"
    assert finding.level is Severity.CRITICAL
    assert finding.source == "correlation"
    assert finding.attack == (AttackRef("credential-access", "tactic"),
                              AttackRef("T1110.001", "technique"))
    assert finding.origin == SourceRef("sec.evtx", record=1)
    assert finding.timestamp == datetime.fromisoformat("2024-05-01T10:00:00+00:00").timestamp()
    assert finding.host == "dc1"
    assert finding.user == "user0"
    assert finding.matched == (MatchedField("Computer", "dc1"), MatchedField("event_count", "4"))
    assert finding.related == tuple(SourceRef("sec.evtx", record=n) for n in range(1, 5))
    assert "2024-05-01T10:00:00Z" in finding.description
    assert "2024-05-01T10:05:00Z" in finding.description


def test_host_comes_from_the_first_hit_when_not_grouped(tmp_path: Path) -> None:
    rules = (BRUTE_FORCE % {"threshold": 2}).replace("group-by: [Computer]", "group-by: [IpAddress]")
    _, findings = run_case(tmp_path, rules, failed_logons(2, computer="ws7"))
    [finding] = findings
    assert finding.host == "ws7"
    assert finding.matched[0] == MatchedField("IpAddress", "10.0.0.5")


def test_related_origins_are_capped(tmp_path: Path) -> None:
    _, findings = run_case(tmp_path, BRUTE_FORCE % {"threshold": 10}, failed_logons(150))
    [finding] = findings
    assert metric_of(finding) == "150"
    assert len(finding.related) == 100
    assert finding.related[0] == SourceRef("case.evtx", record=1)


def test_output_does_not_depend_on_input_order(tmp_path: Path) -> None:
    ruleset = compile_text(tmp_path, BRUTE_FORCE % {"threshold": 3})
    engine = CorrelationEngine(ruleset.correlations)
    records = failed_logons(20, "dc1", every=40) + failed_logons(20, "dc2", every=25)
    events = [make_event(record, "mix", index) for index, record in enumerate(records)]
    hits = hits_for(ruleset, engine, events)
    expected = engine.run(hits)
    assert len(expected) > 2
    for seed in range(3):
        shuffled = list(hits)
        random.Random(seed).shuffle(shuffled)
        assert engine.run(shuffled) == expected


def test_wants_only_referenced_rules(tmp_path: Path) -> None:
    ruleset = compile_text(tmp_path, BRUTE_FORCE % {"threshold": 3})
    engine = CorrelationEngine(ruleset.correlations)
    assert engine.wants("0c1d0000-0000-4000-8000-000000004625", None)
    assert engine.wants("some-other-id", "failed_logon")
    assert not engine.wants("some-other-id", "other_rule")
    assert not engine.wants("0c1d0000-0000-4000-8000-0000000000f1", "brute_force_host")


def test_referenced_base_rule_does_not_emit(tmp_path: Path) -> None:
    ruleset = compile_text(tmp_path, BRUTE_FORCE % {"threshold": 3})
    [rule] = ruleset.rules
    assert rule.emits is False


# -- unsupported correlations are reported, not run -------------------------------------------

PERCENTILE_WITHOUT_PARAMETER = """\
title: Outbound connection
name: outbound
logsource: {product: windows, service: security}
detection: {selection: {EventID: 5156}, condition: selection}
---
title: Heavy tail
correlation:
  type: value_percentile
  rules: [outbound]
  group-by: [Computer]
  timespan: 10m
  condition: {field: Bytes, gte: 9}
"""

ORDERED_EXTENDED = """\
title: A
name: rule_a
logsource: {product: windows, service: security}
detection: {selection: {EventID: 1}, condition: selection}
---
title: B
name: rule_b
logsource: {product: windows, service: security}
detection: {selection: {EventID: 2}, condition: selection}
---
title: A then not B
correlation:
  type: temporal_ordered
  rules: [rule_a, rule_b]
  group-by: [Computer]
  timespan: 10m
  condition: rule_a and not rule_b
"""


@pytest.mark.parametrize("text, reason", [
    (PERCENTILE_WITHOUT_PARAMETER, "percentile"),
    (ORDERED_EXTENDED, "extended"),
])
def test_unsupported_correlation_is_reported(tmp_path: Path, text: str, reason: str) -> None:
    ruleset = compile_text(tmp_path, text)
    engine = CorrelationEngine(ruleset.correlations)
    [problem] = engine.problems
    assert reason in problem.reason
    assert problem.reference == "rule-unsupported"
    assert problem.path.endswith("correlation.yml")
    assert engine.stats["correlations_unsupported"] == 1
    assert not engine.wants("x", "outbound") and not engine.wants("x", "rule_a")


def test_chain_over_an_unsupported_correlation_is_reported(tmp_path: Path) -> None:
    text = PERCENTILE_WITHOUT_PARAMETER.replace("title: Heavy tail", "title: Heavy tail\nname: tail")
    text += """---
title: Repeated heavy tails
correlation:
  type: event_count
  rules: [tail]
  group-by: [Computer]
  timespan: 1h
  condition: {gte: 2}
"""
    engine = CorrelationEngine(compile_text(tmp_path, text).correlations)
    assert len(engine.problems) == 2
    assert any("cannot run" in problem.reason for problem in engine.problems)


# -- windows and metrics ----------------------------------------------------------------------


@pytest.mark.parametrize("op, value, holds", [
    ("gt", 5, False), ("gt", 6, True), ("gte", 5, True), ("gte", 4, False),
    ("lt", 5, False), ("lt", 4, True), ("lte", 5, True), ("lte", 6, False),
    ("eq", 5, True), ("eq", 4, False), ("neq", 4, True), ("neq", 5, False),
])
def test_threshold(op: str, value: float, holds: bool) -> None:
    assert Threshold(op, 5).holds(value) is holds
    assert Threshold(op, 5).at_close is (op not in ("gt", "gte"))


@pytest.mark.parametrize("values", [[1.0], [3.0, 1.0], [5.0, 1.0, 4.0, 2.0, 3.0, 8.0]])
def test_percentile_matches_the_inclusive_method(values: list[float]) -> None:
    ordered = sorted(values)
    assert percentile(ordered, 0.5) == pytest.approx(statistics.median(values))
    if len(values) > 1:
        quartiles = statistics.quantiles(values, n=4, method="inclusive")
        assert percentile(ordered, 0.25) == pytest.approx(quartiles[0])
        assert percentile(ordered, 0.75) == pytest.approx(quartiles[2])
    assert percentile(ordered, 1.0) == max(values)


def test_sliding_window_drops_hits_older_than_the_timespan() -> None:
    window = SlidingWindow(EventCount, Threshold("gte", 10**9), timespan=10.0, cap=100)
    for second in range(1000):
        assert window.push(Item(float(second), second)) is None
    assert len(window._items) == 11  # the hits of [989, 999]
