"""Building a ``ReportDocument`` from a ``HuntResult`` and its campaign pack (pure, deterministic).

Evidence strings are made safe to store, not to display: lone surrogates (undecodable bytes) become
U+FFFD, and a value longer than ``MAX_VALUE_CHARS`` is cut with a note. Escaping is the views' job.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from pydantic import JsonValue

from huntpack import __version__
from huntpack.hunt.coverage import TechniqueCoverage
from huntpack.hunt.result import HuntResult
from huntpack.intel.attack_data import LOOKUP_VERSION
from huntpack.intel.campaign import CampaignPack
from huntpack.intel.library import pack_file_label
from huntpack.model import Finding, RuleHealth, RuleProblem
from huntpack.report import document as d
from huntpack.report.activity import fired_rules, host_summaries, timeline
from huntpack.report.sightings import matched_indicators

MAX_VALUE_CHARS = 65_536
MAX_LIST_ITEMS = 1_000
_SURROGATE = re.compile("[\ud800-\udfff]")


def iso_time(timestamp: float | None) -> str:
    if timestamp is None:
        return ""
    return datetime.fromtimestamp(timestamp, UTC).isoformat().replace("+00:00", "Z")


def clean_text(value: str, limit: int = MAX_VALUE_CHARS) -> str:
    """Valid UTF-8 text, at most ``limit`` characters plus a note saying how much was cut."""
    text = _SURROGATE.sub("\ufffd", value) if _has_surrogate(value) else value
    if len(text) > limit:
        return f"{text[:limit]}[... {len(text) - limit} more characters]"
    return text


def _has_surrogate(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def clean_value(value: Any) -> JsonValue:
    """An event value as JSON data: scalars kept, lists cleaned item by item (one level)."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, list | tuple):
        return [_clean_scalar(item) for item in list(value)[:MAX_LIST_ITEMS]]
    return clean_text(str(value))


def _clean_scalar(value: Any) -> JsonValue:
    if isinstance(value, list | tuple | dict):
        return clean_text(str(value))
    return clean_value(value)


def assemble(result: HuntResult, pack: CampaignPack | None, generated_at: str) -> d.ReportDocument:
    findings = finding_items(result.findings)
    return d.ReportDocument(
        campaign=campaign_of(pack),
        techniques=technique_statuses(result.coverage, pack, findings),
        findings=findings,
        timeline=timeline(findings),
        hosts=host_summaries(findings),
        fired_rules=fired_rules(findings, _rule_files(pack)),
        indicators=matched_indicators(findings, pack),
        rule_health=rule_health(result.rule_health),
        inputs=inventory(result),
        statistics=statistics(result, findings),
        analyzers=d.AnalyzerReport(run=tuple(sorted(result.analyzers_run)),
                                   failed=dict(sorted(result.analyzer_failures.items()))),
        versions=versions(pack),
        timing=timing(result, generated_at),
    )


def campaign_of(pack: CampaignPack | None) -> d.Campaign:
    if pack is None:
        return d.Campaign()
    manifest = pack.manifest
    observed = manifest.observed_countries
    return d.Campaign(
        id=manifest.id, name=manifest.name, aliases=manifest.aliases, tags=manifest.tags,
        summary=manifest.summary, region=manifest.region, updated=manifest.updated.isoformat(),
        caveats=manifest.caveats,
        references=tuple(d.Reference(id=r.id, title=r.title, publisher=r.publisher, url=r.url,
                                     date=r.date) for r in manifest.references),
        countries=tuple(sorted((d.CountryCount(code=c.code, count=c.count, region=c.region)
                                for c in observed.countries), key=lambda c: (-c.count, c.code)))
        if observed else (),
        countries_unit=observed.unit if observed else "",
        countries_counts_are=observed.counts_are if observed else "",
        countries_source=observed.source if observed else "",
    )


def _finding_key(finding: Finding) -> tuple[Any, ...]:
    return (finding.timestamp is not None, finding.timestamp or 0.0, str(finding.origin),
            finding.rule_id, finding.title, finding.matched)


def finding_items(findings: list[Finding]) -> tuple[d.FindingItem, ...]:
    ordered = sorted(findings, key=_finding_key)
    width = max(4, len(str(len(ordered))))
    return tuple(_finding_item(f"F{index:0{width}d}", finding)
                 for index, finding in enumerate(ordered, start=1))


def _kind(source: str) -> str:
    return {"sigma": "rule", "correlation": "correlation"}.get(source, "analyzer")


def _finding_item(finding_id: str, finding: Finding) -> d.FindingItem:
    return d.FindingItem.model_validate({
        "id": finding_id, "rule_id": clean_text(finding.rule_id, 512),
        "title": clean_text(finding.title, 2048), "description": clean_text(finding.description),
        "kind": _kind(finding.source), "source": clean_text(finding.source, 256),
        "level": finding.level.label, "techniques": finding.techniques,
        "tactics": tuple(ref.id for ref in finding.attack if ref.kind == "tactic"),
        "host": clean_text(finding.host or "", 1024), "user": clean_text(finding.user or "", 1024),
        "time": iso_time(finding.timestamp), "timestamp": finding.timestamp,
        "origin": clean_text(str(finding.origin), 4096),
        "related": tuple(clean_text(str(ref), 4096) for ref in finding.related[:MAX_LIST_ITEMS]),
        "matched": tuple({"field": clean_text(m.field, 1024), "value": clean_text(m.value)}
                         for m in finding.matched[:MAX_LIST_ITEMS]),
        "event": {clean_text(str(key), 1024): clean_value(value)
                  for key, value in finding.event.items()},
    })


def technique_statuses(coverage: list[TechniqueCoverage], pack: CampaignPack | None,
                       findings: tuple[d.FindingItem, ...]) -> tuple[d.TechniqueStatus, ...]:
    return tuple(_technique_status(item, pack, findings) for item in coverage)


def _technique_status(item: TechniqueCoverage, pack: CampaignPack | None,
                      findings: tuple[d.FindingItem, ...]) -> d.TechniqueStatus:
    technique = pack.technique(item.technique_id) if pack else None
    prefix = item.technique_id + "."
    ids = tuple(f.id for f in findings
                if any(t == item.technique_id or t.startswith(prefix) for t in f.techniques))
    definition = technique.model_dump(mode="json", exclude_defaults=True) if technique else {}
    return d.TechniqueStatus(
        id=item.technique_id, name=item.name, tactics=technique.tactics if technique else (),
        status=str(item.status),  # type: ignore[arg-type]  # CoverageStatus values = Status
        findings=item.findings, guidance=technique.guidance if technique else "",
        rationale=technique.rationale if technique else "", gaps=technique.gaps if technique else "",
        required_components=item.required_components, present_components=item.present_components,
        missing_components=item.missing_components, detection_inputs=item.detection_inputs,
        inputs_present=item.inputs_present, rules=item.rules, failed_rules=item.failed_rules,
        analyzers=item.analyzers, missing_analyzers=item.missing_analyzers, finding_ids=ids,
        rules_without_data=item.rules_without_data,
        definition=definition,
    )


def _rule_files(pack: CampaignPack | None) -> dict[str, tuple[str, str]]:
    """Rule id -> (pack file name, file text)."""
    if pack is None:
        return {}
    texts = {text.file_name: text.text for text in pack.sigma_texts}
    return {rule.rule_id: (rule.file_name, texts.get(rule.file_name, ""))
            for rule in pack.sigma_rules if rule.rule_id}


def _issue(problem: RuleProblem) -> d.RuleIssue:
    return d.RuleIssue(path=clean_text(pack_file_label(problem.path), 4096), stage=problem.stage,
                       reason=clean_text(problem.reason, 8192), rule_id=problem.rule_id,
                       title=problem.title, reference=problem.reference)


def rule_health(health: RuleHealth) -> d.RuleHealthReport:
    def order(problem: RuleProblem) -> tuple[str, str, str]:
        return (problem.path, problem.stage, problem.reason)

    return d.RuleHealthReport(
        files=health.files, loaded=health.loaded, compiled=health.compiled,
        correlations=health.correlations, filters=health.filters, failed=health.failed,
        problems=tuple(_issue(p) for p in sorted(health.problems, key=order)),
        warnings=tuple(_issue(p) for p in sorted(health.warnings, key=order)),
    )


def inventory(result: HuntResult) -> d.Inventory:
    files = sorted(result.inputs, key=lambda record: record.path)
    problems = sorted(result.problems, key=lambda problem: (problem.location, problem.reason))
    return d.Inventory(
        files=tuple(d.InputFile(path=clean_text(f.path, 4096), format=f.format, size=f.size,
                                events=f.events, unreadable=f.unreadable) for f in files),
        problems=tuple(d.InputIssue(location=clean_text(p.location, 4096),
                                    reason=clean_text(p.reason, 8192), reference=p.reference)
                       for p in problems),
        event_kinds=dict(sorted(Counter(result.event_kinds).items())),
    )


def statistics(result: HuntResult, findings: tuple[d.FindingItem, ...]) -> d.Statistics:
    stats = result.stats
    return d.Statistics(
        events=stats.events, unreadable=stats.unreadable, filtered_out=stats.filtered_out,
        findings=stats.findings, findings_kept=len(findings),
        findings_dropped=stats.findings_dropped, rules_loaded=result.rule_health.loaded,
        rules_compiled=result.rule_health.compiled,
        hosts=len({f.host for f in findings if f.host}),
    )


def timing(result: HuntResult, generated_at: str) -> d.Timing:
    stats = result.stats
    return d.Timing(generated_at=generated_at, rule_compile_seconds=stats.rule_compile_seconds,
                    hunt_seconds=stats.hunt_seconds, events_per_second=stats.events_per_second,
                    workers=stats.workers)


def versions(pack: CampaignPack | None) -> d.Versions:
    if pack is None:
        return d.Versions(huntpack=__version__, attack=LOOKUP_VERSION)
    digest = hashlib.sha256()
    for text in sorted((*pack.sigma_texts, *pack.yara_texts), key=lambda t: t.file_name):
        digest.update(f"{text.file_name}\0{text.text}\0".encode("utf-8", "replace"))
    return d.Versions(huntpack=__version__, attack=LOOKUP_VERSION, pack_id=pack.id,
                      pack_updated=pack.manifest.updated.isoformat(),
                      rule_set_sha256=digest.hexdigest())
