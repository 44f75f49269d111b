"""Rule health on SigmaHQ: at least 99.5 % compile; each failure names its construct."""

from __future__ import annotations

from huntpack.rules.ruleset import RuleSet


def test_sigmahq_compiles(sigmahq: RuleSet) -> None:
    health = sigmahq.health
    assert health.files >= 3700
    assert health.compiled / health.files >= 0.995, health.problems[:10]
    for problem in health.problems:
        assert problem.path and problem.reason, problem
