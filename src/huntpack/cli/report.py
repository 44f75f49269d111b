"""``huntpack report render``: turn a saved report document into another view, without hunting."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.console import Console

from huntpack.cli.main import EXIT_CLEAN, EXIT_CODES_HELP
from huntpack.errors import UsageError
from huntpack.report.document import SCHEMA_VERSION, ReportDocument
from huntpack.report.render import RENDERERS, render
from huntpack.report.render.terminal import render_terminal

DESCRIPTION = f"""Render a report document written by 'huntpack hunt ... -o report.json'
(schema {SCHEMA_VERSION}) as: terminal (summary), jsonl or csv (findings with stable field
names), html (one self-contained offline file), navigator (ATT&CK Navigator layer), stix (STIX 2.1
bundle) or json (the document again). The output is byte-identical to what 'huntpack hunt
--format X' writes for the same hunt."""

MAX_DOCUMENT_BYTES = 2 * 1024**3


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("report", help="re-render a saved hunt report",
                                   description="Work with saved hunt report documents.")
    commands = parser.add_subparsers(dest="report_command", metavar="SUBCOMMAND", required=True)
    render_parser = commands.add_parser(
        "render", help="render a saved report document", description=DESCRIPTION,
        epilog=EXIT_CODES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    render_parser.add_argument("document", type=Path, help="report.json from 'huntpack hunt'")
    render_parser.add_argument("--format", choices=sorted(RENDERERS), default="terminal",
                               help="the view to write (default: terminal)")
    render_parser.add_argument("-o", "--output", type=Path, help="write to this file "
                               "(default: standard output)")
    render_parser.set_defaults(handler=run_render)


def load_document(path: Path) -> ReportDocument:
    try:
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            raise UsageError(f"{path}: larger than {MAX_DOCUMENT_BYTES:,} bytes")
        return ReportDocument.parse(path.read_bytes())
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror or error}") from error
    except ValidationError as error:
        first = error.errors()[0] if error.errors() else {"loc": (), "msg": str(error)}
        where = ".".join(str(part) for part in first["loc"])
        raise UsageError(f"{path}: not a huntpack report document ({where}: {first['msg']})",
                         hint="write one with 'huntpack hunt EVIDENCE -o report.json'") from error


def run_render(args: argparse.Namespace) -> int:
    document = load_document(args.document)
    if args.format == "terminal" and args.output is None:
        render_terminal(document, Console())
        return EXIT_CLEAN
    text = render(document, args.format)
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_CLEAN
