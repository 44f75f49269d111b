"""The url analyzer on CSV evidence, through a real hunt: browser history and proxy exports
(tests/data/url/*.csv), and a CSV twin of every JSON web-log case (web_log_cases.yaml)."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from huntpack.analyzers.url.analyzer import UrlAnalyzer
from huntpack.hunt.plan import HuntPlan
from huntpack.hunt.result import HuntResult
from huntpack.hunt.runner import run_hunt
from huntpack.model import Finding
from huntpack.sources import discover, read_events

from .test_url_analyzer import CASES, SETTINGS

DATA = Path(__file__).resolve().parents[1] / "data" / "url"
LOOKALIKE = {"url.lookalike.mixed-script", "url.lookalike.homograph"}
TYPOSQUAT = {"url.lookalike.typosquat"}


def _hunt(paths: Sequence[Path]) -> HuntResult:
    plan = HuntPlan(evidence=tuple(paths), rule_paths=(), jobs=1, analyzers=("url",),
                    analyzer_settings={"url": SETTINGS})
    result = run_hunt(plan)
    assert not result.analyzer_failures, result.analyzer_failures
    return result


def _rules_by_line(findings: Sequence[Finding]) -> dict[tuple[str, int | None], set[str]]:
    found: dict[tuple[str, int | None], set[str]] = defaultdict(set)
    for finding in findings:
        found[(Path(finding.origin.path).name, finding.origin.line)].add(finding.rule_id)
    return dict(found)


def test_csv_browser_history_and_proxy_log_lookalikes_are_found() -> None:
    history, proxy = DATA / "browser_history.csv", DATA / "proxy_log.csv"
    result = _hunt([history, proxy])
    assert result.problems == []
    assert {(Path(i.path).name, i.format, i.events) for i in result.inputs} == {
        ("browser_history.csv", "csv", 4), ("proxy_log.csv", "csv", 3)}
    assert _rules_by_line(result.findings) == {
        ("browser_history.csv", 2): LOOKALIKE,  # xn--pypal-4ve.com: Cyrillic 'а' in paypal
        ("browser_history.csv", 3): TYPOSQUAT,  # telegraac.com
        ("proxy_log.csv", 2): TYPOSQUAT,
        ("proxy_log.csv", 3): LOOKALIKE,
    }
    for finding in result.findings:
        assert finding.source == "url" and finding.techniques == ("T1566.002",)
    homograph = next(f for f in result.findings if f.rule_id == "url.lookalike.homograph"
                     and f.origin.path == str(proxy))
    matched = {m.field: m.value for m in homograph.matched}
    assert matched["imitates"] == "paypal.com"
    assert matched["c-uri"] == "xn--pypal-4ve.com"  # the host of the c-uri column


def test_csv_browser_history_of_benign_sites_is_not_flagged() -> None:
    result = _hunt([DATA / "benign_history.csv"])
    assert result.problems == []
    assert [(i.format, i.events) for i in result.inputs] == [("csv", 5)]
    assert result.findings == []


def test_csv_twin_of_every_web_log_case_gives_the_json_findings(tmp_path: Path) -> None:
    """Each case of web_log_cases.yaml written as a one-row CSV and as a JSON line: hunted
    together, the CSV gives the JSON record's findings, and its header declares the logsource
    the JSON record declared (``logsource: {category: ...}``)."""
    for case in CASES:
        _write_twins(tmp_path, case["name"], case["record"])
    result = _hunt([tmp_path])
    assert result.problems == []
    assert {i.format for i in result.inputs} == {"csv", "json"}
    by_file: dict[str, set[tuple[str, tuple[Any, ...]]]] = defaultdict(set)
    for finding in result.findings:
        by_file[Path(finding.origin.path).name].add((finding.rule_id, finding.matched))
    kinds = UrlAnalyzer(SETTINGS).kinds
    for case in CASES:
        name = case["name"]
        csv_findings, json_findings = by_file[f"{name}.csv"], by_file[f"{name}.jsonl"]
        assert {rule for rule, _ in csv_findings} == set(case["rules"]), name
        assert csv_findings == json_findings, name
        (item,), _ = discover([tmp_path / f"{name}.csv"])
        (event,) = read_events(item)
        assert item.format == "csv" and event.logsource.kind in kinds, (name, event)
        declared = case["record"].get("logsource", {}).get("category")
        assert event.logsource.category == declared, name


def _write_twins(folder: Path, name: str, record: dict[str, Any]) -> None:
    (folder / f"{name}.jsonl").write_text(json.dumps(record) + "\n", "utf-8")
    columns = {key: value for key, value in record.items() if key != "logsource"}
    with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(columns)
        writer.writerow(columns.values())
