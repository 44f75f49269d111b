"""The hunt plan: pure data saying what to hunt, with which rules, and how."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from huntpack.model import Severity


@dataclass(frozen=True, slots=True)
class HuntPlan:
    """Everything ``run_hunt`` needs; built by the CLI (or by a test) and never mutated."""

    evidence: tuple[Path, ...]
    rule_paths: tuple[Path, ...]
    placeholders: Mapping[str, Sequence[str]] = field(default_factory=dict)
    min_level: Severity = Severity.INFORMATIONAL
    since: float | None = None
    until: float | None = None
    jobs: int = 0  # 0: one worker per CPU
    routing: Path | None = None
    campaign: str | None = None
    max_findings_kept: int = 100_000
    oracle: bool = False  # evaluate with the naive oracle instead of the fast path
    analyzers: tuple[str, ...] | None = None  # None: every registered analyzer; (): none
    analyzer_settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def workers(self) -> int:
        return self.jobs if self.jobs > 0 else max(1, os.cpu_count() or 1)
