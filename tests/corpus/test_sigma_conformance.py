"""SigmaHQ's regression pairs: each rule fires on its own .evtx and, separately, its .json twin.

Excused pairs (defects in the data itself) would be listed in tests/data/conformance_excused.yml;
the list is empty: every pair present passes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from huntpack.model import InputProblem
from huntpack.rules.ruleset import RuleSet
from huntpack.sources import discover, read_events
from tests.conftest import SHARED_DATA

EXCUSED_FILE = Path(__file__).resolve().parents[1] / "data" / "conformance_excused.yml"


def regression_pairs() -> list[Any]:
    root = SHARED_DATA / "sigma" / "regression_data"
    if not root.is_dir():
        return [pytest.param(None, id="corpus-missing")]
    params = []
    for info in sorted(root.rglob("info.yml")):
        document = yaml.safe_load(info.read_text(encoding="utf-8"))
        rule_id = document["rule_metadata"][0]["id"]
        for test in document.get("regression_tests_info", []):
            evtx = SHARED_DATA / "sigma" / test["path"]
            count = int(test.get("match_count", 1))
            for path in (evtx, evtx.with_suffix(".json")):
                params.append(pytest.param((rule_id, path, count), id=f"{rule_id}{path.suffix}"))
    return params


def excused() -> dict[str, str]:
    if not EXCUSED_FILE.exists():
        return {}
    return yaml.safe_load(EXCUSED_FILE.read_text(encoding="utf-8")) or {}


@pytest.mark.parametrize("pair", regression_pairs())
def test_regression_pair(pair: Any, sigmahq: RuleSet) -> None:
    if pair is None:
        pytest.skip("no regression data")
    rule_id, path, expected = pair
    if f"{rule_id}{path.suffix}" in excused():
        pytest.skip(f"excused: {excused()[f'{rule_id}{path.suffix}']}")
    assert any(rule.id == rule_id for rule in sigmahq.rules), f"rule {rule_id} did not compile"
    items, problems = discover([path])
    assert items and not problems, problems
    fired = 0
    for item in items:
        for event in read_events(item):
            assert not isinstance(event, InputProblem), event
            fired += sum(1 for rule in sigmahq.match(event) if rule.id == rule_id)
    assert fired >= expected, f"{path.name}: rule fired {fired} times, expected >= {expected}"
