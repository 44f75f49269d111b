"""Hunt evidence files with the ``indicators`` analyzer alone, the way ``huntpack hunt`` does."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from huntpack.analyzers.indicators.analyzer import indicator_settings
from huntpack.hunt.plan import HuntPlan
from huntpack.hunt.result import HuntResult
from huntpack.hunt.runner import run_hunt
from huntpack.intel.indicator import Indicator
from huntpack.model import Finding

_DEFAULTS = {"description": "test indicator", "source": "test-source", "confidence": "high"}


def indicators(entries: Iterable[Mapping[str, Any]]) -> list[Indicator]:
    """Indicators from pack-style entries, with a description, source and confidence filled in."""
    return [Indicator.model_validate({**_DEFAULTS, **entry}) for entry in entries]


def hunt(paths: Sequence[Path], found: Iterable[Indicator], jobs: int = 1) -> HuntResult:
    plan = HuntPlan(evidence=tuple(paths), rule_paths=(), jobs=jobs, analyzers=("indicators",),
                    analyzer_settings={"indicators": indicator_settings(found)})
    result = run_hunt(plan)
    assert not result.analyzer_failures, result.analyzer_failures
    assert not result.problems, result.problems
    return result


def rule_ids(findings: Iterable[Finding]) -> list[str]:
    return sorted(finding.rule_id for finding in findings)


def matched(finding: Finding) -> dict[str, str]:
    """The finding's matched fields (first value of each field name)."""
    out: dict[str, str] = {}
    for item in finding.matched:
        out.setdefault(item.field, item.value)
    return out


def context(finding: Finding) -> list[str]:
    return [item.value for item in finding.matched if item.field == "context"]
