"""A worker process that dies on one file does not hang or lose the hunt."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from huntpack.hunt import runner
from huntpack.hunt.plan import HuntPlan
from huntpack.sources import EvidenceItem

RULES = Path(__file__).resolve().parents[1] / "data" / "hunt" / "rules" / "whoami.yml"
REAL_HUNT_FILE = runner.hunt_file


def dying_hunt_file(item: EvidenceItem) -> runner.FileOutcome:
    """Dies like a native crash on the poisoned file; hunts the others normally."""
    if "poison" in item.path:
        os._exit(1)
    return REAL_HUNT_FILE(item)


def test_a_file_that_kills_its_worker_is_reported(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    event = {"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational",
             "Image": "C:\\Windows\\System32\\whoami.exe"}
    for name in ("a", "b-poison", "c", "d"):
        (tmp_path / f"{name}.jsonl").write_text(json.dumps(event) + "\n")
    monkeypatch.setattr(runner, "hunt_file", dying_hunt_file)
    plan = HuntPlan(evidence=(tmp_path,), rule_paths=(RULES,), jobs=2, analyzers=())
    result = runner.run_hunt(plan)
    assert [Path(record.path).stem for record in result.inputs] == ["a", "b-poison", "c", "d"]
    assert result.stats.findings == 3
    crashed = [p for p in result.problems if p.reference == "input-crashed"]
    assert len(crashed) == 1 and "b-poison" in crashed[0].location
