"""``huntpack hunt``: run a campaign's hunt (and any extra Sigma rules) over evidence."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from huntpack.cli.main import EXIT_CLEAN, EXIT_CODES_HELP, EXIT_FINDINGS, EXIT_USAGE
from huntpack.cli.packs import campaign_analyzer_settings, campaign_rule_paths
from huntpack.errors import UsageError
from huntpack.hunt.plan import HuntPlan
from huntpack.hunt.result import HuntResult
from huntpack.hunt.runner import Progress as HuntProgress
from huntpack.hunt.runner import run_hunt
from huntpack.model import Finding, Severity
from huntpack.report.findings_table import jsonl_line, render_csv
from huntpack.report.terminal import render_summary

DESCRIPTION = """Hunt EVIDENCE (files or folders: EVTX, JSON/JSONL, gzip, zip) with the campaign
pack's Sigma rules (FatalRAT by default) plus any --rules folders. Every rule is compiled once;
rules that cannot be compiled are listed with the reason at the end; unreadable parts of the
evidence are counted with their location."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "hunt", help="hunt evidence with a campaign's rules", description=DESCRIPTION,
        epilog=EXIT_CODES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("evidence", nargs="+", type=Path, help="evidence files or folders")
    parser.add_argument("--campaign", default="fatalrat",
                        help="campaign pack whose rules to run (default: fatalrat; 'none' for "
                             "--rules only)")
    parser.add_argument("--rules", action="append", type=Path, default=[], metavar="DIR",
                        help="extra Sigma rule file or folder (repeatable)")
    parser.add_argument("--min-level", default="informational",
                        choices=[level.label for level in Severity],
                        help="drop findings below this level (default: informational)")
    parser.add_argument("--since", type=_parse_time, help="only events at/after this ISO time")
    parser.add_argument("--until", type=_parse_time, help="only events at/before this ISO time")
    parser.add_argument("--format", choices=["table", "jsonl", "csv"], default="table",
                        help="output format (default: table on the terminal)")
    parser.add_argument("-o", "--output", type=Path, help="write the output to this file")
    parser.add_argument("--jobs", type=int, default=0, help="worker processes (default: CPUs)")
    parser.add_argument("--placeholder", action="append", default=[], metavar="NAME=V1,V2",
                        help="values for a Sigma %%placeholder%% used with |expand (repeatable)")
    parser.add_argument("--routing", type=Path, help="logsource routing table (huntpack or "
                                                      "THOR layout) instead of the built-in one")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(handler=run)


def _parse_time(text: str) -> float:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def parse_placeholders(items: list[str]) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for item in items:
        name, sep, rest = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--placeholder needs NAME=VALUE[,VALUE...], got {item!r}")
        values.setdefault(name.strip(), []).extend(v for v in rest.split(",") if v)
    return values


def build_plan(args: argparse.Namespace) -> HuntPlan:
    rule_paths = list(campaign_rule_paths(args.campaign)) + list(args.rules)
    if not rule_paths:
        raise UsageError("no rules to run: give --campaign or --rules DIR")
    return HuntPlan(
        evidence=tuple(args.evidence), rule_paths=tuple(rule_paths),
        placeholders=parse_placeholders(args.placeholder),
        min_level=Severity.parse(args.min_level), since=args.since, until=args.until,
        jobs=args.jobs, routing=args.routing, campaign=args.campaign,
        analyzer_settings=campaign_analyzer_settings(args.campaign),
    )


def run(args: argparse.Namespace) -> int:
    plan = build_plan(args)
    missing = [str(path) for path in plan.evidence if not path.exists()]
    if missing:
        raise UsageError(f"evidence not found: {', '.join(missing)}")
    console = Console(stderr=args.output is None and args.format != "table")
    result = _hunt_with_progress(plan, console, args)
    _write(result, args, console)
    return EXIT_FINDINGS if result.has_findings else EXIT_CLEAN


def _hunt_with_progress(plan: HuntPlan, console: Console, args: argparse.Namespace) -> HuntResult:
    show = not args.no_progress and sys.stderr.isatty()
    if not show:
        return run_hunt(plan)
    columns = (TextColumn("hunting"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
               TextColumn("{task.fields[events]:,} events"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("hunt", total=None, events=0)

        def update(progress: HuntProgress) -> None:
            bar.update(task, total=progress.files_total, completed=progress.files_done,
                       events=progress.events)

        return run_hunt(plan, on_progress=update)


def _write(result: HuntResult, args: argparse.Namespace, console: Console) -> None:
    if args.format == "table":
        target = Console(file=args.output.open("w", encoding="utf-8"), width=140) \
            if args.output else console
        render_summary(result, target)
        return
    text = _render_rows(result.findings, args.format)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def _render_rows(findings: list[Finding], fmt: str) -> str:
    if fmt == "csv":
        return render_csv(findings)
    return "".join(jsonl_line(finding) for finding in findings)


__all__ = ["register", "run", "EXIT_USAGE"]
