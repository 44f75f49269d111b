"""Who and what fired when: the timeline, per-host summaries and per-rule counts of a report."""

from __future__ import annotations

from collections.abc import Mapping

from huntpack.report.document import FindingItem, FiredRule, HostSummary, TimelineEntry

UNKNOWN_HOST = "(unknown host)"


def timeline(findings: tuple[FindingItem, ...]) -> tuple[TimelineEntry, ...]:
    """Timed findings in time order (findings are already ordered by time, origin and rule)."""
    return tuple(
        TimelineEntry(time=f.time, host=f.host or UNKNOWN_HOST, finding_id=f.id, level=f.level,
                      title=f.title)
        for f in findings if f.time
    )


def host_summaries(findings: tuple[FindingItem, ...]) -> tuple[HostSummary, ...]:
    counts: dict[str, int] = {}
    times: dict[str, list[str]] = {}
    for finding in findings:
        host = finding.host or UNKNOWN_HOST
        counts[host] = counts.get(host, 0) + 1
        if finding.time:
            times.setdefault(host, []).append(finding.time)
    return tuple(
        HostSummary(host=host, findings=counts[host], first_seen=min(times.get(host, [""])),
                    last_seen=max(times.get(host, [""])))
        for host in sorted(counts)
    )


def fired_rules(findings: tuple[FindingItem, ...],
                rule_files: Mapping[str, tuple[str, str]]) -> tuple[FiredRule, ...]:
    groups: dict[tuple[str, str], list[FindingItem]] = {}
    for finding in findings:
        groups.setdefault((finding.source, finding.rule_id), []).append(finding)
    rules = [_fired(items, rule_files) for items in groups.values()]
    order = ("critical", "high", "medium", "low", "informational")
    return tuple(sorted(rules, key=lambda r: (order.index(r.level) if r.level in order else 9,
                                              -r.count, r.title, r.rule_id, r.source)))


def _fired(items: list[FindingItem], rule_files: Mapping[str, tuple[str, str]]) -> FiredRule:
    first = items[0]
    times = [f.time for f in items if f.time]
    techniques = sorted({t for f in items for t in f.techniques})
    pack_file = rule_files.get(first.rule_id, ("", "")) if first.kind != "analyzer" else ("", "")
    return FiredRule(
        rule_id=first.rule_id, title=first.title, kind=first.kind, source=first.source,
        level=max((f.level for f in items), key=_level_rank), count=len(items),
        techniques=tuple(techniques), hosts=tuple(sorted({f.host or UNKNOWN_HOST for f in items})),
        first_seen=min(times, default=""), last_seen=max(times, default=""),
        file=pack_file[0], text=pack_file[1],
    )


def _level_rank(level: str) -> int:
    order = ("informational", "low", "medium", "high", "critical")
    return order.index(level) if level in order else -1
