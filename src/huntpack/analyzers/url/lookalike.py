"""Look-alike domains: homographs and typosquats of protected brands and domains.

A protected entry is a brand label (``telegram``: any registrable domain whose label is exactly
``telegram`` is the brand's own) or a domain (``paypal.com``: that registrable domain is the
brand's own, the same label under another suffix is a TLD swap). The registrable domain comes
from the public suffix list (``publicsuffixlist``, its bundled offline copy).

Verdicts, each with its explanation: ``mixed-script`` (a label mixing alphabets), ``whole-script``
(a label in one foreign alphabet whose letters all pose as Latin ones), ``homograph`` (the
label's confusable skeleton equals a protected one) and ``typosquat``. A typosquat is one verdict
kind whose explanation says which form it takes: an edit distance (transpositions count once)
within a threshold that grows with the brand's length, hyphens added to the brand, the brand as
one hyphen-separated part among added words, or the brand's label under another suffix (a TLD
swap).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from huntpack.analyzers.url.confusables import (
    ascii_lookalikes,
    is_mixed_script,
    is_whole_script_confusable,
    scripts_of,
    skeleton,
)

#: Brands the FatalRAT fake download sites imitated (used when settings give none).
DEFAULT_BRANDS = ("telegram", "whatsapp", "youdao", "electrum", "signal", "skype", "wps",
                  "sogou", "line", "chrome", "firefox")


@dataclass(frozen=True, slots=True)
class Protected:
    """One protected brand: its label, and its own registrable domain when known."""

    label: str
    domain: str | None = None

    @property
    def shown(self) -> str:
        return self.domain or self.label


@dataclass(frozen=True, slots=True)
class Verdict:
    """Why a domain looks like another: the kind, the imitated entry, the explanation."""

    kind: str
    domain: str
    imitates: str | None
    explanation: str


@functools.lru_cache(maxsize=1)
def _suffixes() -> object:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def registrable(host: str) -> str | None:
    """``www.paypal.co.uk`` -> ``paypal.co.uk`` (None for a bare suffix or an IP address)."""
    suffixes = _suffixes()
    found = suffixes.privatesuffix(host.lower().rstrip("."))  # type: ignore[attr-defined]
    return str(found) if found else None


#: Longest DNS label and name (RFC 1035): longer ones are not decoded or judged (the punycode
#: decoder is quadratic: a 1 MB ``xn--aaa...`` label in a DNS log took 20 s).
MAX_LABEL_CHARS = 63
MAX_HOST_CHARS = 253


def to_unicode(host: str) -> str:
    """A host name with its punycode labels decoded (left as it is when they do not decode or
    are longer than a DNS label can be)."""
    labels = []
    for label in host.lower().rstrip(".").split("."):
        if label.startswith("xn--") and len(label) <= MAX_LABEL_CHARS:
            with contextlib.suppress(UnicodeError, ValueError):
                label = label[4:].encode("ascii").decode("punycode")
        labels.append(label)
    return ".".join(labels)


def protected_entries(brands: Iterable[str]) -> tuple[Protected, ...]:
    """Protected entries from brand labels and domains (``telegram``, ``paypal.com``)."""
    entries: list[Protected] = []
    for brand in brands:
        text = to_unicode(str(brand).strip())
        if not text:
            continue
        domain = registrable(text) if "." in text else None
        entries.append(Protected(domain.split(".")[0] if domain else text, domain))
    return tuple(entries)


def judge_domain(host: str, protected: tuple[Protected, ...], max_distance: int = 2
                 ) -> list[Verdict]:
    """Every look-alike verdict for ``host`` (punycode or Unicode); [] for a clean name, and for
    a host longer than a DNS name can be."""
    if len(host) > MAX_HOST_CHARS:
        return []
    return list(_judge(to_unicode(host), protected, max_distance))


@functools.lru_cache(maxsize=65536)
def _judge(host: str, protected: tuple[Protected, ...], max_distance: int) -> tuple[Verdict, ...]:
    domain = registrable(host)
    if domain is None:
        return ()
    label = domain.split(".")[0]
    if any(entry.domain == domain for entry in protected):
        return ()
    verdicts = list(_script_verdicts(domain, label, protected))
    if not verdicts or verdicts[-1].imitates is None:
        verdicts.extend(_typo_verdicts(domain, label, protected, max_distance))
    return tuple(verdicts)


def _script_verdicts(domain: str, label: str, protected: tuple[Protected, ...]
                     ) -> list[Verdict]:
    if label.isascii():
        return []
    found: list[Verdict] = []
    chars = "; ".join(str(item) for item in ascii_lookalikes(label)) or "no Latin look-alikes"
    if is_mixed_script(label):
        scripts = " + ".join(sorted(scripts_of(label)))
        found.append(Verdict("mixed-script", domain, None,
                             f"label '{label}' mixes {scripts}: {chars}"))
    elif is_whole_script_confusable(label):
        found.append(Verdict("whole-script", domain, None,
                             f"label '{label}' is all {' '.join(scripts_of(label))} letters "
                             f"that pose as Latin '{skeleton(label)}': {chars}"))
    for entry in protected:
        if label != entry.label and skeleton(label) == skeleton(entry.label):
            found.append(Verdict("homograph", domain, entry.shown,
                                 f"'{domain}' looks like {entry.shown}: {chars}"))
            break
    return found


def _typo_verdicts(domain: str, label: str, protected: tuple[Protected, ...],
                   max_distance: int) -> list[Verdict]:
    for entry in protected:
        reason = typo_reason(label, entry.label, max_distance)
        if reason is None and label == entry.label and entry.domain:
            reason = f"TLD swap: '{domain}' instead of {entry.domain}"
        if reason is not None:
            return [Verdict("typosquat", domain, entry.shown,
                            f"'{domain}' imitates {entry.shown}: {reason}")]
    return []


def typo_reason(label: str, brand: str, max_distance: int = 2) -> str | None:
    """How ``label`` misspells ``brand`` (None when it does not, or is ``brand``)."""
    if label == brand or not brand:
        return None
    if label.replace("-", "") == brand:
        return f"hyphens added to '{brand}'"
    if len(brand) >= 5 and brand in label.split("-"):
        return f"'{brand}' with added words ('{label}')"
    allowed = 0 if len(brand) < 5 else 1 if len(brand) < 8 else max_distance
    distance = edit_distance(label, brand, allowed)
    if 0 < distance <= allowed:
        return f"{distance} edit(s) from '{brand}' ('{label}')"
    return None


def edit_distance(first: str, second: str, limit: int) -> int:
    """Optimal string alignment distance (a transposition counts once); ``limit + 1`` when
    the distance is larger than ``limit`` (computed without the full table then)."""
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        current = [i] + [0] * len(second)
        for j, b in enumerate(second, 1):
            cost = 0 if a == b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
        if min(previous) > limit:
            return limit + 1
    return previous[-1]
