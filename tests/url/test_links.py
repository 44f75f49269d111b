"""Link obfuscation signs (data-driven: tests/data/url/link_cases.yaml) and link extraction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from huntpack.analyzers.url.links import Link, host_shown, html_links, text_links
from huntpack.analyzers.url.obfuscation import url_signs

CASES_FILE = Path(__file__).resolve().parents[1] / "data" / "url" / "link_cases.yaml"
CASES: list[dict[str, Any]] = yaml.safe_load(CASES_FILE.read_text("utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_link_case(case: dict[str, Any]) -> None:
    signs = url_signs(case["url"])
    assert {sign.kind for sign in signs} == set(case["signs"]), signs
    if "real_host" in case:
        assert case["real_host"] in {sign.host for sign in signs}
    if "explains" in case:
        assert any(case["explains"] in sign.explanation for sign in signs), signs


def test_every_sign_kind_has_a_positive_and_a_negative_case() -> None:
    kinds = {kind for case in CASES for kind in case["signs"]}
    assert kinds >= {"userinfo", "numeric-host", "percent-encoding", "punycode", "data-uri",
                     "javascript-uri", "redirect", "shortener"}
    assert sum(1 for case in CASES if not case["signs"]) >= 6


def test_text_links_strip_trailing_punctuation() -> None:
    text = "Open (https://bit.ly/abc), or www.example.com/x. Also hxxp://evil.example/a!"
    assert [link.href for link in text_links(text)] == [
        "https://bit.ly/abc", "www.example.com/x", "hxxp://evil.example/a"]


def test_html_links_keep_the_visible_text() -> None:
    html = ('<p><a href="http://198.51.100.7/x">https://www.bank.example.com/login</a>'
            '<img src="https://cdn.example.net/p.gif"><a href="https://a.example">here</a>'
            '<form action="https://collect.example/post"></form><a href="unclosed">tail')
    links = html_links(html)
    assert Link("http://198.51.100.7/x", "https://www.bank.example.com/login") in links
    assert Link("https://cdn.example.net/p.gif") in links
    assert Link("https://a.example", "here") in links
    assert Link("https://collect.example/post") in links
    assert Link("unclosed", "tail") in links


@pytest.mark.parametrize(("text", "host"), [
    ("https://www.bank.example.com/login", "www.bank.example.com"),
    ("www.etax.nat.gov.tw", "www.etax.nat.gov.tw"),
    ("click here", None),
    ("info@w-vwa.de", "w-vwa.de"),
    (None, None),
])
def test_host_shown(text: str | None, host: str | None) -> None:
    assert host_shown(text) == host


def test_html_parser_survives_garbage() -> None:
    garbage = "<a href='x'>" * 2000 + "<![CDATA[" + "\x00<<>>&#xffffffff;" * 100
    assert len(html_links(garbage)) <= 500
