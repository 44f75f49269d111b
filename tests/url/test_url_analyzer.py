"""The url analyzer on records given as data (tests/data/url/web_log_cases.yaml) and e-mail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from huntpack.analyzers.registry import build_analyzers
from huntpack.analyzers.url.analyzer import UrlAnalyzer
from huntpack.intel.library import load_builtin_pack
from huntpack.model import Event, LogSource, SourceRef
from huntpack.sources import MemorySource

CASES_FILE = Path(__file__).resolve().parents[1] / "data" / "url" / "web_log_cases.yaml"
CASES: list[dict[str, Any]] = yaml.safe_load(CASES_FILE.read_text("utf-8"))
SETTINGS = {"brands": ["telegram", "electrum", "youdao", "paypal.com"],
            "never_alone_hosts": ["fs-im-kefu.7moor-fs1.com"]}


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_web_log_case(case: dict[str, Any]) -> None:
    analyzer = UrlAnalyzer(SETTINGS)
    (event,) = MemorySource([case["record"]]).events()
    assert event.logsource.kind in analyzer.kinds
    findings = analyzer.analyze(event)
    assert {finding.rule_id for finding in findings} == set(case["rules"]), findings
    for finding in findings:
        assert finding.techniques == ("T1566.002",)
        assert finding.source == "url"
        assert finding.matched and finding.description


def test_userinfo_finding_names_the_real_host() -> None:
    event = _email(html='<a href="http://www.paypal.com@203.0.113.7/x">PayPal</a>')
    findings = {f.rule_id: f for f in UrlAnalyzer({}).analyze(event)}
    matched = {m.field: m.value for m in findings["url.userinfo"].matched}
    assert matched["real_host"] == "203.0.113.7"


def test_text_href_mismatch_positive_and_negative() -> None:
    bad = _email(html='<a href="https://198.51.100.4/login">https://www.bank.example.com</a>')
    good = _email(html='<a href="https://www.bank.example.com/login">www.bank.example.com</a>')
    assert "url.text-href-mismatch" in {f.rule_id for f in UrlAnalyzer({}).analyze(bad)}
    assert UrlAnalyzer({}).analyze(good) == []


def test_links_in_plain_text_are_judged() -> None:
    event = _email(text="Get it at https://telegraac.com/tsetup.exe today.")
    assert {f.rule_id for f in UrlAnalyzer({}).analyze(event)} == {"url.lookalike.typosquat"}


def test_pack_settings_build_the_analyzer() -> None:
    settings = dict(load_builtin_pack("fatalrat").analyzer_settings)
    built = build_analyzers(settings, ["url", "email"])
    assert built.failures == {}
    assert built.names == frozenset({"url", "email"})


def test_unknown_setting_is_refused_and_the_network_is_off_by_default() -> None:
    with pytest.raises(ValueError, match="unknown url settings"):
        UrlAnalyzer({"brandz": []})
    assert UrlAnalyzer().expander is None
    assert UrlAnalyzer({"resolve": True}).expander is not None


def _email(text: str | None = None, html: str | None = None) -> Event:
    fields: dict[str, Any] = {"email.from.address": ["a@example.org"]}
    if text:
        fields["email.body.text"] = text
    if html:
        fields["email.body.html"] = html
    return Event(fields, SourceRef("memory.eml"), LogSource(kind="email"))
