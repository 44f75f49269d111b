"""Value matchers: one Sigma value (after pySigma applied its modifiers) -> a test on field values.

A matcher receives a ``FieldValues``: the field's raw values, their string forms and lower-cased
string forms, computed lazily once per event. Every matcher answers for "any of the field's
values" (Sigma semantics for list-valued fields). String matching is case-insensitive unless the
rule said ``|cased``; regular expressions are case-sensitive unless they carry the ``i`` flag.
"""

from __future__ import annotations

import ipaddress
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from huntpack.rules.regex_engine import SafeRegex, required_literal


class FieldValues:
    """The values of one field of one event, in the forms matchers need (computed lazily)."""

    __slots__ = ("raw", "_text", "_lower")

    def __init__(self, raw: Sequence[Any]):
        self.raw = raw
        self._text: list[str] | None = None
        self._lower: list[str] | None = None

    @property
    def text(self) -> list[str]:
        if self._text is None:
            self._text = [_as_text(value) for value in self.raw]
        return self._text

    @property
    def lower(self) -> list[str]:
        if self._lower is None:
            self._lower = [value.lower() for value in self.text]
        return self._lower

    def forms(self, cased: bool) -> list[str]:
        return self.text if cased else self.lower


class ValueMatcher(Protocol):
    """A test on one field's values."""

    def test(self, values: FieldValues) -> bool: ...

    def literals(self) -> frozenset[str] | None:
        """Lower-cased literals of which one must occur in the event text, or None if unknown."""
        ...


@dataclass(frozen=True, slots=True)
class Equals:
    text: str
    cased: bool = False

    def test(self, values: FieldValues) -> bool:
        return self.text in values.forms(self.cased)

    def literals(self) -> frozenset[str] | None:
        return _literal_set(self.text)


@dataclass(frozen=True, slots=True)
class Contains:
    text: str
    cased: bool = False

    def test(self, values: FieldValues) -> bool:
        needle = self.text
        return any(needle in value for value in values.forms(self.cased))

    def literals(self) -> frozenset[str] | None:
        return _literal_set(self.text)


@dataclass(frozen=True, slots=True)
class StartsWith:
    text: str
    cased: bool = False

    def test(self, values: FieldValues) -> bool:
        needle = self.text
        return any(value.startswith(needle) for value in values.forms(self.cased))

    def literals(self) -> frozenset[str] | None:
        return _literal_set(self.text)


@dataclass(frozen=True, slots=True)
class EndsWith:
    text: str
    cased: bool = False

    def test(self, values: FieldValues) -> bool:
        needle = self.text
        return any(value.endswith(needle) for value in values.forms(self.cased))

    def literals(self) -> frozenset[str] | None:
        return _literal_set(self.text)


@dataclass(frozen=True, slots=True)
class Glob:
    """A wildcard pattern (``*`` and ``?``) that is not a plain prefix/suffix/substring test."""

    pattern: re.Pattern[str]
    longest_literal: str
    cased: bool = False

    def test(self, values: FieldValues) -> bool:
        full = self.pattern.fullmatch
        return any(full(value) is not None for value in values.forms(self.cased))

    def literals(self) -> frozenset[str] | None:
        return _literal_set(self.longest_literal)


@dataclass(frozen=True, slots=True)
class Never:
    """Matches nothing: e.g. an ``|expand`` placeholder the user left empty."""

    cased: bool = False

    def test(self, values: FieldValues) -> bool:
        return False

    def literals(self) -> frozenset[str] | None:
        return frozenset()


@dataclass(frozen=True, slots=True)
class NumberEquals:
    number: int | float
    cased: bool = True

    def test(self, values: FieldValues) -> bool:
        return any(_as_number(value) == self.number for value in values.raw)

    def literals(self) -> frozenset[str] | None:
        return None


@dataclass(frozen=True, slots=True)
class BoolEquals:
    value: bool
    cased: bool = True

    def test(self, values: FieldValues) -> bool:
        wanted = "true" if self.value else "false"
        for value in values.raw:
            if isinstance(value, bool):
                if value is self.value:
                    return True
            elif isinstance(value, str) and value.lower() == wanted:
                return True
        return False

    def literals(self) -> frozenset[str] | None:
        return None


@dataclass(frozen=True, slots=True)
class RegexMatch:
    regex: SafeRegex
    cased: bool = True

    def test(self, values: FieldValues) -> bool:
        search = self.regex.search
        return any(search(value) for value in values.forms(self.cased))

    def literals(self) -> frozenset[str] | None:
        if "(?x" in self.regex.pattern:
            return None
        literal = required_literal(self.regex.pattern)
        return None if literal is None else frozenset((literal,))


@dataclass(frozen=True, slots=True)
class CidrMatch:
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    cased: bool = True

    def test(self, values: FieldValues) -> bool:
        for value in values.text:
            try:
                address = ipaddress.ip_address(value.strip())
            except ValueError:
                continue
            if any(address in network for network in self.networks):
                return True
        return False

    def literals(self) -> frozenset[str] | None:
        return None


_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
    "neq": operator.ne,
}


@dataclass(frozen=True, slots=True)
class Compare:
    operator: str
    number: int | float
    cased: bool = True

    def test(self, values: FieldValues) -> bool:
        compare = _COMPARE[self.operator]
        for value in values.raw:
            number = _as_number(value)
            if number is not None and compare(number, self.number):
                return True
        return False

    def literals(self) -> frozenset[str] | None:
        return None


_TIME_PARTS: dict[str, Callable[[datetime], int]] = {
    "MINUTE": lambda moment: moment.minute,
    "HOUR": lambda moment: moment.hour,
    "DAY": lambda moment: moment.day,
    "WEEK": lambda moment: moment.isocalendar()[1],
    "MONTH": lambda moment: moment.month,
    "YEAR": lambda moment: moment.year,
}


@dataclass(frozen=True, slots=True)
class TimestampPart:
    """``|minute``, ``|hour`` ... : a part of the field's timestamp equals a number."""

    part: str
    number: int
    cased: bool = True

    def test(self, values: FieldValues) -> bool:
        extract = _TIME_PARTS[self.part]
        for value in values.raw:
            moment = _as_datetime(value)
            if moment is not None and extract(moment) == self.number:
                return True
        return False

    def literals(self) -> frozenset[str] | None:
        return None


@dataclass(frozen=True, slots=True)
class AnyOf:
    """OR over alternatives (expansions such as ``|windash`` or ``|base64offset``)."""

    options: tuple[ValueMatcher, ...]
    cased: bool = False

    def test(self, values: FieldValues) -> bool:
        return any(option.test(values) for option in self.options)

    def literals(self) -> frozenset[str] | None:
        return union_of_literals(option.literals() for option in self.options)


def union_of_literals(parts: Any) -> frozenset[str] | None:
    """OR of literal sets: None (unknown) if any part is unknown."""
    result: set[str] = set()
    for part in parts:
        if part is None:
            return None
        result |= part
    return frozenset(result)


def _literal_set(text: str) -> frozenset[str] | None:
    return frozenset((text.lower(),)) if text else None


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _as_number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text, 0) if text[:2].lower() == "0x" else int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                return None
    return None


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.utcfromtimestamp(value)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip().replace(" ", "T"))
        except ValueError:
            return None
    return None


@dataclass(frozen=True, slots=True)
class EqualsAny:
    """OR of several equality tests on one field (a set look-up)."""

    texts: frozenset[str]
    cased: bool = False

    def test(self, values: FieldValues) -> bool:
        texts = self.texts
        return any(value in texts for value in values.forms(self.cased))

    def literals(self) -> frozenset[str] | None:
        return union_of_literals(_literal_set(text) for text in self.texts)


@dataclass(frozen=True, slots=True)
class StartsWithAny:
    texts: tuple[str, ...]
    cased: bool = False

    def test(self, values: FieldValues) -> bool:
        texts = self.texts
        return any(value.startswith(texts) for value in values.forms(self.cased))

    def literals(self) -> frozenset[str] | None:
        return union_of_literals(_literal_set(text) for text in self.texts)


@dataclass(frozen=True, slots=True)
class EndsWithAny:
    texts: tuple[str, ...]
    cased: bool = False

    def test(self, values: FieldValues) -> bool:
        texts = self.texts
        return any(value.endswith(texts) for value in values.forms(self.cased))

    def literals(self) -> frozenset[str] | None:
        return union_of_literals(_literal_set(text) for text in self.texts)


@dataclass(frozen=True, slots=True)
class ContainsAny:
    texts: tuple[str, ...]
    cased: bool = False

    def test(self, values: FieldValues) -> bool:
        texts = self.texts
        for value in values.forms(self.cased):
            for text in texts:
                if text in value:
                    return True
        return False

    def literals(self) -> frozenset[str] | None:
        return union_of_literals(_literal_set(text) for text in self.texts)


MERGEABLE: dict[type, Any] = {
    Equals: lambda texts, cased: EqualsAny(frozenset(texts), cased),
    StartsWith: lambda texts, cased: StartsWithAny(tuple(texts), cased),
    EndsWith: lambda texts, cased: EndsWithAny(tuple(texts), cased),
    Contains: lambda texts, cased: ContainsAny(tuple(texts), cased),
}
