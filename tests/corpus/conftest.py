"""Corpus fixtures: the SigmaHQ rule set compiled once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from huntpack.rules.catalog import compile_rules
from huntpack.rules.ruleset import RuleSet

SIGMA_FOLDERS = ("rules", "rules-emerging-threats", "rules-threat-hunting")


@pytest.fixture(scope="session")
def sigmahq(shared_data: Path) -> RuleSet:
    ruleset = compile_rules([shared_data / "sigma" / folder for folder in SIGMA_FOLDERS])
    ruleset.prepare()
    return ruleset
