"""The ``url`` analyzer: obfuscated links and look-alike domains (T1566.002).

Reads e-mail (links in text and HTML bodies), proxy, DNS and browser-history records (JSON, with
or without a declared ``logsource``) and Sysmon 22 DNS queries. Settings (pack or user):

- ``brands``: protected brand labels or domains (default: ``DEFAULT_BRANDS``);
- ``protected_domains``: more protected domains (the organisation's own);
- ``max_edit_distance``: typosquat threshold for long brand names (default 2);
- ``never_alone_hosts``: legitimate hosts abused by the campaign: never a finding by themselves;
- ``shorteners``: more link-shortener hosts beside the bundled list;
- ``resolve``: follow links through known shorteners to their target (``huntpack hunt
  --resolve``). Off by default: it is the only part of huntpack that uses the network, and it
  tells the shortener that someone looked. The target is then judged like any other link.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from huntpack.analyzers.base import AnalyzerBase
from huntpack.analyzers.evidence_finding import event_finding
from huntpack.analyzers.url.expand import Expansion, LinkExpander
from huntpack.analyzers.url.links import Link, host_shown, html_links, text_links
from huntpack.analyzers.url.lookalike import (
    DEFAULT_BRANDS,
    Protected,
    Verdict,
    judge_domain,
    protected_entries,
    registrable,
)
from huntpack.analyzers.url.obfuscation import (
    Sign,
    parse_url,
    shorteners,
    url_signs,
    wrapped_hosts,
)
from huntpack.model import Event, Finding, MatchedField, Severity

EXPANDED = "expanded link"  # where a link came from when it is a short link's target
URL_FIELDS = ("c-uri", "url", "url.full", "URL", "cs-uri", "request.url", "uri")
HOST_FIELDS = ("cs-host", "r-dns", "url.domain", "QueryName", "dns.question.name", "query",
               "destination.domain", "host")
_KNOWN = {"brands", "protected_domains", "max_edit_distance", "never_alone_hosts",
          "shorteners", "resolve"}
_LEVELS = {"userinfo": Severity.HIGH, "numeric-host": Severity.HIGH,
           "data-uri": Severity.HIGH, "javascript-uri": Severity.HIGH,
           "vbscript-uri": Severity.HIGH, "percent-encoding": Severity.MEDIUM,
           "redirect": Severity.MEDIUM, "punycode": Severity.LOW, "shortener": Severity.LOW,
           "homograph": Severity.HIGH, "whole-script": Severity.HIGH,
           "mixed-script": Severity.HIGH, "typosquat": Severity.MEDIUM}
_TITLES = {"userinfo": "link hides its host behind a user name (@)",
           "numeric-host": "link host is an IP address in disguise",
           "data-uri": "data: URI link", "javascript-uri": "javascript: URI link",
           "vbscript-uri": "vbscript: URI link",
           "percent-encoding": "link text hidden by percent-encoding",
           "redirect": "link wraps another URL in a redirect parameter",
           "punycode": "internationalised (punycode) host name",
           "shortener": "link through a URL shortener",
           "homograph": "domain spelled with look-alike characters of a protected domain",
           "whole-script": "domain in a foreign alphabet that poses as Latin",
           "mixed-script": "domain label mixes alphabets",
           "typosquat": "domain misspells a protected brand"}


class UrlAnalyzer(AnalyzerBase):
    """See the module docstring."""

    name = "url"
    kinds = frozenset({"email", "json", "windows", "proxy", "dns", "browser"})

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__(settings)
        unknown = set(self.settings) - _KNOWN
        if unknown:
            raise ValueError(f"unknown url settings: {', '.join(sorted(unknown))}")
        self.shorteners = frozenset(h.lower() for h in self.settings.get("shorteners", ()))
        self.expander = LinkExpander(self._is_shortener) if self.settings.get("resolve") else None
        brands = [*self.settings.get("brands", DEFAULT_BRANDS),
                  *self.settings.get("protected_domains", ())]
        self.protected: tuple[Protected, ...] = protected_entries(brands)
        self.max_distance = int(self.settings.get("max_edit_distance", 2))
        self.quiet = frozenset(h.lower() for h in self.settings.get("never_alone_hosts", ()))

    def _is_shortener(self, host: str) -> bool:
        return host in self.shorteners or host in shorteners()

    def analyze(self, event: Event) -> list[Finding]:
        findings: dict[tuple[str, str], Finding] = {}
        for rule, key, finding in self._checks(event):
            findings.setdefault((rule, key), finding)
        return list(findings.values())

    def _checks(self, event: Event) -> Iterator[tuple[str, str, Finding]]:
        if event.logsource.kind == "email":
            for link in _email_links(event):
                yield from self._link(event, link, "email link")
            return
        if event.logsource.kind == "windows" and event.get("EventID") != 22:
            return
        for name in URL_FIELDS:
            value = event.get(name)
            if isinstance(value, str) and value:
                yield from self._link(event, Link(value), name)
        for name in HOST_FIELDS:
            value = event.get(name)
            if isinstance(value, str) and value and "." in value:
                yield from self._host(event, value.strip().lower().rstrip("."), name)

    def _link(self, event: Event, link: Link, where: str) -> Iterator[tuple[str, str, Finding]]:
        signs = url_signs(link.href, self.shorteners)
        parsed = parse_url(link.href)
        host = parsed.host if parsed is not None else ""
        if host in self.quiet:
            return
        for sign in signs:
            if sign.kind != "punycode" or where == "email link":  # web logs: judged by name
                yield self._sign_finding(event, sign, link.href, where)
        shown = host_shown(link.text)
        web = parsed is not None and parsed.scheme in ("http", "https") and bool(host)
        if web and shown and _differs(shown, host):
            yield self._mismatch(event, link, shown, host)
        for name in {host, *wrapped_hosts(signs)} - {""}:
            yield from self._host(event, name, where)
        if self.expander is not None and where != EXPANDED \
                and any(sign.kind == "shortener" for sign in signs):
            yield from self._expanded(event, link.href, self.expander.expand(link.href))

    def _expanded(self, event: Event, url: str, expansion: Expansion
                  ) -> Iterator[tuple[str, str, Finding]]:
        """What a short link led to, then that target judged as a link of its own."""
        matched = [MatchedField("short link", url[:500])]
        matched += [MatchedField("redirect", hop[:500]) for hop in expansion.chain[1:]]
        if expansion.error:
            matched.append(MatchedField("stopped", expansion.error))
        explanation = (f"the short link leads to {expansion.final[:300]}" if expansion.moved
                       else "the shortener gave no redirect")
        if expansion.error:
            explanation += f" ({expansion.error})"
        yield "url.shortener-expanded", url, event_finding(
            event, self.name, "url.shortener-expanded", "short link expanded", Severity.LOW,
            matched, explanation)
        if expansion.moved:
            yield from self._link(event, Link(expansion.final), EXPANDED)

    def _host(self, event: Event, host: str, where: str) -> Iterator[tuple[str, str, Finding]]:
        if host in self.quiet:
            return
        for verdict in judge_domain(host, self.protected, self.max_distance):
            yield self._verdict_finding(event, verdict, host, where)

    def _sign_finding(self, event: Event, sign: Sign, url: str, where: str
                      ) -> tuple[str, str, Finding]:
        matched = [MatchedField(where, url[:500]), MatchedField("obfuscation", sign.explanation)]
        if sign.host:
            matched.append(MatchedField("real_host", sign.host))
        rule = f"url.{sign.kind}"
        return rule, url, event_finding(event, self.name, rule, _TITLES[sign.kind],
                                        _LEVELS[sign.kind], matched, sign.explanation)

    def _mismatch(self, event: Event, link: Link, shown: str, host: str
                  ) -> tuple[str, str, Finding]:
        explanation = f"the link shows '{shown}' but goes to {host}"
        matched = [MatchedField("link.text", (link.text or "")[:500]),
                   MatchedField("link.href", link.href[:500]),
                   MatchedField("mismatch", explanation)]
        finding = event_finding(event, self.name, "url.text-href-mismatch",
                                "link text names another site than the link's target",
                                Severity.HIGH, matched, explanation)
        return "url.text-href-mismatch", link.href, finding

    def _verdict_finding(self, event: Event, verdict: Verdict, host: str, where: str
                         ) -> tuple[str, str, Finding]:
        matched = [MatchedField(where, host), MatchedField("lookalike", verdict.explanation)]
        if verdict.imitates:
            matched.append(MatchedField("imitates", verdict.imitates))
        rule = f"url.lookalike.{verdict.kind}"
        return rule, verdict.domain, event_finding(
            event, self.name, rule, _TITLES[verdict.kind], _LEVELS[verdict.kind], matched,
            verdict.explanation)


def _email_links(event: Event) -> list[Link]:
    text, html = event.get("email.body.text"), event.get("email.body.html")
    links = text_links(text) if isinstance(text, str) else []
    return links + (html_links(html) if isinstance(html, str) else [])


def _differs(shown: str, host: str) -> bool:
    """Whether a link's visible host names another site than its target."""
    if shown == host:
        return False
    shown_site = registrable(shown) if not shown.replace(".", "").isdigit() else shown
    if shown_site is None:
        return False
    return shown_site != (registrable(host) or host)
