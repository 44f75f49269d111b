"""The HTML report on hostile evidence, opened in real headless Chromium.

Every evidence field of a synthetic report carries the strings of
``tests/data/report/hostile_strings.yaml`` (plus broken UTF-8 and a 1 MB line). The page must
render (our own script ran: ``data-ready="1"``, the findings table filled), no script from the
evidence may run (it would set the title, ``data-pwned`` or add ``<div id="pwned">``), and no
request may reach the local canary server or appear in Chromium's net log. A control page without
the protections shows that the harness does see script runs and requests.
Screenshots go to ``tests/artifacts/report/``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from huntpack.model import MatchedField, SourceRef
from huntpack.report.document import ReportDocument
from huntpack.report.render import render
from huntpack.report.render.html import csp_hash

from .browser import Canary, chromium_path, dump_dom, page_requests, screenshot
from .helpers import ARTIFACTS, REFRESH, REPO, make_finding, synthetic_document

CORPUS = REPO / "tests" / "data" / "report" / "hostile_strings.yaml"
MARK = ("document.title='PWNED';document.body.setAttribute('data-pwned','1');"
        "document.body.appendChild(document.createElement('div')).id='pwned'")
URL_ATTRIBUTES = {"src", "href", "action", "formaction", "data", "srcset", "poster",
                  "background", "xlink:href", "ping", "manifest", "cite"}


def hostile_strings(canary: str) -> list[str]:
    cases = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    texts = [case["text"].replace("{canary}", canary).replace("{mark}", MARK) for case in cases]
    broken = b"\xff\xfe\xc3(\xed\xa0\x80 <script>" + MARK.encode() + b"</script>"
    texts.append(broken.decode("utf-8", "surrogateescape"))
    texts.append(("<img src=x onerror=\"" + MARK + "\">") * (1_048_576 // 150))
    return texts


def hostile_document(canary: str) -> ReportDocument:
    findings = []
    for index, text in enumerate(hostile_strings(canary), start=1):
        findings.append(make_finding(
            index, title=text, host=text, user=text, rule_id=text, description=text,
            source="url" if index % 2 else "sigma", origin=SourceRef(text, line=index),
            matched=(MatchedField(text, text), MatchedField("Url", text)),
            event={"CommandLine": text, text: text, "Url": text, "n": [text, 1]},
        ))
    return synthetic_document(findings)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.attributes: list[tuple[str, str, str]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None
        self.policy = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes.extend((tag, name, value or "") for name, value in attrs)
        if tag == "meta" and dict(attrs).get("http-equiv") == "Content-Security-Policy":
            self.policy = dict(attrs).get("content") or ""
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None


def _check_markup(html: str) -> None:
    """Static checks: no event handlers, no external or javascript: URLs, only our scripts."""
    page = _Collector()
    page.feed(html)
    for tag, name, value in page.attributes:
        assert not name.startswith("on"), f"event handler attribute {name} on <{tag}>"
        if name in URL_ATTRIBUTES:
            assert value.startswith(("#", "data:", "http://www.w3.org/")), f"{tag} {name}={value}"
    assert [attrs.get("type") for attrs, _ in page.scripts] == ["application/json", None]
    assert page.policy.startswith("default-src 'none';"), "strict CSP first in <head>"
    assert "connect-src 'none'" in page.policy and "unsafe" not in page.policy
    assert csp_hash(page.scripts[1][1]) in page.policy, "our script is allowed by its hash"


def test_hostile_evidence_runs_no_script_and_requests_nothing(tmp_path: Path) -> None:
    chromium_path()
    with Canary() as canary:
        document = hostile_document(canary.url)
        html = render(document, "html")
        _check_markup(html)
        page = tmp_path / "hostile.html"
        page.write_text(html, encoding="utf-8")
        net_log = tmp_path / "net.json"
        dom = dump_dom(page, tmp_path / "profile", net_log)
        screenshot(page, tmp_path / "profile", ARTIFACTS / "hostile.png")
    assert canary.hits == [], f"the report made requests: {canary.hits}"
    assert canary.url.removeprefix("http://") not in net_log.read_text(errors="replace")
    assert page_requests(net_log) == [], "the report started requests (any host)"
    assert re.search(r'<html[^>]*data-ready="1"', dom), "the report's own script did not run"
    body = re.search(r"<body[^>]*>", dom)
    assert body is not None and "data-pwned" not in body.group(0), "evidence script ran"
    assert '<div id="pwned">' not in dom and "<title>PWNED" not in dom
    assert "<title>huntpack report: FatalRAT campaign in APAC</title>" in dom
    total = len(document.findings)
    assert f">{total} of {total} findings<" in dom, "search/filter table rendered"
    assert len(re.findall(r'<a href="#f-F\d+">', dom)) >= total
    assert "&lt;script&gt;document.title=" in dom, "hostile text shown as text"
    assert "\u202e" not in dom and "&lt;U+202E&gt;" in dom, "bidi override shown, not applied"
    assert not re.search(r"<a [^>]*href=\"(?!#)", dom), "only in-page links are clickable"


def test_control_page_shows_the_harness_sees_attacks(tmp_path: Path) -> None:
    """Without escaping and CSP the same harness sees the script run and the request."""
    chromium_path()
    with Canary() as canary:
        page = tmp_path / "control.html"
        page.write_text(f"<html><body><script>{MARK}</script>"
                        f'<img src="{canary.url}/control.png">'
                        '<img src="http://unreachable.invalid/x.png"></body></html>',
                        encoding="utf-8")
        dom = dump_dom(page, tmp_path / "profile", tmp_path / "net.json")
    assert "<title>PWNED</title>" in dom and '<div id="pwned">' in dom
    assert canary.hits == ["/control.png"]
    assert canary.url.removeprefix("http://") in (tmp_path / "net.json").read_text(errors="replace")
    assert set(page_requests(tmp_path / "net.json")) == {f"{canary.url}/control.png",
                                                         "http://unreachable.invalid/x.png"}


@pytest.mark.parametrize("name", ["fatalrat-incident.html"])
def test_example_report_renders(name: str, tmp_path: Path) -> None:
    chromium_path()
    page = REPO / "tests" / "data" / "report" / "golden" / name
    dom = dump_dom(page, tmp_path / "profile")
    assert re.search(r'<html[^>]*data-ready="1"', dom)
    assert 'class="cell s-detected"' in dom and "<svg" in dom
    shot = screenshot(page, tmp_path / "profile", ARTIFACTS / "example.png")
    assert 10_000 < shot.stat().st_size < 500_000, "the README screenshot stays commit-sized"
    if REFRESH:  # the README's screenshot follows the golden example
        (REPO / "docs").mkdir(exist_ok=True)
        (REPO / "docs" / "report.png").write_bytes(shot.read_bytes())
