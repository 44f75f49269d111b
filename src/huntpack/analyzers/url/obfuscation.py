"""URL obfuscation: the tricks that make a link look like it goes somewhere else.

URLs are parsed as browsers parse them, with ``ada-url`` (the WHATWG URL Standard parser used by
Node.js): so ``http://0xCB.0x00.0x71.0x07/`` and ``http://3405803783/`` both go to 203.0.113.7,
exactly as a browser would go. The raw authority is kept beside the parsed one to explain how a
host was written (decimal, hex, octal) and what the user was shown (``www.paypal.com@...``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from urllib.parse import parse_qsl, unquote

from huntpack.analyzers.url.lookalike import registrable, to_unicode

_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")
_AUTHORITY = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[/\\]{2}([^/\\?#]*)")
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")
_UNRESERVED = re.compile(r"%(?:[46][1-9a-fA-F]|[57][0-9aA]|3[0-9]|2[dDeE]|5[fF]|7[eE])")
_WRAPPED = re.compile(r"^(?:https?:)?//[^/\s]+|^https?%3a%2f%2f", re.IGNORECASE)
_DANGEROUS_SCHEMES = {"data", "javascript", "vbscript"}

#: Unneeded percent-escapes (of letters, digits, ``-._~``) from which a URL counts as obfuscated.
UNNEEDED_ESCAPES = 4


@dataclass(frozen=True, slots=True)
class Sign:
    """One obfuscation trick found in a URL."""

    kind: str
    explanation: str
    host: str | None = None  # the real host, when the trick hides it


@dataclass(frozen=True, slots=True)
class ParsedUrl:
    """A URL as a browser reads it, and how its authority was written."""

    raw: str
    scheme: str
    href: str
    host: str
    raw_host: str
    userinfo: str
    query: str
    host_type: int  # ada: 0 domain, 1 IPv4, 2 IPv6


def parse_url(raw: str) -> ParsedUrl | None:
    """The WHATWG parse of ``raw``, or None when a browser would not load it as a URL."""
    import ada_url

    text = raw.strip()
    if text.lower().startswith("hxxp"):
        text = "http" + text[4:]
    elif text.lower().startswith("www."):
        text = "http://" + text
    try:
        url = ada_url.URL(text)
    except ValueError:
        return None
    authority = _AUTHORITY.match(text)
    written = authority.group(1) if authority else ""
    userinfo, _, hostport = written.rpartition("@")
    raw_host = re.sub(r":\d*$", "", hostport) if not hostport.startswith("[") else hostport
    return ParsedUrl(raw, url.protocol.rstrip(":").lower(), url.href, url.hostname,
                     raw_host, userinfo, url.search.lstrip("?"), int(url.host_type))


@functools.lru_cache(maxsize=1)
def shorteners() -> frozenset[str]:
    """The bundled list of link-shortening services (``data/shorteners.txt``)."""
    text = resources.files("huntpack.analyzers.url").joinpath("data/shorteners.txt")
    lines = text.read_text("utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip()[:1] not in ("", "#"))


def url_signs(raw: str, extra_shorteners: frozenset[str] = frozenset()) -> list[Sign]:
    """Every obfuscation sign of one URL (see the module docstring); [] for a plain link."""
    scheme = _SCHEME.match(raw)
    if scheme and scheme.group(1).lower() in _DANGEROUS_SCHEMES:
        name = scheme.group(1).lower()
        return [Sign(f"{name}-uri", f"{name}: URI runs or shows content inline: {raw[:80]}")]
    parsed = parse_url(raw)
    if parsed is None or parsed.scheme not in ("http", "https", "ftp"):
        return []
    signs = [*_userinfo(parsed), *_numeric_host(parsed), *_encoding(parsed),
             *_punycode(parsed), *_redirects(parsed)]
    domain = registrable(parsed.host) if parsed.host_type == 0 else None
    if parsed.host in shorteners() | extra_shorteners or domain in extra_shorteners:
        signs.append(Sign("shortener", f"{parsed.host} is a link shortener: the real target "
                          "is hidden until the link is followed", parsed.host))
    return signs


def _userinfo(parsed: ParsedUrl) -> list[Sign]:
    if not parsed.userinfo:
        return []
    return [Sign("userinfo", f"'{parsed.userinfo}@' before the host is only a user name; "
                 f"the link goes to {parsed.host}", parsed.host)]


def _numeric_host(parsed: ParsedUrl) -> list[Sign]:
    if parsed.host_type != 1 or parsed.raw_host.lower() == parsed.host:
        return []
    parts = parsed.raw_host.lower().rstrip(".").split(".")
    if any(part.startswith("0x") for part in parts):
        style = "hexadecimal"
    elif any(len(part) > 1 and part.startswith("0") for part in parts):
        style = "octal"
    else:
        style = "decimal" if len(parts) < 4 else "non-canonical"
    return [Sign("numeric-host", f"host '{parsed.raw_host}' is the IPv4 address {parsed.host} "
                 f"written in {style}", parsed.host)]


def _encoding(parsed: ParsedUrl) -> list[Sign]:
    host_escapes = _PERCENT.findall(parsed.raw_host)
    unneeded = _UNRESERVED.findall(parsed.raw)
    if not host_escapes and len(unneeded) < UNNEEDED_ESCAPES:
        return []
    shown = unquote(parsed.raw)[:120]
    where = "in the host" if host_escapes else f"{len(unneeded)} unneeded escapes"
    return [Sign("percent-encoding", f"percent-encoding {where} hides the text '{shown}'",
                 parsed.host)]


def _punycode(parsed: ParsedUrl) -> list[Sign]:
    if parsed.host_type != 0 or not any(
        label.startswith("xn--") for label in parsed.host.split(".")
    ):
        return []
    return [Sign("punycode", f"host {parsed.host} is the internationalised name "
                 f"'{to_unicode(parsed.host)}'", parsed.host)]


def _redirects(parsed: ParsedUrl) -> list[Sign]:
    signs: list[Sign] = []
    for name, value in parse_qsl(parsed.query, keep_blank_values=False)[:100]:
        target = unquote(value) if value.lower().startswith("http%3a") else value
        target = unquote(target) if "%2f" in target.lower() else target
        if not _WRAPPED.match(target):
            continue
        inner = parse_url(target if not target.startswith("//") else "http:" + target)
        if inner is not None and inner.host and inner.host != parsed.host:
            signs.append(Sign("redirect", f"parameter '{name}' of {parsed.host} sends the "
                              f"browser on to {inner.href[:120]}", inner.host))
    return signs


def wrapped_hosts(signs: list[Sign]) -> list[str]:
    """The hosts a URL's signs name as its real destination (for look-alike checks)."""
    return [sign.host for sign in signs if sign.host and sign.kind == "redirect"]
