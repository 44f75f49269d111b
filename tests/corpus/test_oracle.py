"""The fast path (routing cache + literal prefilter) and the naive oracle agree on every corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from huntpack.model import InputProblem
from huntpack.rules.ruleset import RuleSet
from huntpack.sources import discover, read_events
from tests.conftest import SHARED_DATA


def corpus_groups() -> list[str]:
    return ["evtx/attack-samples", "evtx/parser-edge", "mordor"]


@pytest.mark.parametrize("folder", corpus_groups())
def test_fast_path_equals_oracle(folder: str, sigmahq: RuleSet, shared_data: Path) -> None:
    items, _ = discover([SHARED_DATA / folder])
    assert items
    events = matches = 0
    for item in items:
        for event in read_events(item):
            if isinstance(event, InputProblem):
                continue
            events += 1
            fast = [rule.id for rule in sigmahq.match(event)]
            oracle = [rule.id for rule in sigmahq.match_oracle(event)]
            assert fast == oracle, f"{event.origin}: fast {fast} != oracle {oracle}"
            matches += len(fast)
    assert events > 0 and matches > 0
