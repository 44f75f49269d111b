"""Helpers for the report tests: hunt the bundled example in process, normalise documents."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from huntpack.cli.main import main
from huntpack.hunt.coverage import assess_coverage
from huntpack.hunt.result import HuntResult, InputRecord
from huntpack.intel.library import load_builtin_pack
from huntpack.model import AttackRef, Finding, MatchedField, Severity, SourceRef
from huntpack.report.document import ReportDocument

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = "examples/fatalrat-incident"
GOLDEN = REPO / "tests" / "data" / "report" / "golden"
ARTIFACTS = REPO / "tests" / "artifacts" / "report"
REFRESH = os.environ.get("HUNTPACK_REFRESH_GOLDEN", "") == "1"


def hunt_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> ReportDocument:
    """``huntpack hunt examples/fatalrat-incident -o report.json`` from the repository root."""
    monkeypatch.chdir(REPO)
    out = tmp_path / "report.json"
    code = main(["hunt", EXAMPLE, "--no-progress", "-o", str(out), *extra])
    assert code == 1, "the bundled example has findings"
    return ReportDocument.parse(out.read_bytes())


def normalise(document: ReportDocument) -> ReportDocument:
    """Timing zeroed and the repository's absolute path removed (golden files are portable)."""
    text = document.without_timing().to_json().replace(str(REPO) + os.sep, "")
    return ReportDocument.parse(text)


def check_golden(name: str, actual: str) -> None:
    """Compare with ``GOLDEN/name``; with HUNTPACK_REFRESH_GOLDEN=1 write it instead."""
    path = GOLDEN / name
    if REFRESH:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="")
        return
    assert path.exists(), f"{path} missing: run HUNTPACK_REFRESH_GOLDEN=1 pytest tests/report"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, (f"{name} differs from its golden copy; if the change is intended,"
                                " refresh with HUNTPACK_REFRESH_GOLDEN=1 pytest tests/report")


def synthetic_document(findings: list[Finding], with_pack: bool = True) -> ReportDocument:
    """A document from findings given as data (fatalrat pack coverage computed over them)."""
    pack = load_builtin_pack("fatalrat") if with_pack else None
    result = HuntResult(findings=list(findings))
    result.stats.events = len(findings)
    result.stats.findings = len(findings)
    result.inputs = [InputRecord(path="evidence/hostile.jsonl", format="json", size=1, events=1)]
    if pack is not None:
        techniques = [t for finding in findings for t in finding.techniques]
        result.coverage = assess_coverage(pack, {"Process Creation"}, techniques, ())
    return ReportDocument.from_hunt(result, pack)


def make_finding(index: int, **values: Any) -> Finding:
    base: dict[str, Any] = {
        "rule_id": f"rule-{index}", "title": f"Rule {index}", "level": Severity.HIGH,
        "source": "sigma", "origin": SourceRef("evidence/hostile.jsonl", line=index),
        "timestamp": 1_741_226_400.0 + 60 * index, "host": f"host-{index % 2}",
        "user": "CORP\\user", "attack": (AttackRef("T1569"), AttackRef("execution", "tactic")),
        "matched": (MatchedField("Image", "C:\\x.exe"),), "event": {"Image": "C:\\x.exe"},
    }
    base.update(values)
    return Finding(**base)
