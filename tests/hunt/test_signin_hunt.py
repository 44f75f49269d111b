"""Entra ID sign-in exports through a real hunt with the FatalRAT pack: the pack's T1119 rule
and SigmaHQ's azure/signinlogs rules fire on the normalised records, the ``signin`` analyzer
runs, and T1119 is no longer "analyzers not available: signin"."""

from __future__ import annotations

import json
from pathlib import Path

from huntpack.cli.main import main
from huntpack.hunt.coverage import CoverageStatus, TechniqueCoverage
from huntpack.hunt.plan import HuntPlan
from huntpack.hunt.result import HuntResult
from huntpack.hunt.runner import run_hunt
from huntpack.intel.library import builtin_pack_path
from huntpack.report.document import ReportDocument
from huntpack.report.render.terminal import render_text

SIGNINS = Path(__file__).resolve().parents[1] / "data" / "signin"
EXPORTS = ("graph_page.json", "azure_monitor.jsonl", "log_analytics.json", "portal_signins.csv")
PACK_RULE = "9b7ae6be-d5bf-4a02-9a32-b639df612810"  # the pack's T1119 rule (azure/signinlogs)
SINGLE_FACTOR = "28eea407-28d7-4e42-b0be-575d5ba60b2c"  # SigmaHQ: Status + AuthenticationRequirement
LOCKOUT = "2b7d6fc0-71ac-4cf7-8ed1-b5788ee5257a"  # SigmaHQ: ResultType 50053
PACK_SETTINGS = {"signin": {"scripting_user_agents": ["python", "powershell"]}}


def _hunt(*evidence: Path, rules: tuple[Path, ...] = ()) -> HuntResult:
    plan = HuntPlan(evidence=evidence, rule_paths=(builtin_pack_path("fatalrat") / "sigma", *rules),
                    campaign="fatalrat", jobs=1, analyzer_settings=PACK_SETTINGS)
    return run_hunt(plan)


def _t1119(result: HuntResult) -> TechniqueCoverage:
    return next(item for item in result.coverage if item.technique_id == "T1119")


def _origins(result: HuntResult, rule_id: str) -> set[str]:
    return {Path(f.origin.path).name for f in result.findings if f.rule_id == rule_id}


def test_the_pack_rule_fires_on_every_export_shape() -> None:
    result = _hunt(*(SIGNINS / name for name in EXPORTS))
    assert not result.problems and not result.analyzer_failures
    assert _origins(result, PACK_RULE) == set(EXPORTS)  # one scripted, unregistered sign-in each
    assert _origins(result, "signin-scripting-client") == set(EXPORTS)
    browser = [f for f in result.findings if f.origin.path.endswith("graph_page.json")
               and f.origin.record == 2]
    assert browser == []  # the browser sign-in from a registered device: nothing


def test_sigmahq_signin_rules_fire_on_the_normalised_records(shared_data: Path) -> None:
    sigmahq = shared_data / "sigma" / "rules" / "cloud" / "azure" / "signin_logs"
    result = _hunt(*(SIGNINS / name for name in EXPORTS), rules=(sigmahq,))
    assert _origins(result, SINGLE_FACTOR) == set(EXPORTS)  # Status: Success (derived)
    assert _origins(result, LOCKOUT) == {"azure_monitor.jsonl"}


def test_a_signin_export_alone_makes_t1119_detected_with_the_analyzer() -> None:
    result = _hunt(SIGNINS / "graph_page.json")
    t1119 = _t1119(result)
    assert "signin" in result.analyzers_run
    assert t1119.missing_analyzers == () and t1119.analyzers == ("signin",)
    assert t1119.status is CoverageStatus.DETECTED


def test_browser_sign_ins_alone_make_t1119_assessed(tmp_path: Path) -> None:
    page = json.loads((SIGNINS / "graph_page.json").read_text("utf-8"))
    page["value"] = [page["value"][1]]  # the browser sign-in only
    path = tmp_path / "browser.json"
    path.write_text(json.dumps(page), "utf-8")
    result = _hunt(path)
    assert result.findings == []
    assert _t1119(result).status is CoverageStatus.ASSESSED


def test_the_report_no_longer_says_the_analyzer_is_missing(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    code = main(["hunt", str(SIGNINS / "portal_signins.csv"), "--no-progress", "-o", str(out)])
    assert code == 1
    document = ReportDocument.parse(out.read_bytes())
    text = render_text(document, width=400)
    assert "T1119" in text
    assert "analyzers not available: signin" not in text
    t1119 = next(item for item in document.techniques if item.id == "T1119")
    assert t1119.status == "detected" and t1119.missing_analyzers == ()


def test_windows_logons_do_not_feed_the_signin_analyzer(tmp_path: Path) -> None:
    """The analyzer reads sign-in events only: Windows logons (User Account Authentication too)
    leave T1119 blind, with the analyzer listed as available."""
    logons = tmp_path / "security.jsonl"
    logons.write_text(json.dumps({
        "EventID": 4624, "Channel": "Security", "Computer": "dc1", "LogonType": 3,
        "TimeCreated": "2026-01-01T10:00:00Z", "TargetUserName": "alice"}) + "\n", "utf-8")
    result = _hunt(logons)
    assert result.analyzers_with_data is not None
    assert "signin" not in result.analyzers_with_data
    t1119 = _t1119(result)
    assert t1119.analyzers == ("signin",) and t1119.missing_analyzers == ()
    assert t1119.status is CoverageStatus.BLIND
