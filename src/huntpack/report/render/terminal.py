"""The terminal view: a summary that fits a screen (status per technique, top findings, blind
spots, rule health, unreadable evidence). ``render_text`` gives the same as plain text."""

from __future__ import annotations

import io

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from huntpack.report.document import ReportDocument, RuleHealthReport
from huntpack.report.render.text import reveal, shorten

LEVEL_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan",
               "informational": "dim"}
STATUS_STYLE = {"detected": "bold red", "assessed": "green", "blind": "yellow",
                "not covered": "magenta"}
TOP = 10


def safe(text: str, limit: int = 200) -> str:
    """Evidence text for rich: invisible characters shown, markup escaped, one line, bounded."""
    return escape(shorten(reveal(text, single_line=True), limit))


def render_terminal(document: ReportDocument, console: Console, top: int = TOP) -> None:
    console.print(overview(document))
    if document.techniques:
        console.print(technique_table(document))
    if document.fired_rules:
        console.print(fired_rules_table(document, top))
        console.print(top_findings_table(document, top // 2))
    console.print(rule_health_table(document.rule_health))
    if document.inputs.problems:
        console.print(input_problems_table(document, top))


def render_text(document: ReportDocument, width: int = 120) -> str:
    """The terminal view as plain text (no colour), e.g. for a file or a golden test."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False,
                      no_color=True, legacy_windows=False, soft_wrap=False)
    render_terminal(document, console)
    return buffer.getvalue()


def overview(document: ReportDocument) -> Panel:
    stats, timing = document.statistics, document.timing
    title = f"huntpack hunt: {escape(document.campaign.name)}" if document.campaign.id \
        else "huntpack hunt"
    skipped = sum(1 for problem in document.inputs.problems
                  if problem.reference in FILE_NOT_READ)
    plain = sum(1 for problem in document.inputs.problems if problem.reference == PLAIN_FILE)
    lines = [
        f"evidence files: {len(document.inputs.files)}   events: {stats.events:,}   "
        f"unreadable parts: {stats.unreadable:,}"
        + (f"   files not read: {skipped:,}" if skipped else "")
        + (f"   plain files (no log format): {plain:,}" if plain else ""),
        f"findings: {stats.findings:,} on {stats.hosts} hosts   rules usable: "
        f"{usable_rules(document.rule_health)}   time: {timing.hunt_seconds:.1f}s "
        f"({timing.events_per_second:,.0f} events/s, {timing.workers} workers)",
    ]
    if stats.findings_dropped:
        lines.append(f"[yellow]{stats.findings_dropped:,} findings beyond the keep limit were "
                     "counted and streamed but not kept in memory[/]")
    if document.analyzers.failed:
        lines.append("[red]analyzers that failed: " + escape(", ".join(document.analyzers.failed))
                     + "[/]")
    return Panel("\n".join(lines), title=title, expand=False)


def technique_table(document: ReportDocument) -> Table:
    table = Table(title="Campaign techniques: did it happen here, could we have seen it?")
    for column in ("technique", "status", "findings", "data seen", "data that would show it"):
        table.add_column(column, overflow="fold")
    for item in document.techniques:
        missing = ", ".join(item.missing_components) \
            if item.status in ("blind", "not covered") else ""
        if item.status == "blind" and item.rules_without_data:
            missing = "; ".join(filter(None, [missing, "rules that met no event: "
                                              + ", ".join(item.rules_without_data)]))
        if item.missing_analyzers:
            missing = "; ".join(filter(None, [missing, "analyzers not available: "
                                              + ", ".join(item.missing_analyzers)]))
        table.add_row(f"{item.id} {escape(item.name)}",
                      f"[{STATUS_STYLE.get(item.status, '')}]{item.status}[/]",
                      str(item.findings), ", ".join(item.present_components), escape(missing))
    return table


def fired_rules_table(document: ReportDocument, top: int) -> Table:
    table = Table(title="Top findings by rule")
    for column in ("level", "count", "rule", "ATT&CK", "hosts", "first seen"):
        table.add_column(column, overflow="fold")
    for rule in document.fired_rules[:top]:
        style = LEVEL_STYLE.get(rule.level, "")
        hosts = ", ".join(rule.hosts[:3]) + (f" +{len(rule.hosts) - 3}" if len(rule.hosts) > 3
                                             else "")
        table.add_row(f"[{style}]{rule.level}[/]", str(rule.count), safe(rule.title),
                      ", ".join(rule.techniques), safe(hosts), rule.first_seen)
    if len(document.fired_rules) > top:
        table.caption = f"{len(document.fired_rules) - top} more rules fired"
    return table


def top_findings_table(document: ReportDocument, top: int) -> Table:
    ranks = {"critical": 0, "high": 1, "medium": 2, "low": 3, "informational": 4}
    ordered = sorted(document.findings, key=lambda f: (ranks.get(f.level, 5), f.id))[:top]
    table = Table(title=f"Top {len(ordered)} of {len(document.findings)} findings")
    for column in ("id", "time", "host", "level", "rule", "why"):
        table.add_column(column, overflow="fold")
    for finding in ordered:
        why = "; ".join(f"{m.field}={m.value}" for m in finding.matched)
        table.add_row(finding.id, finding.time, safe(finding.host, 60), finding.level,
                      safe(finding.title, 80), safe(why, 160))
    return table


def usable_rules(health: RuleHealthReport) -> str:
    """"usable/all": rules and correlations that can run, of those plus the ones that cannot."""
    usable = health.compiled + health.correlations
    return f"{usable:,}/{usable + health.failed:,}"


def health_line(health: RuleHealthReport) -> str:
    return (f"Rule health: {health.files} files, {health.loaded} rules loaded, "
            f"{health.compiled} compiled, {health.correlations} correlations, "
            f"{health.failed} not usable, {len(health.warnings)} warnings")


def rule_health_table(health: RuleHealthReport, top: int = 10) -> Table | str:
    if not health.problems:
        return health_line(health)
    table = Table(title=health_line(health))
    table.add_column("stage")
    table.add_column("file", overflow="fold")
    table.add_column("reason", overflow="fold")
    for problem in health.problems[:top]:
        table.add_row(f"[red]{problem.stage}[/]", safe(problem.path), safe(problem.reason))
    if len(health.problems) > top:
        table.caption = f"{len(health.problems) - top} more; 'huntpack rules check' lists all"
    return table


#: Problems that concern a whole file that was not read at all (not a part lost inside one).
FILE_NOT_READ = frozenset({"input-empty", "input-unreadable"})
#: A file in no log format: read as a plain file (YARA, indicators), no events from its content.
PLAIN_FILE = "input-unrecognised"


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}" if number else ""


def input_problems_table(document: ReportDocument, top: int) -> Table:
    problems = document.inputs.problems
    unread = sum(1 for problem in problems if problem.reference in FILE_NOT_READ)
    plain = sum(1 for problem in problems if problem.reference == PLAIN_FILE)
    lost = len(problems) - unread - plain
    counts = [_count(plain, "plain file", "plain files"), _count(unread, "file", "files") +
              (" not read" if unread else ""), _count(lost, "unreadable part", "unreadable parts")]
    table = Table(title=f"Evidence not read as logs ({', '.join(filter(None, counts))})")
    table.add_column("where", overflow="fold")
    table.add_column("reason", overflow="fold")
    for problem in problems[:top]:
        table.add_row(safe(problem.location), safe(problem.reason))
    if len(problems) > top:
        table.caption = f"{len(problems) - top} more in the report document"
    return table
