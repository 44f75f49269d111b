"""Links in e-mail bodies: every URL in the text, every href in the HTML with its visible text.

The HTML is read with the standard library's tolerant ``HTMLParser`` (no scripts run, nothing
fetched). Both bodies are capped by the reader; at most ``MAX_LINKS`` links are taken per body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

#: Most links taken from one body.
MAX_LINKS = 500

_URL_IN_TEXT = re.compile(
    r"""(?:(?:https?|ftp|hxxps?)://|www\.|(?:data|javascript|vbscript):)[^\s<>"'`]{1,4000}""",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}>'\""
_HOST_IN_TEXT = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:[^\s/@]+@)?([^\s/:?#]+\.[^\s/:?#]+)",
                           re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Link:
    """One link: its target, and the text shown for it in HTML (None in plain text)."""

    href: str
    text: str | None = None


def text_links(text: str) -> list[Link]:
    """URLs written in plain text (trailing punctuation removed)."""
    found: list[Link] = []
    for match in _URL_IN_TEXT.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        found.append(Link(url))
        if len(found) >= MAX_LINKS:
            break
    return found


def html_links(html: str) -> list[Link]:
    """``href``/``src``/``action`` targets of an HTML body, with the anchor's visible text."""
    parser = _LinkParser()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # the tolerant parser still gives up on some input
        pass
    return parser.links[:MAX_LINKS]


def host_shown(text: str | None) -> str | None:
    """The host name a visible link text claims (``www.bank.com/login`` -> ``www.bank.com``)."""
    if not text:
        return None
    match = _HOST_IN_TEXT.match(text.strip())
    if match is None or " " in text.strip():
        return None
    return match.group(1).lower().rstrip(".")


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[Link] = []
        self._open: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if len(self.links) >= MAX_LINKS:
            return
        values = {name: value for name, value in attrs if value}
        if tag == "a" and "href" in values:
            self._close_anchor()
            self._open, self._text = values["href"].strip(), []
            return
        for name in ("src", "action", "formaction"):
            if name in values and tag in ("form", "iframe", "img", "button", "frame"):
                self.links.append(Link(values[name].strip()))

    def handle_data(self, data: str) -> None:
        if self._open is not None and sum(map(len, self._text)) < 2000:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._close_anchor()

    def close(self) -> None:
        super().close()
        self._close_anchor()

    def _close_anchor(self) -> None:
        if self._open is not None:
            text = " ".join("".join(self._text).split())
            self.links.append(Link(self._open, text or None))
        self._open = None
