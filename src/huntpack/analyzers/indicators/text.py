"""Indicator values written inside free text (command lines, script blocks, service commands).

One Aho-Corasick automaton (``pyahocorasick``, as the rule prefilter uses) holds every literal,
so a text is scanned once whatever the number of indicators. A literal counts only where it
stands as a whole token: a domain may be preceded by a dot (a subdomain) but not by a letter, a
file name not be part of a longer name, an address not be part of a longer number. Strings and
mutex names count anywhere. Values that only have a meaning inside files (PDB paths, strings in
binaries) are the pack's YARA rules' job, not this scanner's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import ahocorasick

from huntpack.analyzers.indicators.normalise import url_key
from huntpack.intel.indicator import Indicator

_WORD = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")
_DIGITS = frozenset("0123456789")
_URL_END = frozenset(" \t\r\n\"'<>|^`?#")

Check = Callable[[str, int, int], bool]


def _before_not(chars: frozenset[str]) -> Callable[[str, int], bool]:
    return lambda text, start: start == 0 or text[start - 1] not in chars


def _name_end(text: str, end: int) -> bool:
    """The token ends here: no name character follows, nor a dot that goes on with one."""
    if end >= len(text):
        return True
    after = text[end]
    if after == ".":
        return end + 1 >= len(text) or text[end + 1] not in _WORD
    return after not in _WORD


def _number_end(text: str, end: int) -> bool:
    if end >= len(text):
        return True
    after = text[end]
    if after == ".":
        return end + 1 >= len(text) or text[end + 1] not in _DIGITS
    return after not in _DIGITS


_NAME_START = _before_not(_WORD | frozenset("."))
_HOST_START = _before_not(_WORD)
_NUMBER_START = _before_not(_WORD | frozenset("."))
_PATH_START = _before_not(_WORD | frozenset(".\\/"))
_URL_START = _before_not(_WORD | frozenset("."))

_CHECKS: dict[str, Check] = {
    "domain": lambda text, start, end: _HOST_START(text, start) and _name_end(text, end),
    "ipv4": lambda text, start, end: _NUMBER_START(text, start) and _number_end(text, end),
    "url": lambda text, start, end: _URL_START(text, start) and (
        end >= len(text) or text[end] in _URL_END),
    "file_name": lambda text, start, end: _NAME_START(text, start) and _name_end(text, end),
    "file_path": lambda text, start, end: _PATH_START(text, start) and _name_end(text, end),
    "service_name": lambda text, start, end: _HOST_START(text, start) and _name_end(text, end),
    "string": lambda text, start, end: True,
    "mutex": lambda text, start, end: True,
}

#: Indicator types the scanner looks for.
SCANNED = frozenset(_CHECKS)


class TextScanner:
    """Finds indicator literals in text; see the module docstring."""

    def __init__(self, indicators: Iterable[Indicator]) -> None:
        literals: dict[str, list[Indicator]] = {}
        for indicator in indicators:
            literal = _literal(indicator)
            if literal:
                literals.setdefault(literal, []).append(indicator)
        self.size = len(literals)
        self.automaton = ahocorasick.Automaton()
        for literal, found in literals.items():
            self.automaton.add_word(literal, (literal, tuple(found)))
        if self.size:
            self.automaton.make_automaton()

    def __bool__(self) -> bool:
        return self.size > 0

    def scan(self, text: str) -> Iterator[Indicator]:
        """Indicators whose literal stands as a whole token in ``text``."""
        lowered = text.lower()
        for last, (literal, found) in self.automaton.iter(lowered):
            start, end = last - len(literal) + 1, last + 1
            for indicator in found:
                if _CHECKS[indicator.type](lowered, start, end):
                    yield indicator


def _literal(indicator: Indicator) -> str | None:
    """The lower-case text an indicator is looked for as (None: not scanned)."""
    kind, value = indicator.type, indicator.value.strip()
    if kind not in _CHECKS:
        return None
    if kind == "url":
        parsed = url_key(value)
        return parsed.keys[0] if parsed is not None else None
    if kind == "file_path":
        text = value.lower().replace("/", "\\")
        return text if "%" not in text else None  # per-user forms: see normalise.path_key
    return value.lower() or None
