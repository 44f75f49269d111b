"""Compile pySigma's parsed condition trees into predicates (once per rule).

pySigma has already applied the value modifiers (contains, windash, base64offset, utf16, cidr,
re, lt/gt, exists, fieldref, expand, cased ...) and resolved ``1 of``/``all of`` into AND/OR
trees; this module turns the resulting typed values into matchers. A construct that cannot be
evaluated raises ``UnsupportedConstruct`` naming it, so rule health can say exactly why.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.types import (
    Placeholder,
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaFieldReference,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaRegularExpressionFlag,
    SigmaString,
    SigmaTimestampPart,
    SpecialChars,
)

from huntpack.rules import predicates as p
from huntpack.rules import values as v
from huntpack.rules.regex_engine import RegexError, compile_safe_regex

Placeholders = Mapping[str, Sequence[str]]

_REGEX_FLAGS = {
    SigmaRegularExpressionFlag.IGNORECASE: "i",
    SigmaRegularExpressionFlag.MULTILINE: "m",
    SigmaRegularExpressionFlag.DOTALL: "s",
}


class UnsupportedConstruct(ValueError):
    """A rule uses something the evaluator cannot run; the message names it."""


class CompileNotes:
    """Non-fatal facts found while compiling one rule (regex fallbacks, empty placeholders)."""

    def __init__(self) -> None:
        self.warnings: list[str] = []


def compile_condition(node: Any, placeholders: Placeholders, notes: CompileNotes) -> p.Predicate:
    if isinstance(node, ConditionAND):
        return p.And(tuple(_flatten(node, ConditionAND, placeholders, notes)))
    if isinstance(node, ConditionOR):
        children = merge_alternatives(_flatten(node, ConditionOR, placeholders, notes))
        return children[0] if len(children) == 1 else p.Or(tuple(children))
    if isinstance(node, ConditionNOT):
        return p.Not(compile_condition(node.args[0], placeholders, notes))
    if isinstance(node, ConditionFieldEqualsValueExpression):
        return compile_field(node.field, node.value, placeholders, notes)
    if isinstance(node, ConditionValueExpression):
        return p.Keyword(compile_value(_as_substring(node.value), placeholders, notes))
    raise UnsupportedConstruct(f"condition element {type(node).__name__}")


def _flatten(
    node: Any, kind: type, placeholders: Placeholders, notes: CompileNotes
) -> list[p.Predicate]:
    """Children of nested ANDs (or ORs) lifted into one level."""
    out: list[p.Predicate] = []
    for arg in node.args:
        if isinstance(arg, kind):
            out.extend(_flatten(arg, kind, placeholders, notes))
        else:
            out.append(compile_condition(arg, placeholders, notes))
    return out


def _as_substring(value: Any) -> Any:
    """Keywords are full-text search: a plain keyword matches anywhere inside a value."""
    if not isinstance(value, SigmaString):
        return value
    star = SpecialChars.WILDCARD_MULTI
    cased = isinstance(value, SigmaCasedString)
    if not value.startswith(star):
        value = star + value
    if not value.endswith(star):
        value = value + star
    return SigmaCasedString.from_sigma_string(value) if cased else value


def merge_alternatives(children: list[p.Predicate]) -> list[p.Predicate]:
    """OR of same-kind string tests on one field -> one test over all the strings.

    ``Image|endswith: [a, b, c]`` becomes a single ``str.endswith((a, b, c))``: the same answer
    with one field look-up instead of one per value.
    """
    groups: dict[tuple[str, type, bool], list[str]] = {}
    order: list[tuple[str, type, bool] | p.Predicate] = []
    for child in children:
        matcher = getattr(child, "matcher", None)
        if isinstance(child, p.FieldMatch) and type(matcher) in v.MERGEABLE:
            key = (child.field, type(matcher), bool(matcher.cased))  # type: ignore[union-attr]
            if key not in groups:
                groups[key] = []
                order.append(key)
            groups[key].append(matcher.text)  # type: ignore[union-attr]
        else:
            order.append(child)
    merged: list[p.Predicate] = []
    for item in order:
        if isinstance(item, tuple):
            field, kind, cased = item
            texts = groups[item]
            single = kind(texts[0], cased) if len(texts) == 1 else None
            merged.append(p.FieldMatch(field, single or v.MERGEABLE[kind](texts, cased)))
        else:
            merged.append(item)
    return merged


def compile_field(
    field: str, value: Any, placeholders: Placeholders, notes: CompileNotes
) -> p.Predicate:
    if isinstance(value, SigmaNull):
        return p.FieldIsNull(field)
    if isinstance(value, SigmaExists):
        return p.FieldExists(field, bool(value.exists))
    if isinstance(value, SigmaFieldReference):
        return p.FieldReference(field, value.field, value.starts_with, value.ends_with)
    return p.FieldMatch(field, compile_value(value, placeholders, notes))


def compile_value(value: Any, placeholders: Placeholders, notes: CompileNotes) -> v.ValueMatcher:
    if isinstance(value, SigmaString):  # includes SigmaCasedString
        return compile_string(value, isinstance(value, SigmaCasedString), placeholders, notes)
    if isinstance(value, SigmaTimestampPart):
        return v.TimestampPart(value.timestamp_part.name, int(value.number))
    if isinstance(value, SigmaBool):
        return v.BoolEquals(bool(value.boolean))
    if isinstance(value, SigmaNumber):
        return v.NumberEquals(value.number)
    if isinstance(value, SigmaRegularExpression):
        return compile_regex(value, placeholders, notes)
    if isinstance(value, SigmaCIDRExpression):
        return v.CidrMatch((value.network,))
    if isinstance(value, SigmaCompareExpression):
        return v.Compare(value.op.name.lower(), value.number.number)
    if isinstance(value, SigmaExpansion):
        options = tuple(compile_value(item, placeholders, notes) for item in value.values)
        return v.AnyOf(options)
    raise UnsupportedConstruct(f"value type {type(value).__name__} ({value!s:.60})")


def compile_regex(
    value: SigmaRegularExpression, placeholders: Placeholders, notes: CompileNotes
) -> v.ValueMatcher:
    if value.regexp.contains_placeholder():
        raise UnsupportedConstruct("placeholder inside a regular expression")
    pattern = str(value.regexp)  # the same text pySigma validates
    flags = "".join(sorted(_REGEX_FLAGS[flag] for flag in value.flags if flag in _REGEX_FLAGS))
    try:
        compiled = compile_safe_regex(pattern, flags)
    except RegexError as error:
        raise UnsupportedConstruct(str(error)) from error
    if compiled.engine != "re2":
        notes.warnings.append(
            f"regex {pattern!r} needs a backtracking engine: evaluated with a time limit"
        )
    return v.RegexMatch(compiled)


def compile_string(
    value: SigmaString, cased: bool, placeholders: Placeholders, notes: CompileNotes
) -> v.ValueMatcher:
    parts = list(value.s)
    if any(isinstance(part, Placeholder) for part in parts):
        variants = list(_expand_placeholders(parts, placeholders, notes))
        if not variants:
            return v.Never()
        return v.AnyOf(tuple(string_matcher(variant, cased) for variant in variants))
    return string_matcher(parts, cased)


def _expand_placeholders(
    parts: list[Any], placeholders: Placeholders, notes: CompileNotes
) -> Any:
    choices: list[list[list[Any]]] = []
    for part in parts:
        if isinstance(part, Placeholder):
            filled = placeholders.get(part.name)
            if not filled:
                notes.warnings.append(f"placeholder %{part.name}% has no values: matches nothing")
                return
            choices.append([list(SigmaString(text).s) for text in filled])
        else:
            choices.append([[part]])
    for combination in itertools.product(*choices):
        yield [item for chunk in combination for item in chunk]


def string_matcher(parts: Sequence[Any], cased: bool) -> v.ValueMatcher:
    """Plain string parts and wildcards -> the cheapest equivalent test."""
    norm = [part if cased or not isinstance(part, str) else part.lower() for part in parts]
    norm = _merge_text(norm)
    star = SpecialChars.WILDCARD_MULTI
    texts = [part for part in norm if isinstance(part, str)]
    if not any(isinstance(part, SpecialChars) for part in norm):
        return v.Equals("".join(texts), cased)
    if len(norm) == 3 and norm[0] == star and norm[2] == star and isinstance(norm[1], str):
        return v.Contains(norm[1], cased)
    if len(norm) == 2 and norm[1] == star and isinstance(norm[0], str):
        return v.StartsWith(norm[0], cased)
    if len(norm) == 2 and norm[0] == star and isinstance(norm[1], str):
        return v.EndsWith(norm[1], cased)
    return v.Glob(_glob_regex(norm), max(texts, key=len, default=""), cased)


def _merge_text(parts: list[Any]) -> list[Any]:
    merged: list[Any] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif not (isinstance(part, str) and part == ""):
            merged.append(part)
    return merged


def _glob_regex(parts: Sequence[Any]) -> re.Pattern[str]:
    pieces = []
    for part in parts:
        if part == SpecialChars.WILDCARD_MULTI:
            pieces.append(".*")
        elif part == SpecialChars.WILDCARD_SINGLE:
            pieces.append(".")
        else:
            pieces.append(re.escape(part))
    return re.compile("".join(pieces), re.DOTALL)
