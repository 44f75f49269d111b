"""Rule health on the terminal, for ``huntpack rules check`` (hunt reports: ``report.render``)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from huntpack.model import RuleHealth


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


def render_health_report(health: RuleHealth, console: Console, verbose: bool) -> None:
    console.print(rule_health_table(health, top=len(health.problems)))
    if verbose and health.warnings:
        table = Table(title="Warnings")
        table.add_column("file", overflow="fold")
        table.add_column("warning", overflow="fold")
        for warning in health.warnings:
            table.add_row(escape(warning.path), escape(warning.reason))
        console.print(table)
