"""The terminal summary of a hunt: what fired, what could not be read, rule health (rich)."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from huntpack.hunt.result import HuntResult
from huntpack.model import Finding, RuleHealth
from huntpack.report.findings_table import iso_time

LEVEL_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan",
               "informational": "dim"}


STATUS_STYLE = {"detected": "bold red", "assessed": "green", "blind": "yellow",
                "not covered": "magenta"}


def render_summary(result: HuntResult, console: Console, top: int = 25) -> None:
    console.print(_overview(result))
    if result.coverage:
        console.print(coverage_table(result))
    if result.findings:
        console.print(findings_by_rule(result.findings, top))
        console.print(latest_findings(result.findings, top))
    console.print(rule_health_table(result.rule_health))
    if result.problems:
        console.print(input_problems_table(result, top))


def _overview(result: HuntResult) -> Panel:
    stats = result.stats
    lines = [
        f"evidence files: {len(result.inputs)}   events: {stats.events:,}   "
        f"unreadable parts: {stats.unreadable:,}",
        f"findings: {stats.findings:,}   rules compiled: {result.rule_health.compiled:,}"
        f"/{result.rule_health.loaded:,}   time: {stats.hunt_seconds:.1f}s "
        f"({stats.events_per_second:,.0f} events/s, {stats.workers} workers)",
    ]
    if stats.findings_dropped:
        lines.append(f"[yellow]{stats.findings_dropped:,} findings beyond the keep limit were "
                     "counted and streamed but not kept in memory[/]")
    return Panel("\n".join(lines), title="huntpack hunt", expand=False)


def coverage_table(result: HuntResult) -> Table:
    table = Table(title="Campaign techniques: did it happen here, could we have seen it?")
    for column in ("technique", "status", "findings", "data seen", "data that would show it"):
        table.add_column(column, overflow="fold")
    for item in result.coverage:
        status = str(item.status)
        missing = ", ".join(item.missing_components) if status in ("blind", "not covered") else ""
        if item.missing_analyzers:
            missing = "; ".join(filter(None, [missing, "analyzers not available: "
                                              + ", ".join(item.missing_analyzers)]))
        table.add_row(f"{item.technique_id} {escape(item.name)}",
                      f"[{STATUS_STYLE.get(status, '')}]{status}[/]", str(item.findings),
                      ", ".join(item.present_components), missing)
    return table


def findings_by_rule(findings: list[Finding], top: int) -> Table:
    table = Table(title="Findings by rule", show_lines=False)
    for column in ("level", "count", "rule", "ATT&CK", "hosts"):
        table.add_column(column)
    counts: Counter[str] = Counter()
    first: dict[str, Finding] = {}
    hosts: dict[str, set[str]] = {}
    for finding in findings:
        counts[finding.rule_id] += 1
        first.setdefault(finding.rule_id, finding)
        hosts.setdefault(finding.rule_id, set()).add(finding.host or "?")
    ordered = sorted(counts, key=lambda rid: (-first[rid].level, -counts[rid], first[rid].title))
    for rule_id in ordered[:top]:
        finding = first[rule_id]
        style = LEVEL_STYLE.get(finding.level.label, "")
        table.add_row(f"[{style}]{finding.level.label}[/]", str(counts[rule_id]),
                      escape(finding.title), ", ".join(finding.techniques),
                      escape(", ".join(sorted(hosts[rule_id])[:3])))
    if len(ordered) > top:
        table.caption = f"{len(ordered) - top} more rules fired"
    return table


def latest_findings(findings: list[Finding], top: int) -> Table:
    table = Table(title=f"First {min(top, len(findings))} findings in time order")
    for column in ("time", "host", "level", "rule", "why"):
        table.add_column(column, overflow="fold")
    for finding in findings[:top]:
        why = "; ".join(f"{m.field}={m.value}" for m in finding.matched)
        table.add_row(iso_time(finding.timestamp), escape(finding.host or ""),
                      finding.level.label, escape(finding.title), escape(why[:160]))
    return table


def health_line(health: RuleHealth) -> str:
    return (f"Rule health: {health.files} files, {health.loaded} rules loaded, "
            f"{health.compiled} compiled, {health.correlations} correlations, "
            f"{health.failed} not usable, {len(health.warnings)} warnings")


def rule_health_table(health: RuleHealth, top: int = 20) -> Table | str:
    if not health.problems:
        return health_line(health)
    table = Table(title=health_line(health))
    table.add_column("stage")
    table.add_column("file", overflow="fold")
    table.add_column("reason", overflow="fold")
    for problem in health.problems[:top]:
        table.add_row(f"[red]{problem.stage}[/]", escape(problem.path), escape(problem.reason))
    if len(health.problems) > top:
        table.caption = f"{len(health.problems) - top} more; 'huntpack rules check' lists all"
    return table


def input_problems_table(result: HuntResult, top: int) -> Table:
    table = Table(title=f"Unreadable parts of the evidence ({len(result.problems)})")
    table.add_column("where", overflow="fold")
    table.add_column("reason", overflow="fold")
    for problem in result.problems[:top]:
        table.add_row(escape(problem.location), escape(problem.reason[:200]))
    return table


def render_health_report(health: RuleHealth, console: Console, verbose: bool) -> None:
    console.print(rule_health_table(health, top=len(health.problems)))
    if verbose and health.warnings:
        table = Table(title="Warnings")
        table.add_column("file", overflow="fold")
        table.add_column("warning", overflow="fold")
        for warning in health.warnings:
            table.add_row(escape(warning.path), escape(warning.reason))
        console.print(table)
