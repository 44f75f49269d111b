"""Inline SVG charts for the HTML view: a timeline of findings across hosts and a bar chart of
the countries where the campaign was observed. Text in them is escaped here (``markupsafe``)."""

from __future__ import annotations

from markupsafe import Markup, escape

from huntpack.report.document import Campaign, FindingItem
from huntpack.report.render.text import reveal, shorten, when

MAX_HOSTS = 40
MAX_DOTS = 5_000
LEFT, WIDTH, ROW = 220, 1000, 22


def _label(text: str, limit: int = 34) -> str:
    return str(escape(shorten(reveal(text, single_line=True), limit)))


def timeline_svg(findings: tuple[FindingItem, ...]) -> Markup:
    timed = [f for f in findings if f.timestamp is not None][:MAX_DOTS]
    if not timed:
        return Markup('<p class="muted">No finding has a time.</p>')
    hosts = sorted({f.host or "(unknown host)" for f in timed})[:MAX_HOSTS]
    start = min(f.timestamp or 0.0 for f in timed)
    span = max(max(f.timestamp or 0.0 for f in timed) - start, 1.0)
    height = ROW * len(hosts) + 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
             f'width="100%" role="img" aria-label="findings over time per host">']
    for index, host in enumerate(hosts):
        y = 20 + index * ROW
        parts.append(f'<line class="row" x1="{LEFT}" y1="{y}" x2="{WIDTH - 10}" y2="{y}"/>'
                     f'<text x="4" y="{y + 4}">{_label(host)}</text>')
    rows = {host: index for index, host in enumerate(hosts)}
    for finding in timed:
        row = rows.get(finding.host or "(unknown host)")
        if row is None:
            continue
        x = LEFT + (WIDTH - LEFT - 20) * ((finding.timestamp or start) - start) / span
        parts.append(f'<circle class="dot-{escape(finding.level)}" cx="{x:.1f}" '
                     f'cy="{20 + row * ROW}" r="5"><title>{escape(finding.id)} {escape(when(finding.time))}'
                     f' {_label(finding.title, 120)}</title></circle>')
    axis = height - 12
    parts.append(f'<line class="axis" x1="{LEFT}" y1="{axis - 10}" x2="{WIDTH - 10}" '
                 f'y2="{axis - 10}"/><text x="{LEFT}" y="{axis + 4}">{escape(when(timed[0].time))} UTC</text>'
                 f'<text x="{WIDTH - 10}" y="{axis + 4}" text-anchor="end">'
                 f'{escape(when(max(f.time for f in timed)))} UTC</text></svg>')
    if len({f.host for f in timed}) > MAX_HOSTS:
        parts.append(f'<p class="muted">The first {MAX_HOSTS} hosts by name are shown.</p>')
    return Markup("".join(parts))


def countries_svg(campaign: Campaign) -> Markup:
    countries = campaign.countries[:30]
    if not countries:
        return Markup("")
    top = max(c.count for c in countries) or 1
    height = 24 * len(countries) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 700 {height}" width="700" '
             f'role="img" aria-label="observations per country">']
    for index, country in enumerate(countries):
        y = 5 + index * 24
        width = 520 * country.count / top
        parts.append(f'<text x="4" y="{y + 14}">{escape(country.code)}</text>'
                     f'<rect class="bar" x="40" y="{y}" width="{width:.1f}" height="18"/>'
                     f'<text x="{44 + width:.1f}" y="{y + 14}">{country.count:,}'
                     f' {escape(campaign.countries_unit)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
