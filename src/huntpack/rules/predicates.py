"""Predicates: a rule's condition compiled once into small objects evaluated per event.

``match(ctx)`` answers the question; ``explain(ctx, out)`` answers it too and records the
field/value pairs that made it true (run only for rules that matched, to say why they fired);
``literals()`` gives the prefilter the literals of which one must appear in an event that
matches (None when no such set is known).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from huntpack.model import MatchedField
from huntpack.rules.values import FieldValues, ValueMatcher, union_of_literals


class EventContext:
    """One event as rules see it: field look-up with aliases, values normalised once.

    Look-up order: the exact field name, the routing alias (e.g. Image -> NewProcessName for
    Security 4688), then the name compared without case and spaces.
    """

    __slots__ = ("fields", "aliases", "_cache", "_folded", "_everything")

    def __init__(self, fields: Mapping[str, Any], aliases: Mapping[str, str] | None = None):
        self.fields = fields
        self.aliases = aliases or {}
        self._cache: dict[str, FieldValues | None] = {}
        self._folded: dict[str, str] | None = None
        self._everything: list[FieldValues] | None = None

    def values(self, name: str) -> FieldValues | None:
        """The field's values, or None when the event has no such field (or it is null)."""
        try:
            return self._cache[name]
        except KeyError:
            pass
        raw = self._lookup(name)
        found = None if raw is None else FieldValues(_as_list(raw))
        self._cache[name] = found
        return found

    def has_field(self, name: str) -> bool:
        return self._lookup(name) is not None

    def everything(self) -> list[FieldValues]:
        """All values of the event, for keyword (full-text) detections."""
        if self._everything is None:
            self._everything = [
                FieldValues(_as_list(value)) for value in self.fields.values() if value is not None
            ]
        return self._everything

    def _lookup(self, name: str) -> Any:
        fields = self.fields
        if name in fields:
            return fields[name]
        alias = self.aliases.get(name)
        if alias is not None and alias in fields:
            return fields[alias]
        if self._folded is None:
            self._folded = {fold_field_name(key): key for key in fields}
        key = self._folded.get(fold_field_name(name))
        return None if key is None else fields[key]


def fold_field_name(name: str) -> str:
    """Field names compare without case and spaces (Defender writes "Threat Name")."""
    return name.lower().replace(" ", "")


def _as_list(value: Any) -> Sequence[Any]:
    if isinstance(value, list):
        return [item for item in value if item is not None]
    return (value,)


class Predicate(Protocol):
    def match(self, ctx: EventContext) -> bool: ...

    def explain(self, ctx: EventContext, out: list[MatchedField]) -> bool: ...

    def literals(self) -> frozenset[str] | None: ...


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Predicate, ...]

    def match(self, ctx: EventContext) -> bool:
        for child in self.children:
            if not child.match(ctx):
                return False
        return True

    def explain(self, ctx: EventContext, out: list[MatchedField]) -> bool:
        mark = len(out)
        for child in self.children:
            if not child.explain(ctx, out):
                del out[mark:]
                return False
        return True

    def literals(self) -> frozenset[str] | None:
        return best_literal_set(child.literals() for child in self.children)


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Predicate, ...]

    def match(self, ctx: EventContext) -> bool:
        for child in self.children:
            if child.match(ctx):
                return True
        return False

    def explain(self, ctx: EventContext, out: list[MatchedField]) -> bool:
        return any(child.explain(ctx, out) for child in self.children)

    def literals(self) -> frozenset[str] | None:
        return union_of_literals(child.literals() for child in self.children)


@dataclass(frozen=True, slots=True)
class Not:
    child: Predicate

    def match(self, ctx: EventContext) -> bool:
        return not self.child.match(ctx)

    def explain(self, ctx: EventContext, out: list[MatchedField]) -> bool:
        return not self.child.match(ctx)

    def literals(self) -> frozenset[str] | None:
        return None


class FieldMatch:
    """A test on one field's values (the matcher's bound ``test`` is kept for speed)."""

    __slots__ = ("field", "matcher", "_test")

    def __init__(self, field: str, matcher: ValueMatcher):
        self.field = field
        self.matcher = matcher
        self._test = matcher.test

    def __repr__(self) -> str:
        return f"FieldMatch(field={self.field!r}, matcher={self.matcher!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, FieldMatch) and self.field == other.field
                and self.matcher == other.matcher)

    def __hash__(self) -> int:
        return hash((self.field, self.matcher))

    def match(self, ctx: EventContext) -> bool:
        values = ctx.values(self.field)
        return values is not None and self._test(values)

    def explain(self, ctx: EventContext, out: list[MatchedField]) -> bool:
        values = ctx.values(self.field)
        if values is None or not self.matcher.test(values):
            return False
        for raw, text in zip(values.raw, values.text, strict=True):
            if self.matcher.test(FieldValues((raw,))):
                out.append(MatchedField(self.field, text))
                break
        return True

    def literals(self) -> frozenset[str] | None:
        return self.matcher.literals()


@dataclass(frozen=True, slots=True)
class FieldIsNull:
    """``field: null``: the field is absent, null or empty."""

    field: str

    def match(self, ctx: EventContext) -> bool:
        values = ctx.values(self.field)
        return values is None or all(text == "" for text in values.text)

    def explain(self, ctx: EventContext, out: list[MatchedField]) -> bool:
        if self.match(ctx):
            out.append(MatchedField(self.field, "(null)"))
            return True
        return False

    def literals(self) -> frozenset[str] | None:
        return None


@dataclass(frozen=True, slots=True)
class FieldExists:
    """``field|exists: true/false``."""

    field: str
    exists: bool

    def match(self, ctx: EventContext) -> bool:
        return ctx.has_field(self.field) is self.exists

    def explain(self, ctx: EventContext, out: list[MatchedField]) -> bool:
        if self.match(ctx):
            out.append(MatchedField(self.field, "(exists)" if self.exists else "(absent)"))
            return True
        return False

    def literals(self) -> frozenset[str] | None:
        return None


@dataclass(frozen=True, slots=True)
class FieldReference:
    """``field|fieldref: other``: the field's value equals (or starts/ends with) another field's."""

    field: str
    other: str
    starts_with: bool = False
    ends_with: bool = False

    def match(self, ctx: EventContext) -> bool:
        mine, theirs = ctx.values(self.field), ctx.values(self.other)
        if mine is None or theirs is None:
            return False
        return any(self._compare(a, b) for a in mine.lower for b in theirs.lower)

    def _compare(self, value: str, reference: str) -> bool:
        if self.starts_with and self.ends_with:
            return reference in value
        if self.starts_with:
            return value.endswith(reference)
        if self.ends_with:
            return value.startswith(reference)
        return value == reference

    def explain(self, ctx: EventContext, out: list[MatchedField]) -> bool:
        if not self.match(ctx):
            return False
        values = ctx.values(self.field)
        out.append(MatchedField(self.field, values.text[0] if values else ""))
        return True

    def literals(self) -> frozenset[str] | None:
        return None


@dataclass(frozen=True, slots=True)
class Keyword:
    """A value without a field: full-text search over every value of the event."""

    matcher: ValueMatcher

    def match(self, ctx: EventContext) -> bool:
        test = self.matcher.test
        return any(test(values) for values in ctx.everything())

    def explain(self, ctx: EventContext, out: list[MatchedField]) -> bool:
        for values in ctx.everything():
            if self.matcher.test(values):
                out.append(MatchedField("(keyword)", values.text[0][:500]))
                return True
        return False

    def literals(self) -> frozenset[str] | None:
        return self.matcher.literals()


def best_literal_set(options: Iterable[frozenset[str] | None]) -> frozenset[str] | None:
    """AND of literal sets: any one that is known will do; take the cheapest to scan for."""
    best: frozenset[str] | None = None
    best_cost = 0.0
    for option in options:
        if option is None:
            continue
        if not option:
            return option  # an impossible child: the conjunction can never hold
        cost = sum(literal_cost(literal) for literal in option)
        if best is None or cost < best_cost:
            best, best_cost = option, cost
    return best


# Substrings found in most Windows events: a rule keyed on one of these is a candidate for
# nearly every event, so another literal of the same rule is preferred when there is one.
UBIQUITOUS = frozenset({
    ".exe", ".dll", "\\cmd.exe", "cmd.exe", "\\powershell.exe", "powershell.exe", "powershell",
    "\\pwsh.exe", "\\svchost.exe", "svchost.exe", "\\rundll32.exe", "rundll32.exe",
    "\\explorer.exe", "\\conhost.exe", "\\wmiprvse.exe", "\\msiexec.exe", "\\services.exe",
    "c:\\", "c:\\windows\\", "\\windows\\", "\\system32\\", "\\system32",
    "c:\\windows\\system32\\", "\\syswow64\\", "c:\\users\\", "\\users\\",
    "\\appdata\\", "\\temp\\", "\\desktop\\", "\\programdata\\", "microsoft",
    "microsoft corporation", "windows", "system", " system", "security", "user", "file",
    "process", "true", "false", "administr", "cmd", "/c ", " /c ", "http", "https://", "http://",
    "\\software\\", "hklm\\", "hkcu\\", "\\currentversion\\", "\\microsoft\\windows\\",
})


def literal_cost(literal: str) -> float:
    """A rough chance that an event contains ``literal`` (lower is more selective)."""
    if literal in UBIQUITOUS or len(literal) <= 2:
        return 1.0
    return 1.0 / len(literal)


def referenced_fields(predicate: Any) -> frozenset[str] | None:
    """Folded names of the fields a predicate reads; None when it reads every value (keywords)."""
    if isinstance(predicate, Keyword):
        return None
    if isinstance(predicate, (And, Or)):
        names: set[str] = set()
        for child in predicate.children:
            found = referenced_fields(child)
            if found is None:
                return None
            names |= found
        return frozenset(names)
    if isinstance(predicate, Not):
        return referenced_fields(predicate.child)
    if isinstance(predicate, FieldReference):
        return frozenset((fold_field_name(predicate.field), fold_field_name(predicate.other)))
    name = getattr(predicate, "field", None)
    return frozenset((fold_field_name(name),)) if isinstance(name, str) else None
