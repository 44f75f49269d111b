"""Data-driven indicator cases (``tests/data/indicators/cases.yaml``, format in the README beside
it): each case's records written as a file and hunted with the ``indicators`` analyzer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from huntpack.analyzers.indicators.index import MATCHED_TYPES

from .helpers import context, hunt, indicators, matched, rule_ids

CASES_FILE = Path(__file__).resolve().parents[2] / "data" / "indicators" / "cases.yaml"
CASES: list[dict[str, Any]] = yaml.safe_load(CASES_FILE.read_text("utf-8"))
SYSMON = {"Channel": "Microsoft-Windows-Sysmon/Operational",
          "Provider_Name": "Microsoft-Windows-Sysmon", "Computer": "WS-TEST-01.corp.example",
          "TimeCreated": "2025-03-06T02:06:00.000Z"}


def _record(record: dict[str, Any]) -> dict[str, Any]:
    if "EventID" in record and "Channel" not in record:
        return {**SYSMON, **record}
    if "EventID" in record:
        return {"Computer": SYSMON["Computer"], "TimeCreated": SYSMON["TimeCreated"], **record}
    return record


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_case(case: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / case.get("file", "sysmon.jsonl")
    path.write_text("".join(json.dumps(_record(r)) + "\n" for r in case["records"]), "utf-8")
    result = hunt([path], indicators(case["indicators"]))
    assert result.stats.events == len(case["records"])
    assert rule_ids(result.findings) == case["expect"], [f.matched for f in result.findings]
    if not result.findings:
        return
    first = result.findings[0]
    assert first.source == "indicators" and first.description
    assert first.techniques or first.rule_id in ("indicator.string", "indicator.mutex")
    assert matched(first).items() >= case.get("matched", {}).items()
    if "context" in case:
        assert context(first) == case["context"]


def test_every_matched_type_has_a_positive_case_and_a_near_miss() -> None:
    positive = {i["type"] for case in CASES if case["expect"] for i in case["indicators"]}
    negative = {case["indicators"][0]["type"] for case in CASES if not case["expect"]}
    assert positive >= MATCHED_TYPES
    assert negative >= MATCHED_TYPES
