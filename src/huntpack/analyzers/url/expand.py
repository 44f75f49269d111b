"""Following short links to where they lead: only when the user allows the network (``--resolve``).

A shortened link hides its target; the only way to learn it is to ask the shortener. The
expander sends ``HEAD`` requests (``GET`` when a server refuses ``HEAD``), never reads a body,
never runs anything, follows at most ``MAX_HOPS`` redirects, and only over http and https. It
only ever asks shorteners: once a redirect leaves for a host that is not one, that URL is the
answer and is not requested (asking the attacker's own server would warn them, and may touch
its payload). Each link is asked once per worker (cached). Failures are part of the answer.
"""

from __future__ import annotations

import http.client
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

MAX_HOPS = 5
TIMEOUT_SECONDS = 5.0
USER_AGENT = "Mozilla/5.0 (compatible; huntpack link expander)"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class Expansion:
    """Where a link led: every hop (the link first), the last URL, and why it stopped early."""

    chain: tuple[str, ...]
    error: str | None = None

    @property
    def final(self) -> str:
        return self.chain[-1]

    @property
    def moved(self) -> bool:
        return len(self.chain) > 1


Fetch = Callable[[str, str], tuple[int, str | None]]  # (method, url) -> (status, Location)


class LinkExpander:
    """Expands links through their redirects, remembering every answer."""

    def __init__(self, is_shortener: Callable[[str], bool], fetch: Fetch | None = None,
                 max_hops: int = MAX_HOPS) -> None:
        self._is_shortener = is_shortener
        self._fetch = fetch or fetch_location
        self._max_hops = max_hops
        self._cache: dict[str, Expansion] = {}

    def expand(self, url: str) -> Expansion:
        known = self._cache.get(url)
        if known is None:
            known = self._cache[url] = self._follow(url)
        return known

    def _follow(self, url: str) -> Expansion:
        chain = [url]
        for _ in range(self._max_hops):
            if not self._is_shortener((urlsplit(chain[-1]).hostname or "").lower()):
                return Expansion(tuple(chain))  # left the shorteners: the target, not asked
            try:
                location = self._next_hop(chain[-1])
            except (OSError, http.client.HTTPException, ValueError) as error:
                return Expansion(tuple(chain), f"{type(error).__name__}: {error}"[:300])
            if location is None:
                return Expansion(tuple(chain))
            target = urljoin(chain[-1], location)
            if urlsplit(target).scheme.lower() not in ("http", "https"):
                return Expansion((*chain, target), "redirect to a non-web scheme: not followed")
            if target in chain:
                return Expansion((*chain, target), "redirect loop")
            chain.append(target)
        return Expansion(tuple(chain), f"more than {self._max_hops} redirects: stopped")

    def _next_hop(self, url: str) -> str | None:
        status, location = self._fetch("HEAD", url)
        if status in (405, 501):  # some shorteners refuse HEAD
            status, location = self._fetch("GET", url)
        return location if status in _REDIRECTS and location else None


def fetch_location(method: str, url: str) -> tuple[int, str | None]:
    """One request; the status and the ``Location`` header. The body is never read."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url[:200]}")
    connection_class = http.client.HTTPSConnection if scheme == "https" \
        else http.client.HTTPConnection
    connection = connection_class(parts.hostname, parts.port, timeout=TIMEOUT_SECONDS)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request(method, path, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
        response = connection.getresponse()
        return response.status, response.getheader("Location")
    except TimeoutError as error:
        raise OSError(f"no answer within {TIMEOUT_SECONDS:g} s") from error
    finally:
        connection.close()
