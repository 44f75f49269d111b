"""The literal prefilter: one multi-pattern scan per event selects the rules worth evaluating.

Every rule whose condition implies "one of these literals occurs in some value of the event"
registers those literals; a rule without such a set is always a candidate. The scan runs over the
event's lower-cased values joined by NUL, with Hyperscan when it is available (one pass, each
literal reported once) and Aho-Corasick (``pyahocorasick``) otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import ahocorasick

hyperscan: Any
try:  # Hyperscan has wheels for common platforms; Aho-Corasick is the portable fallback.
    import hyperscan
except ImportError:  # pragma: no cover - depends on the platform
    hyperscan = None


SEPARATOR = "\x00"


def event_text(fields: Mapping[str, Any], wanted: FieldSelection | None = None) -> str:
    """Values of an event, lower-cased, NUL-separated (what literals are searched in).

    ``wanted`` limits the text to the fields some candidate rule reads.
    """
    keys = wanted.keys_of(fields) if wanted is not None else fields.keys()
    parts: list[str] = []
    append = parts.append
    for key in keys:
        value = fields[key]
        kind = value.__class__
        if kind is str:
            append(value)
        elif value is None:
            continue
        elif kind is list:
            parts.extend(str(item) for item in value if item is not None)
        else:
            append(str(value))  # str(True).lower() == "true", as matchers see it
    return SEPARATOR.join(parts).lower()


class FieldSelection:
    """Which event fields some rule reads, remembered per event shape (its tuple of keys)."""

    __slots__ = ("_test", "_shapes")

    def __init__(self, test: Callable[[str], bool]):
        self._test = test
        self._shapes: dict[tuple[str, ...], tuple[str, ...]] = {}

    def keys_of(self, fields: Mapping[str, Any]) -> tuple[str, ...]:
        shape = tuple(fields)
        keys = self._shapes.get(shape)
        if keys is None:
            if len(self._shapes) > 4096:
                self._shapes.clear()
            keys = self._shapes[shape] = tuple(key for key in shape if self._test(key))
        return keys


class LiteralScanner:
    """Finds which of a fixed set of literals occur in a text."""

    def __init__(self, literals: Sequence[str], engine: str = "auto"):
        self.literals = list(literals)
        self.engine = "hyperscan" if engine == "auto" and hyperscan is not None else engine
        if self.engine == "auto":
            self.engine = "ahocorasick"
        self._database: Any = None
        self._automaton: Any = None
        if not self.literals:
            return
        if self.engine == "hyperscan":
            self._database = self._build_hyperscan(self.literals)
        else:
            self._automaton = self._build_automaton(self.literals)

    @staticmethod
    def _build_hyperscan(literals: Sequence[str]) -> Any:
        database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        database.compile(
            expressions=[literal.encode("utf-8") for literal in literals],
            ids=list(range(len(literals))),
            elements=len(literals),
            flags=hyperscan.HS_FLAG_SINGLEMATCH,
            literal=True,
        )
        return database

    @staticmethod
    def _build_automaton(literals: Sequence[str]) -> Any:
        automaton = ahocorasick.Automaton()
        for index, literal in enumerate(literals):
            automaton.add_word(literal, index)
        automaton.make_automaton()
        return automaton

    def scan(self, text: str) -> set[int]:
        """Indexes of the literals found in ``text``."""
        found: set[int] = set()
        if self._database is not None:
            add = found.add

            def on_match(ident: int, start: int, end: int, flags: int, context: Any) -> None:
                add(ident)

            self._database.scan(text.encode("utf-8", "surrogatepass"), match_event_handler=on_match)
        elif self._automaton is not None:
            found.update(index for _, index in self._automaton.iter(text))
        return found


def index_literals(rule_literals: Iterable[frozenset[str]]) -> tuple[list[str], list[list[int]]]:
    """Distinct literals, and for each literal the positions (in input order) of its rules."""
    position_of: dict[str, int] = {}
    owners: list[list[int]] = []
    for rule_position, literals in enumerate(rule_literals):
        for literal in sorted(literals):
            index = position_of.setdefault(literal, len(owners))
            if index == len(owners):
                owners.append([])
            owners[index].append(rule_position)
    return list(position_of), owners
