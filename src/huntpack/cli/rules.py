"""``huntpack rules check``: load and compile rules, and say which cannot run and why."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console

from huntpack.cli.main import EXIT_CLEAN, EXIT_USAGE
from huntpack.report.terminal import render_health_report
from huntpack.rules.catalog import compile_rules


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("rules", help="inspect Sigma rules")
    commands = parser.add_subparsers(dest="rules_command", metavar="SUBCOMMAND")
    check = commands.add_parser(
        "check", help="load and compile rules; list every rule that cannot run, with the reason",
        description="Exit 0 when every rule compiled, 2 when some did not.",
    )
    check.add_argument("paths", nargs="+", type=Path, help="rule files or folders")
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.add_argument("-v", "--verbose", action="store_true", help="also list warnings")
    check.set_defaults(handler=run_check)
    parser.set_defaults(handler=lambda args: (parser.print_help(), EXIT_USAGE)[1])


def run_check(args: argparse.Namespace) -> int:
    ruleset = compile_rules(args.paths)
    health = ruleset.health
    if args.json:
        print(orjson.dumps({
            "files": health.files, "loaded": health.loaded, "compiled": health.compiled,
            "correlations": health.correlations, "filters": health.filters,
            "problems": [_problem(p) for p in health.problems],
            "warnings": [_problem(p) for p in health.warnings],
        }, option=orjson.OPT_INDENT_2).decode())
    else:
        render_health_report(health, Console(), args.verbose)
    return EXIT_CLEAN if not health.problems else EXIT_USAGE


def _problem(problem: Any) -> dict[str, Any]:
    return {"path": problem.path, "stage": problem.stage, "rule_id": problem.rule_id,
            "title": problem.title, "reason": problem.reason, "reference": problem.reference}
