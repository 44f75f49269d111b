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
from huntpack.cli.packs import campaign_analyzer_settings, campaign_pack, campaign_rule_paths
from huntpack.errors import UsageError
from huntpack.hunt.plan import HuntPlan
from huntpack.hunt.result import HuntResult
from huntpack.hunt.runner import Progress as HuntProgress
from huntpack.hunt.runner import run_hunt
from huntpack.intel.campaign import CampaignPack
from huntpack.model import Severity
from huntpack.report.document import ReportDocument
from huntpack.report.render import RENDERERS, render
from huntpack.report.render.terminal import render_terminal

DESCRIPTION = """Hunt EVIDENCE (files or folders, formats sniffed by content: EVTX, JSON/JSONL, CSV,
e-mail (.eml, mbox, .msg), pcap/pcapng, Zeek logs, executables, inside gzip/zip too; any other
file is read as a plain file for YARA and indicators) with the campaign pack's Sigma rules,
YARA rules, indicators and analyzers (FatalRAT by default) plus any --rules/--yara folders.
Every rule is compiled once; rules that cannot be compiled are listed with the reason at the
end; unreadable parts of the evidence are counted with their location. The answer per campaign
technique: detected, assessed (the data was there, nothing fired) or blind (no data that could
show it).

Output: a summary table on the terminal by default. With -o FILE the format follows the suffix
unless --format says otherwise: .json writes the report document (a versioned JSON file that
'huntpack report render' turns into any view later without hunting again), .html the HTML
report, .jsonl/.csv the findings as rows; any other suffix gets the summary table."""

SUFFIX_FORMATS = {".json": "json", ".html": "html", ".htm": "html", ".jsonl": "jsonl",
                  ".csv": "csv"}
FORMATS = ["table", *RENDERERS]


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
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="table (summary), json (the report document), jsonl/csv (findings),"
                             " html, navigator (ATT&CK layer), stix (STIX 2.1 bundle) or "
                             "terminal (summary as plain text). Default: from the -o suffix "
                             "(.json document, .html, .jsonl, .csv), else table")
    parser.add_argument("-o", "--output", type=Path, help="write the output to this file")
    parser.add_argument("--jobs", type=int, default=0, help="worker processes (default: CPUs)")
    parser.add_argument("--placeholder", action="append", default=[], metavar="NAME=V1,V2",
                        help="values for a Sigma %%placeholder%% used with |expand (repeatable)")
    parser.add_argument("--routing", type=Path, help="logsource routing table (huntpack or "
                                                      "THOR layout) instead of the built-in one")
    parser.add_argument("--yara", action="append", type=Path, default=[], metavar="DIR",
                        help="extra YARA rule folder for the file analyzers (repeatable), e.g. "
                             "packer signatures")
    parser.add_argument("--resolve", action="store_true",
                        help="follow links through URL shorteners to their target (uses the "
                             "network and tells the shortener someone looked; off by default: "
                             "nothing else in huntpack touches the network)")
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


def with_yara_folders(
    settings: dict[str, dict[str, Any]], folders: list[Path]
) -> dict[str, dict[str, Any]]:
    """Hand ``--yara`` folders to both file analyzers (PE packer signatures and YARA scan)."""
    if not folders:
        return settings
    for name in ("file.pe", "file.yara"):
        section = settings.setdefault(name, {})
        section["yara_folders"] = [*section.get("yara_folders", []), *map(str, folders)]
    return settings


def build_plan(args: argparse.Namespace) -> HuntPlan:
    rule_paths = list(campaign_rule_paths(args.campaign)) + list(args.rules)
    if not rule_paths:
        raise UsageError("no rules to run: give --campaign or --rules DIR")
    return HuntPlan(
        evidence=tuple(args.evidence), rule_paths=tuple(rule_paths),
        placeholders=parse_placeholders(args.placeholder),
        min_level=Severity.parse(args.min_level), since=args.since, until=args.until,
        jobs=args.jobs, routing=args.routing, campaign=args.campaign,
        analyzer_settings=with_resolve(
            with_yara_folders(campaign_analyzer_settings(args.campaign), args.yara),
            args.resolve),
    )


def with_resolve(settings: dict[str, dict[str, Any]], resolve: bool) -> dict[str, dict[str, Any]]:
    """``--resolve``: the url analyzer may follow short links over the network."""
    if resolve:
        settings.setdefault("url", {})["resolve"] = True
    return settings


def output_format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    if args.output is not None:
        return SUFFIX_FORMATS.get(args.output.suffix.lower(), "table")
    return "table"


def run(args: argparse.Namespace) -> int:
    plan = build_plan(args)
    missing = [str(path) for path in plan.evidence if not path.exists()]
    if missing:
        raise UsageError(f"evidence not found: {', '.join(missing)}")
    fmt = output_format(args)
    console = Console(stderr=args.output is None and fmt != "table")
    result = _hunt_with_progress(plan, console, args)
    document = ReportDocument.from_hunt(result, _pack(args.campaign),
                                        generated_at=datetime.now(UTC).isoformat())
    _write(document, fmt, args.output, console)
    return EXIT_FINDINGS if result.has_findings else EXIT_CLEAN


def _pack(campaign: str | None) -> CampaignPack | None:
    return campaign_pack(campaign)
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


def _write(document: ReportDocument, fmt: str, output: Path | None, console: Console) -> None:
    if fmt == "table":
        if output is None:
            render_terminal(document, console)
            return
        with output.open("w", encoding="utf-8") as handle:
            render_terminal(document, Console(file=handle, width=140))
        return
    text = render(document, fmt)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


__all__ = ["register", "run", "EXIT_USAGE"]
