"""Rule health on the terminal, for ``huntpack rules check`` (hunt reports: ``report.render``).

The table is the report's own (``render.terminal.rule_health_table``), fed with the same
``RuleHealthReport`` a hunt report carries, so both commands show rule health alike.
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from huntpack.model import RuleHealth
from huntpack.report.assemble import rule_health
from huntpack.report.render.terminal import rule_health_table


def render_health_report(health: RuleHealth, console: Console, verbose: bool) -> None:
    console.print(rule_health_table(rule_health(health), top=len(health.problems)))
    if verbose and health.warnings:
        table = Table(title="Warnings")
        table.add_column("file", overflow="fold")
        table.add_column("warning", overflow="fold")
        for warning in health.warnings:
            table.add_row(escape(warning.path), escape(warning.reason))
        console.print(table)
