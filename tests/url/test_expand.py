"""``--resolve``: short links followed to their target over real HTTP, on loopback only.

A small HTTP server on 127.0.0.1 plays the shortener (redirect chains, a loop, a refusal of
HEAD, a redirect to ``javascript:``); the url analyzer is told that this host is a shortener.
Once a redirect leaves the shorteners its target is reported, never requested: the tests'
look-alike target on the internet is never contacted. Without ``resolve`` nothing is requested.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from huntpack.analyzers.url.analyzer import UrlAnalyzer
from huntpack.analyzers.url.expand import LinkExpander
from huntpack.cli.hunt import build_plan
from huntpack.cli.main import build_parser
from huntpack.hunt.plan import HuntPlan
from huntpack.model import Event, LogSource, SourceRef

ROUTES = {
    "/a": "/b",
    "/b": "https://xn--telgram-5nf.org/download",  # a homograph of telegram.org (Cyrillic e)
    "/loop1": "/loop2",
    "/loop2": "/loop1",
    "/js": "javascript:alert(1)",
}


class Shortener(BaseHTTPRequestHandler):
    requests: list[tuple[str, str]] = []

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self.requests.append(("HEAD", self.path))
        if self.path == "/no-head":
            self.send_response(405)
            self.end_headers()
            return
        self._answer()

    def do_GET(self) -> None:  # noqa: N802
        self.requests.append(("GET", self.path))
        if self.path == "/no-head":
            self.send_response(302)
            self.send_header("Location", "/a")
            self.end_headers()
            return
        self._answer()

    def _answer(self) -> None:
        target = ROUTES.get(self.path)
        self.send_response(301 if target else 200)
        if target:
            self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def shortener() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Shortener)
    Shortener.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _loopback(host: str) -> bool:
    return host == "127.0.0.1"


def _proxy_event(url: str) -> Event:
    return Event({"c-uri": url}, SourceRef("proxy.jsonl", line=1),
                 LogSource(product="proxy", category="proxy", kind="proxy"))


def test_chain_is_followed_and_the_target_judged(shortener: str) -> None:
    analyzer = UrlAnalyzer({"resolve": True, "shorteners": ["127.0.0.1"]})
    findings = analyzer.analyze(_proxy_event(f"{shortener}/a"))
    expanded = next(f for f in findings if f.rule_id.endswith("url.shortener-expanded"))
    hops = [m.value for m in expanded.matched if m.field == "redirect"]
    assert hops == [f"{shortener}/b", "https://xn--telgram-5nf.org/download"]
    lookalike = [f for f in findings if "lookalike" in f.rule_id]
    assert lookalike and any(m.field == "expanded link" for f in lookalike for m in f.matched)
    assert any("telegram" in m.value for f in lookalike for m in f.matched)


def test_no_request_without_resolve(shortener: str) -> None:
    analyzer = UrlAnalyzer({"shorteners": ["127.0.0.1"]})
    findings = analyzer.analyze(_proxy_event(f"{shortener}/a"))
    assert any(f.rule_id.endswith("url.shortener") for f in findings)
    assert not any("expanded" in f.rule_id for f in findings)
    assert Shortener.requests == []


def test_each_link_is_asked_once(shortener: str) -> None:
    expander = LinkExpander(_loopback)
    first = expander.expand(f"{shortener}/a")
    second = expander.expand(f"{shortener}/a")
    assert first is second and first.error is None
    assert Shortener.requests == [("HEAD", "/a"), ("HEAD", "/b")]


def test_loop_non_web_scheme_head_refused_and_dead_host(shortener: str) -> None:
    expander = LinkExpander(_loopback)
    assert expander.expand(f"{shortener}/loop1").error == "redirect loop"
    js = expander.expand(f"{shortener}/js")
    assert js.final == "javascript:alert(1)" and "non-web" in (js.error or "")
    no_head = expander.expand(f"{shortener}/no-head")
    assert no_head.chain[1] == f"{shortener}/a" and no_head.final.endswith("/download")
    assert ("GET", "/no-head") in Shortener.requests
    dead = expander.expand("http://127.0.0.1:9/")  # discard port: nothing listens
    assert dead.chain == ("http://127.0.0.1:9/",) and dead.error


def test_too_many_hops_stop(shortener: str) -> None:
    expansion = LinkExpander(_loopback, max_hops=1).expand(f"{shortener}/a")
    assert expansion.chain == (f"{shortener}/a", f"{shortener}/b")
    assert "more than 1 redirects" in (expansion.error or "")


def _plan(*argv: str) -> HuntPlan:
    return build_plan(build_parser().parse_args(["hunt", "x.jsonl", *argv]))


def test_cli_option_turns_it_on() -> None:
    assert _plan("--resolve").analyzer_settings["url"]["resolve"] is True
    assert "resolve" not in _plan().analyzer_settings.get("url", {})
