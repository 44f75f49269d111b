"""``huntpack campaign``: list, show, export and import campaign packs."""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson
from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from huntpack.errors import UsageError
from huntpack.intel.attack import load_attack_catalog
from huntpack.intel.campaign import CampaignPack
from huntpack.intel.indicator import Indicator
from huntpack.intel.library import (
    dump_yaml,
    list_builtin_packs,
    load_builtin_pack,
    load_pack,
    pack_document,
    resolve_pack,
    write_pack,
)
from huntpack.intel.navigator import campaign_layer
from huntpack.intel.pack import ObservedCountries, Technique
from huntpack.intel.stix import export_stix, import_stix

FORMATS = ("stix", "navigator", "yaml")
ORIGIN_LABELS = {"seed": "campaign page", "facts": "public facts", "import": "imported"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("campaign", help="list, show, export and import campaign packs")
    commands = parser.add_subparsers(dest="campaign_command", metavar="ACTION")
    parser.set_defaults(handler=lambda args: _usage(parser))

    listing = commands.add_parser("list", help="list the built-in campaign packs")
    listing.set_defaults(handler=run_list)

    show = commands.add_parser("show", help="show a campaign: techniques, guidance, indicators")
    _add_pack_arguments(show)
    show.add_argument("--width", type=int, help="text width (default: terminal, at most 100)")
    show.set_defaults(handler=run_show)

    export = commands.add_parser("export", help="export a campaign as STIX, Navigator or YAML")
    _add_pack_arguments(export)
    export.add_argument("--format", choices=FORMATS, default="stix")
    export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    export.set_defaults(handler=run_export)

    imports = commands.add_parser(
        "import", help="turn a STIX 2.1 bundle with a campaign into a pack"
    )
    imports.add_argument("bundle", type=Path, help="STIX 2.1 bundle (JSON)")
    imports.add_argument("-o", "--output", type=Path, help="pack folder to write")
    imports.add_argument("--campaign", help="campaign name or STIX id when the bundle has several")
    imports.set_defaults(handler=run_import)


def run_list(args: argparse.Namespace) -> int:
    table = Table(box=box.SIMPLE_HEAD, title="Built-in campaign packs")
    for column in ("id", "name", "techniques", "indicators", "sigma rules", "countries"):
        table.add_column(
            column, justify="right" if column[0] in "tisc" and column != "id" else "left"
        )
    for name in list_builtin_packs():
        pack = load_builtin_pack(name)
        countries = pack.manifest.observed_countries
        table.add_row(
            pack.id,
            pack.name,
            str(len(pack.techniques)),
            str(len(pack.indicators)),
            str(len(pack.sigma_rules)),
            str(len(countries.countries)) if countries else "-",
        )
    _console(None).print(table)
    return 0


def run_show(args: argparse.Namespace) -> int:
    catalog = load_attack_catalog(args.attack_bundle)
    pack = resolve_pack(args.pack, catalog)
    console = _console(args.width)
    console.print(_header(pack))
    if pack.manifest.observed_countries:
        console.print(_countries(pack.manifest.observed_countries))
    console.print(Text.assemble(("Techniques", "bold underline"),
                                "  (* data component from public facts, not on the campaign page)"))  # fmt: skip
    for technique in pack.techniques:
        console.print(_technique(pack, technique))
    console.print(_indicators(pack.indicators))
    console.print(_references(pack))
    for warning in pack.warnings:
        console.print(Text(f"warning: {warning}", style="yellow"))
    console.print(Text(f"ATT&CK data: {catalog.source}, version {catalog.version}", style="dim"))
    return 0


def run_export(args: argparse.Namespace) -> int:
    pack = resolve_pack(args.pack)
    if args.format == "stix":
        text = _json(export_stix(pack))
    elif args.format == "navigator":
        text = _json(campaign_layer(pack))
    else:
        text = dump_yaml(pack_document(pack))
    _emit(text, args.output)
    return 0


def run_import(args: argparse.Namespace) -> int:
    pack = import_stix(args.bundle, campaign=args.campaign)
    if args.output is None:
        sys.stdout.write(dump_yaml(pack_document(pack)))
        print("huntpack: preview only; give -o DIR to write the pack folder", file=sys.stderr)
        return 0
    folder = write_pack(pack, args.output)
    load_pack(folder)  # what was written must load back
    print(
        f"wrote pack {pack.id!r} to {folder}: {len(pack.techniques)} techniques, "
        f"{len(pack.indicators)} indicators, {len(pack.sigma_texts)} Sigma and "
        f"{len(pack.yara_texts)} YARA rule files"
    )
    return 0



def _add_pack_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pack", help="built-in pack id (see 'campaign list') or a pack folder")
    parser.add_argument(
        "--attack-bundle",
        type=Path,
        help="official ATT&CK STIX bundle to use instead of the shipped data",
    )


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    raise UsageError("choose an action: list, show, export or import")


def _console(width: int | None) -> Console:
    chosen = width or min(shutil.get_terminal_size((100, 24)).columns, 100)
    return Console(file=sys.stdout, width=chosen, highlight=False, soft_wrap=False)


def _json(data: Any) -> str:
    return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n"


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output}", file=sys.stderr)


def _header(pack: CampaignPack) -> Panel:
    manifest = pack.manifest
    lines = [
        Text.assemble(("aliases: ", "bold"), ", ".join(manifest.aliases) or "-"),
        Text.assemble(("tags: ", "bold"), " | ".join(manifest.tags) or "-"),
        Text.assemble(
            ("region: ", "bold"),
            manifest.region or "-",
            ("   updated: ", "bold"),
            str(manifest.updated),
        ),
        Text(""),
        Text(manifest.summary),
    ]
    for caveat in manifest.caveats:
        lines.append(Text(f"! {caveat}", style="yellow"))
    title = f"[bold]{manifest.name}[/bold] ({manifest.id})"
    return Panel(Group(*lines), title=title, title_align="left", box=box.ROUNDED)


def _countries(observed: ObservedCountries) -> Panel:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("country")
    table.add_column("region")
    table.add_column(observed.unit, justify="right")
    table.add_column("")
    top = max(c.count for c in observed.countries) or 1
    for country in sorted(observed.countries, key=lambda c: -c.count):
        bar = "#" * max(1, round(30 * country.count / top))
        table.add_row(country.code, country.region or "-", str(country.count), bar)
    note = Text(f"{observed.counts_are} (source: {observed.source})", style="italic")
    return Panel(
        Group(table, note), title="Observed countries", title_align="left", box=box.ROUNDED
    )


def _technique(pack: CampaignPack, technique: Technique) -> Panel:
    parts: list[Any] = [
        Text.assemble(
            ("tactics: ", "bold"),
            ", ".join(technique.tactics),
            ("   from: ", "bold"),
            ORIGIN_LABELS[technique.origin],
        ),  # fmt: skip
    ]
    for label, text in (
        ("why", technique.rationale),
        ("hunt", technique.guidance),
        ("gaps", technique.gaps),
    ):
        if text:
            parts.append(Text.assemble((f"{label}: ", "bold"), text))
    if technique.data_sources:
        parts.append(_data_sources(technique))
    if technique.detection_strategy:
        parts.append(_strategy(technique))
    parts.extend(_analytics(technique))
    parts.append(_coverage_line(pack, technique))
    title = f"[bold cyan]{technique.id}[/bold cyan] {technique.name}"
    return Panel(Group(*parts), title=title, title_align="left", box=box.ROUNDED)


def _data_sources(technique: Technique) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, expand=True)
    table.add_column("source", no_wrap=True)
    table.add_column("component (v18)", no_wrap=True)
    table.add_column("what to look for", ratio=1)
    for source in technique.data_sources:
        for component in source.components:
            origin = " *" if component.origin == "facts" else ""
            table.add_row(
                f"{source.id}\n{source.name}",
                f"{component.name}{origin}\n{component.id}",
                component.guidance or "-",
            )
    return table


def _strategy(technique: Technique) -> Text:
    strategy = technique.detection_strategy
    assert strategy is not None
    analytics = "; ".join(
        f"{a.id} ({a.platform}: {', '.join(a.data_components)})" for a in strategy.analytics
    )
    return Text.assemble(("ATT&CK v18 detection: ", "bold"), f"{strategy.id}  {analytics}")


def _analytics(technique: Technique) -> list[Text]:
    lines: list[Text] = []
    for analytic in technique.analytics:
        rules = ", ".join(rule[:8] for rule in analytic.sigma_rules) or "no rule"
        origin = " (public facts)" if analytic.origin == "facts" else ""
        lines.append(
            Text.assemble(
                ("analytic ", "bold"),
                f"{analytic.id}{origin}: {analytic.description} ",
                (f"[{analytic.data_component}; Sigma {rules}]", "dim"),
            )  # fmt: skip
        )
    return lines


def _coverage_line(pack: CampaignPack, technique: Technique) -> Text:
    rules = pack.rules_for(technique.id)
    analyzers = ", ".join(technique.analyzers) or "none"
    style = "green" if rules else "red"
    return Text.assemble(
        ("covered by: ", "bold"),
        (f"{len(rules)} Sigma rule(s)", style),
        f"; analyzers: {analyzers}",
    )


def _indicators(indicators: Iterable[Indicator]) -> Panel:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, expand=True)
    for column in ("type", "value", "conf.", "evidence", "source"):
        table.add_column(column, overflow="fold", ratio=3 if column == "value" else None)
    for indicator in indicators:
        value = Text(_defang(indicator))
        if indicator.never_alone:
            value.append(" [never alone]", style="yellow")
        cells = (indicator.confidence, indicator.evidence, indicator.source)
        table.add_row(Text(indicator.type), value, *(Text(cell) for cell in cells))
    note = Text(
        "Values are defanged for display; [never alone] values must not alert by themselves.",
        style="italic",
    )
    return Panel(Group(table, note), title="Indicators", title_align="left", box=box.ROUNDED)


def _references(pack: CampaignPack) -> Panel:
    lines = [
        Text.assemble(
            (f"{r.id}: ", "bold"),
            f"{r.title} - {r.publisher or '?'}",
            (f" [{r.evidence}] {r.url or ''}", "dim"),
        )  # fmt: skip
        for r in pack.manifest.references
    ]
    return Panel(Group(*lines), title="References", title_align="left", box=box.ROUNDED)


def _defang(indicator: Indicator) -> str:
    value = indicator.value
    if indicator.type in ("domain", "ipv4"):
        return value.replace(".", "[.]")
    if indicator.type == "url":
        scheme, found, rest = value.partition("://")
        prefix = scheme.replace("http", "hxxp") + "://" if found else ""
        host, slash, path = (rest if found else value).partition("/")
        return prefix + host.replace(".", "[.]") + slash + path
    if indicator.type == "registry_key" and indicator.value_name:
        data = f" = {indicator.value_data}" if indicator.value_data is not None else ""
        return f"{value} -> {indicator.value_name}{data}"
    if indicator.type == "port" and indicator.protocol:
        return f"{value}/{indicator.protocol}"
    return value
