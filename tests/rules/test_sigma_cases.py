"""Data-driven Sigma engine cases (format: tests/data/sigma_cases/README.md).

Each case runs through the fast path (routing + prefilter) and the oracle; both must agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from huntpack.model import Event, LogSource, SourceRef
from huntpack.rules.catalog import compile_rules

CASES_DIR = Path(__file__).resolve().parents[1] / "data" / "sigma_cases"
SYSMON = "Microsoft-Windows-Sysmon/Operational"


def load_cases() -> list[Any]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text())["cases"]:
            cases.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))
    return cases


def make_event(record: dict[str, Any], index: int = 0) -> Event:
    fields = dict(record)
    declared = fields.pop("logsource", None) or {}
    if not declared and "Channel" not in fields:
        fields.setdefault("Channel", SYSMON)
        fields.setdefault("EventID", 1)
    channel = fields.get("Channel")
    source = LogSource(
        product=declared.get("product", "windows" if channel else None),
        channel=channel,
        event_id=fields.get("EventID"),
        category=declared.get("category"),
        service=declared.get("service"),
    )
    return Event(fields, SourceRef("case", line=index + 1), source)


def write_rule(tmp_path: Path, case: dict[str, Any]) -> Path:
    rule = {
        "title": case["name"],
        "id": "00000000-0000-4000-8000-000000000001",
        "logsource": case.get("logsource", {"product": "windows", "category": "process_creation"}),
        "detection": case["detection"],
        "level": "high",
    }
    path = tmp_path / "rule.yml"
    path.write_text(yaml.safe_dump(rule), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", load_cases())
def test_case(case: dict[str, Any], tmp_path: Path) -> None:
    ruleset = compile_rules([write_rule(tmp_path, case)], case.get("placeholders"))
    assert ruleset.health.problems == [], ruleset.health.problems
    assert len(ruleset.rules) == 1
    for index, record in enumerate(case.get("match", [])):
        event = make_event(record, index)
        assert [r.id for r in ruleset.match(event)] == [ruleset.rules[0].id], record
        assert ruleset.match_oracle(event) == ruleset.match(event), record
        assert ruleset.explain(ruleset.rules[0], event), "a match must say why"
    for index, record in enumerate(case.get("no_match", [])):
        event = make_event(record, index)
        assert ruleset.match(event) == [], record
        assert ruleset.match_oracle(event) == [], record


@pytest.mark.parametrize(
    ("pattern", "literal"),
    [
        (".{1000,}", None),
        ("cmd.{0,5}(?:/c|/r).+powershell", "powershell"),
        ("abc|defgh", None),
        ("ab?cdef", "cdef"),
        (r"\$PSHome\[\s*\d{1,3}", "$pshome["),
        ("x[abc]yyyy", "yyyy"),
        ("a{2}bcde", "bcde"),
    ],
)
def test_required_literal_of_regex(pattern: str, literal: str | None) -> None:
    from huntpack.rules.regex_engine import required_literal

    assert required_literal(pattern) == literal
