"""Which rules met data they could have matched, and what that does to a technique's status.

A technique is "assessed" only when a working rule for it met an event it could have matched:
Windows logons do not make the pack's Entra ID sign-in rule (T1119) assessed, sign-in logs do.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from huntpack.hunt.coverage import CoverageStatus
from huntpack.hunt.plan import HuntPlan
from huntpack.hunt.runner import prepare, run_hunt
from huntpack.intel.library import builtin_pack_path

SIGNIN_RULE = "9b7ae6be-d5bf-4a02-9a32-b639df612810"  # the pack's T1119 rule (azure/signinlogs)


def _write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), "utf-8")
    return path


def _logons(path: Path) -> Path:
    return _write_jsonl(path, [
        {"EventID": 4624, "Channel": "Security", "Computer": "dc1", "LogonType": 3,
         "TimeCreated": f"2026-01-01T10:00:0{index}Z", "TargetUserName": "alice"}
        for index in range(3)
    ])


def _signins(path: Path) -> Path:
    """An ordinary browser sign-in: the rule reads it and stays silent."""
    return _write_jsonl(path, [{
        "logsource": {"product": "azure", "service": "signinlogs"},
        "TimeGenerated": "2026-01-01T10:05:00Z", "ResultType": 0,
        "UserAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edg/120.0",
        "IPAddress": "198.51.100.20", "UserPrincipalName": "alice@corp.example",
        "DeviceDetail": {"deviceId": "6f1c2b"},
    }])


def _plan(*evidence: Path) -> HuntPlan:
    return HuntPlan(evidence=evidence, rule_paths=(builtin_pack_path("fatalrat") / "sigma",),
                    campaign="fatalrat", jobs=1, analyzers=())


def _status(result_coverage: list[object], technique: str) -> CoverageStatus:
    return next(item.status for item in result_coverage  # type: ignore[attr-defined]
                if item.technique_id == technique)  # type: ignore[attr-defined]


def test_windows_logons_leave_the_signin_technique_blind(tmp_path: Path) -> None:
    result = run_hunt(_plan(_logons(tmp_path / "security.jsonl")))
    assert result.rules_with_data is not None
    assert SIGNIN_RULE not in result.rules_with_data
    assert _status(result.coverage, "T1119") is CoverageStatus.BLIND
    assert result.rules_with_data == frozenset()  # no pack rule reads logons (4624)


def test_signin_logs_make_it_assessed(tmp_path: Path) -> None:
    result = run_hunt(_plan(_logons(tmp_path / "security.jsonl"), _signins(tmp_path / "si.jsonl")))
    assert result.rules_with_data is not None and SIGNIN_RULE in result.rules_with_data
    assert _status(result.coverage, "T1119") is CoverageStatus.ASSESSED
    assert not result.findings


def test_static_checks_keep_a_rule_from_meeting_other_event_ids(tmp_path: Path) -> None:
    """A Security rule pinned to 4663 has not met data when only 4624 was there."""
    result = run_hunt(_plan(_logons(tmp_path / "security.jsonl")))
    access_mask_rule = _rule_id("win_security_file_access_write_attribute_masks.yml")
    assert result.rules_with_data is not None
    assert access_mask_rule not in result.rules_with_data


def test_a_second_hunt_with_the_same_compiled_rules_reports_the_same(tmp_path: Path) -> None:
    plan = _plan(_logons(tmp_path / "security.jsonl"), _signins(tmp_path / "si.jsonl"))
    prepared = prepare(plan)
    first = run_hunt(plan, prepared=prepared)
    second = run_hunt(plan, prepared=prepared)
    assert first.rules_with_data == second.rules_with_data
    assert first.rules_with_data and SIGNIN_RULE in first.rules_with_data
    only_logons = run_hunt(_plan(_logons(tmp_path / "security.jsonl")), prepared=prepared)
    assert only_logons.rules_with_data is not None
    assert SIGNIN_RULE not in only_logons.rules_with_data


def test_parallel_workers_report_what_they_met(tmp_path: Path) -> None:
    files = [_logons(tmp_path / f"security-{index}.jsonl") for index in range(3)]
    files.append(_signins(tmp_path / "si.jsonl"))
    serial = run_hunt(_plan(*files))
    plan = HuntPlan(evidence=tuple(files), rule_paths=(builtin_pack_path("fatalrat") / "sigma",),
                    campaign="fatalrat", jobs=2, analyzers=())
    parallel = run_hunt(plan)
    assert parallel.rules_with_data == serial.rules_with_data
    assert parallel.rules_with_data and SIGNIN_RULE in parallel.rules_with_data


def test_a_correlation_is_fed_through_its_base_rules(tmp_path: Path) -> None:
    """The VM-check burst correlation (T1497.001) met data once process creations were there."""
    process = _write_jsonl(tmp_path / "sysmon.jsonl", [{
        "EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational", "Computer": "ws1",
        "UtcTime": "2026-01-01 10:00:00.000", "Image": "C:\\Windows\\System32\\notepad.exe",
        "CommandLine": "notepad.exe", "ParentImage": "C:\\Windows\\explorer.exe",
    }])
    with_processes = run_hunt(_plan(process))
    without = run_hunt(_plan(_logons(tmp_path / "security.jsonl")))
    correlation = _rule_id("proc_creation_win_vm_check_discovery_burst.yml", kind="correlation")
    assert with_processes.rules_with_data is not None and without.rules_with_data is not None
    assert correlation in with_processes.rules_with_data
    assert correlation not in without.rules_with_data


def _rule_id(file_name: str, kind: str = "rule") -> str:
    text = (builtin_pack_path("fatalrat") / "sigma" / file_name).read_text("utf-8")
    for document in yaml.safe_load_all(text):
        if document and ("correlation" in document) == (kind == "correlation"):
            return str(document["id"])
    raise AssertionError(f"no {kind} in {file_name}")


def test_coverage_names_the_rules_that_met_no_event(tmp_path: Path) -> None:
    result = run_hunt(_plan(_logons(tmp_path / "security.jsonl")))
    t1119 = next(item for item in result.coverage if item.technique_id == "T1119")
    assert t1119.rules_without_data == (
        "Entra ID Sign-In From A Scripting Client On An Unexpected Address Or Unmanaged Device"
        " [azure/signinlogs]",)
    fed = run_hunt(_plan(_signins(tmp_path / "si.jsonl")))
    assert next(item for item in fed.coverage if item.technique_id == "T1119"
                ).rules_without_data == ()
