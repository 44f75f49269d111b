"""Header anomalies and sender authenticity (data-driven: tests/data/email/header_cases.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from huntpack.analyzers.email.analyzer import EmailAnalyzer

from .messages import event_of, lure_message, message_bytes

CASES_FILE = Path(__file__).resolve().parents[1] / "data" / "email" / "header_cases.yaml"
CASES: list[dict[str, Any]] = yaml.safe_load(CASES_FILE.read_text("utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_header_case(case: dict[str, Any]) -> None:
    analyzer = EmailAnalyzer(case.get("settings", {}))
    findings = analyzer.analyze(event_of(message_bytes(case["headers"])))
    assert {finding.rule_id for finding in findings} == set(case["rules"]), findings
    if "explains" in case:
        assert any(case["explains"] in finding.description for finding in findings), findings
    for finding in findings:
        assert finding.techniques == ("T1566.002",) and finding.source == "email"
        assert "email.raw" not in finding.event


def test_each_anomaly_has_a_positive_and_a_negative_case() -> None:
    positives = {rule for case in CASES for rule in case["rules"]}
    assert positives >= {"email.reply-to-mismatch", "email.return-path-mismatch",
                         "email.display-name-address", "email.display-name-internal",
                         "email.from-lookalike", "email.auth-fail", "email.dmarc-unaligned"}
    assert sum(1 for case in CASES if not case["rules"]) >= 8


def test_archive_lure_by_keyword_and_by_program_inside() -> None:
    analyzer = EmailAnalyzer({"lure_keywords": ["税", "invoice"],
                              "archive_extensions": [".zip", ".rar"]})
    by_word = event_of(lure_message("2025年度税务稽查通知.zip", {"readme.txt": b"x"}, "notice"))
    by_program = event_of(lure_message("docs.zip", {"scan.pdf.exe": b"MZ"}, "scan"))
    nested = event_of(lure_message("docs.zip", {"inner.zip": b"PK"}, "scan"))
    assert "email.archive-lure" in {f.rule_id for f in analyzer.analyze(nested)}
    clean = event_of(lure_message("photos.zip", {"a.jpg": b"\xff\xd8"}, "holiday"))
    assert "email.archive-lure" in {f.rule_id for f in analyzer.analyze(by_word)}
    assert "email.archive-lure" in {f.rule_id for f in analyzer.analyze(by_program)}
    assert analyzer.analyze(clean) == []


def test_unknown_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown email settings"):
        EmailAnalyzer({"dns_recordz": "x"})
