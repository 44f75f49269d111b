"""The ``signin`` analyzer: scripted sign-ins per event, bursts and new addresses in conclude."""

from __future__ import annotations

from typing import Any

import pytest

from huntpack.analyzers.registry import build_analyzers
from huntpack.analyzers.signin.analyzer import SigninAnalyzer
from huntpack.analyzers.signin.settings import BUILTIN_USER_AGENTS
from huntpack.model import Event, Finding, Severity, SourceRef
from huntpack.sources import normalise_record

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36 Edg/120.0"
_COUNTER = iter(range(1, 1_000_000))


def signin(user_agent: str, *, ip: str = "203.0.113.7", error: int = 0, minute: float = 0,
           user: str = "li.wei@corp.example", device: str = "") -> Event:
    """A Graph-shaped sign-in, normalised by the reader (so the analyzer sees what users get)."""
    seconds = int(minute * 60)
    record = {
        "id": str(next(_COUNTER)),
        "createdDateTime": f"2026-01-05T02:{seconds // 60:02d}:{seconds % 60:02d}Z",
        "userPrincipalName": user, "appDisplayName": "Microsoft Graph", "ipAddress": ip,
        "userAgent": user_agent, "status": {"errorCode": error},
        "deviceDetail": {"deviceId": device},
    }
    event = normalise_record(record, SourceRef("signins.json", line=next(_COUNTER)))
    assert event.logsource.kind == "signin"
    return event


def run(analyzer: SigninAnalyzer, events: list[Event]) -> list[Finding]:
    """Per-event findings and conclude's, as the hunt runner calls them."""
    analyzer.prepare(frozenset({"json"}))
    findings: list[Finding] = []
    records: list[Any] = []
    for event in events:
        findings.extend(analyzer.analyze(event))
        record = analyzer.observe(event)
        if record is not None:
            records.append(record)
    return findings + analyzer.conclude(records)


def test_registered_and_reads_sign_ins() -> None:
    built = build_analyzers({"signin": {"scripting_user_agents": ["python", "powershell"]}},
                            ["signin"])
    assert built.failures == {} and built.names == {"signin"}
    assert built.for_kind("signin")


def test_a_successful_scripted_sign_in_is_reported_with_the_matching_substring() -> None:
    analyzer = SigninAnalyzer({"scripting_user_agents": ["python", "powershell"]})
    (finding,) = analyzer.analyze(signin("python-requests/2.31.0"))
    assert finding.rule_id == "signin-scripting-client"
    assert finding.level is Severity.MEDIUM  # no expected_ips: cannot tell
    assert finding.techniques == ("T1119", "T1078.004")
    assert finding.user == "li.wei@corp.example" and finding.host == "203.0.113.7"
    matched = {m.field: m.value for m in finding.matched}
    assert matched["user_agent_match"] == "python-requests"  # the longest matching substring
    assert "'python-requests'" in finding.description
    assert "unregistered device" in finding.description


@pytest.mark.parametrize(("agent", "expected"), [
    ("Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041", "powershell"),
    ("curl/8.4.0", "curl/"),
    ("Go-http-client/1.1", "go-http-client"),
    ("okhttp/4.12.0", "okhttp"),
])
def test_the_builtin_list(agent: str, expected: str) -> None:
    (finding,) = SigninAnalyzer().analyze(signin(agent))
    assert {m.field: m.value for m in finding.matched}["user_agent_match"] == expected


def test_the_pack_list_adds_to_the_builtin_one_unless_told_otherwise() -> None:
    assert SigninAnalyzer({"scripting_user_agents": ["MyTool"]}).analyze(signin("mytool/1.0"))
    only_mine = SigninAnalyzer({"scripting_user_agents": ["MyTool"], "builtin_user_agents": False})
    assert only_mine.analyze(signin("curl/8.4.0")) == []
    assert "python-requests" in BUILTIN_USER_AGENTS


def test_a_browser_sign_in_is_not_reported() -> None:
    analyzer = SigninAnalyzer({"scripting_user_agents": ["python", "powershell"]})
    assert analyzer.analyze(signin(BROWSER)) == []


def test_levels_follow_success_and_the_expected_addresses() -> None:
    analyzer = SigninAnalyzer({"expected_ips": ["198.51.100.0/24", "2001:db8::1"]})
    assert analyzer.analyze(signin("python-requests/2.31", ip="198.51.100.9")) == []  # expected
    assert analyzer.analyze(signin("python-requests/2.31", ip="2001:db8::1")) == []
    (outside,) = analyzer.analyze(signin("python-requests/2.31", ip="203.0.113.7"))
    assert outside.level is Severity.HIGH
    (failed,) = analyzer.analyze(signin("python-requests/2.31", ip="203.0.113.7", error=50126))
    assert failed.level is Severity.MEDIUM and failed.techniques == ("T1119",)
    (no_list,) = SigninAnalyzer().analyze(signin("python-requests/2.31", error=50126))
    assert no_list.level is Severity.LOW


def test_a_burst_of_scripted_sign_ins_by_one_user() -> None:
    analyzer = SigninAnalyzer({"expected_ips": ["203.0.113.0/24"], "burst_count": 5,
                               "burst_window_seconds": 600})
    events = [signin("python-requests/2.31", minute=m) for m in (0, 1, 2, 3, 4, 30)]
    events.append(signin("python-requests/2.31", minute=5, user="chen.na@corp.example"))
    findings = run(analyzer, events)
    (burst,) = findings  # expected addresses: no per-event finding, the burst still counts
    assert burst.rule_id == "signin-scripting-burst"
    assert burst.user == "li.wei@corp.example"
    assert {m.field: m.value for m in burst.matched}["count"] == "5"
    assert len(burst.related) == 4
    assert burst.techniques == ("T1119", "T1078.004")


def test_no_burst_when_the_sign_ins_are_spread_out() -> None:
    analyzer = SigninAnalyzer({"expected_ips": ["203.0.113.0/24"], "burst_count": 5,
                               "burst_window_seconds": 60})
    assert run(analyzer, [signin("python-requests/2.31", minute=m * 2) for m in range(6)]) == []


def test_scripted_sign_ins_from_several_new_addresses() -> None:
    analyzer = SigninAnalyzer({"new_ips": 3, "expected_ips": ["192.0.2.0/24"]})
    events = [signin(BROWSER, ip="198.51.100.20", minute=0)]  # the user's own address
    events += [signin("python-requests/2.31", ip=ip, minute=m) for m, ip in enumerate(
        ["198.51.100.20", "203.0.113.1", "192.0.2.5", "203.0.113.2"], 1)]
    new = [f for f in run(analyzer, events) if f.rule_id == "signin-scripting-new-ips"]
    assert new == []  # only two addresses are new: the known and the expected ones do not count
    events.append(signin("python-requests/2.31", ip="203.0.113.3", minute=9))
    (finding,) = [f for f in run(analyzer, events) if f.rule_id == "signin-scripting-new-ips"]
    assert {m.field: m.value for m in finding.matched}["addresses"] == \
        "203.0.113.1, 203.0.113.2, 203.0.113.3"
    assert finding.level is Severity.HIGH


@pytest.mark.parametrize(("settings", "message"), [
    ({"scripting_agents": ["python"]}, "unknown settings scripting_agents"),
    ({"expected_ips": ["10.0.0.0/33"]}, "not an address or a CIDR network"),
    ({"expected_ips": "10.0.0.0/8"}, "expected a list"),
    ({"burst_count": 0}, "burst_count"),
    ({"builtin_user_agents": False}, "no scripting user agents"),
])
def test_bad_settings_are_refused(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SigninAnalyzer(settings)
    assert "signin" in build_analyzers({"signin": settings}, ["signin"]).failures
