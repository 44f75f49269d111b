"""The HTML view: one self-contained, offline file that is safe to open on hostile evidence.

* jinja2 with autoescape renders every value; evidence also goes through ``reveal`` (bidi
  overrides and control characters shown as ``<U+XXXX>``) and links from evidence are text.
* The findings the search/filter script reads sit in a JSON data island
  (``<script type="application/json">``) with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped as
  ``\\uXXXX``; evidence is never interpolated into executable script.
* A strict Content-Security-Policy (``default-src 'none'``; the one inline script and style
  allowed by their sha256; images only ``data:``; no ``connect-src``) blocks anything else.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from functools import cache
from importlib import resources
from typing import Any

import orjson
from jinja2 import Environment, StrictUndefined, select_autoescape
from markupsafe import Markup

from huntpack.report.document import FindingItem, ReportDocument, TechniqueStatus
from huntpack.report.render.charts import countries_svg, timeline_svg
from huntpack.report.render.text import reveal, shorten, when

TACTICS = ("reconnaissance", "resource-development", "initial-access", "execution",
           "persistence", "privilege-escalation", "defense-evasion", "credential-access",
           "discovery", "lateral-movement", "collection", "command-and-control", "exfiltration",
           "impact")
STATUSES = ("detected", "assessed", "blind", "not covered")
MAX_EVIDENCE = 300
MAX_WHY = 2_000
_ISLAND_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                   0x2028: "\\u2028", 0x2029: "\\u2029"}


def _asset(name: str) -> str:
    return resources.files("huntpack.report.render").joinpath("assets", name).read_text("utf-8")


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() \
        + "'"


def content_security_policy(script: str, style: str) -> str:
    return ("default-src 'none'; script-src " + csp_hash(script) + "; style-src "
            + csp_hash(style) + "; img-src data:; font-src 'none'; connect-src 'none'; "
            "object-src 'none'; media-src 'none'; frame-src 'none'; worker-src 'none'; "
            "manifest-src 'none'; base-uri 'none'; form-action 'none'")


def json_island(data: Any) -> Markup:
    """JSON that cannot end its ``<script type="application/json">`` element early."""
    text = orjson.dumps(data).decode("utf-8").translate(_ISLAND_ESCAPES)
    return Markup(text)  # noqa: S704 - escaped above for the script data context


def _event_json(event: dict[str, Any]) -> str:
    return reveal(orjson.dumps(event, option=orjson.OPT_INDENT_2).decode("utf-8"))


@cache
def _environment() -> Environment:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, keep_trailing_newline=True)
    env.filters["ev"] = reveal
    env.filters["ev1"] = lambda text: reveal(str(text), single_line=True)
    env.filters["event_json"] = _event_json
    env.filters["when"] = when
    return env


def _island_row(finding: FindingItem) -> dict[str, Any]:
    why = "; ".join(f"{m.field}={m.value}" for m in finding.matched)

    def show(text: str, limit: int = 1_000) -> str:
        return shorten(reveal(text, single_line=True), limit)

    return {"id": finding.id, "time": finding.time, "host": show(finding.host),
            "user": show(finding.user), "level": finding.level, "title": show(finding.title),
            "techniques": list(finding.techniques), "source": show(finding.source),
            "origin": show(finding.origin), "why": show(why, MAX_WHY)}


def _matrix(techniques: tuple[TechniqueStatus, ...]) -> list[tuple[str, list[TechniqueStatus]]]:
    tactics = sorted({t for item in techniques for t in item.tactics},
                     key=lambda t: (TACTICS.index(t) if t in TACTICS else len(TACTICS), t))
    return [(tactic, [item for item in techniques if tactic in item.tactics])
            for tactic in tactics]


def render_html(document: ReportDocument) -> str:
    css, js = _asset("report.css"), _asset("report.js")
    counts: Counter[str] = Counter(item.status for item in document.techniques)
    template = _environment().from_string(_asset("report.html.j2"))
    return template.render(
        doc=document, csp=content_security_policy(js, css), css=Markup(css), js=Markup(js),
        statuses=STATUSES, status_counts=[(s, counts[s]) for s in STATUSES if counts[s]],
        matrix=_matrix(document.techniques),
        blind=[t for t in document.techniques if t.status in ("blind", "not covered")],
        timeline_svg=timeline_svg(document.findings),
        countries_svg=countries_svg(document.campaign),
        untimed=sum(1 for f in document.findings if f.timestamp is None),
        evidence=document.findings[:MAX_EVIDENCE],
        evidence_cut=len(document.findings) > MAX_EVIDENCE, max_links=40, max_problems=200,
        island=json_island([_island_row(f) for f in document.findings]),
    )
