"""Correlation plans: a pySigma ``SigmaCorrelationRule`` checked once and made ready to run.

A plan says which rules feed the correlation (its *slots*, in the rule list's order), how to
read a hit's group-by values (through ``aliases``) and measured value, which metric and
threshold decide, and whether the decision is taken on arrival or at window close. What the
engine cannot run raises ``UnsupportedCorrelation`` with the reason, for rule health.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sigma.correlations import (
    CorrelationConditionAND,
    CorrelationConditionItem,
    CorrelationConditionNOT,
    CorrelationConditionOR,
    SigmaCorrelationCondition,
    SigmaCorrelationRule,
    SigmaExtendedCorrelationCondition,
    SigmaRuleReference,
)

from huntpack.rules.correlation_window import (
    Average,
    DistinctCount,
    DistinctRules,
    EventCount,
    Metric,
    OrderedRules,
    Percentile,
    Sum,
    Threshold,
)

COUNTING_KINDS = frozenset({"event_count", "value_count", "temporal", "temporal_ordered"})
NUMERIC_KINDS = frozenset({"value_sum", "value_avg", "value_median", "value_percentile"})
RulePredicate = Callable[[frozenset[int]], bool]


class UnsupportedCorrelation(ValueError):
    """A correlation the engine cannot run; the message says why."""


@dataclass(frozen=True, slots=True)
class Slot:
    """One referenced rule: a base Sigma rule, or another correlation (a chain)."""

    reference: str
    rule_id: str
    rule_name: str | None
    correlation: SigmaCorrelationRule | None = None

    def routing_keys(self) -> tuple[str, ...]:
        return hit_keys(self.rule_id, self.rule_name)


@dataclass(slots=True)
class CorrelationPlan:
    rule: SigmaCorrelationRule
    id: str
    kind: str
    slots: tuple[Slot, ...]
    group_by: tuple[str, ...]
    aliases: dict[str, dict[int, str]]
    fieldref: tuple[str, ...]
    threshold: Threshold
    make_metric: Callable[[], Metric]
    at_close: bool
    timespan: float
    expression: str | None = None
    emits: bool = True
    slot_index: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The metric's name in findings: ``event_count``, ``value_count(User)`` ..."""
        if self.expression is not None:
            return f"{self.kind}({self.expression})"
        if not self.fieldref:
            return self.kind
        arguments = ",".join(self.fieldref)
        percent = getattr(self.rule.condition, "percentile", None)
        if self.kind == "value_percentile" and percent is not None:
            arguments += f",{percent}"
        return f"{self.kind}({arguments})"

    def slots_of(self, rule_id: str, rule_name: str | None) -> tuple[int, ...]:
        found: list[int] = []
        for key in hit_keys(rule_id, rule_name):
            found.extend(slot for slot in self.slot_index.get(key, ()) if slot not in found)
        return tuple(sorted(found))

    def field_for(self, name: str, slot: int) -> str:
        """The event field that group-by (or condition) name ``name`` means for rule ``slot``."""
        return self.aliases.get(name, {}).get(slot, name)

    def group_of(self, fields: Mapping[str, Any], slot: int) -> tuple[str, ...] | None:
        """The hit's group-by values; None when one is missing (the hit cannot be grouped)."""
        values: list[str] = []
        for name in self.group_by:
            text = as_text(lookup(fields, self.field_for(name, slot)))
            if text is None:
                return None
            values.append(text)
        return tuple(values)

    def measure(self, fields: Mapping[str, Any], slot: int) -> tuple[Hashable, float] | None:
        """(distinct key, number) the metric reads from a hit; None when it has no usable value."""
        if self.kind == "value_count":
            texts = [as_text(lookup(fields, self.field_for(name, slot))) for name in self.fieldref]
            if any(text is None for text in texts):
                return None
            return (texts[0] if len(texts) == 1 else tuple(texts)), 0.0
        if self.kind in NUMERIC_KINDS:
            number = as_number(lookup(fields, self.field_for(self.fieldref[0], slot)))
            return None if number is None else (None, number)
        return None, 0.0


def compile_plan(rule: SigmaCorrelationRule) -> CorrelationPlan:
    """Check one correlation and build its plan; raises ``UnsupportedCorrelation``."""
    kind = str(rule.type.name).lower()
    slots = tuple(_slot(reference) for reference in _references(rule))
    if not slots:
        raise UnsupportedCorrelation("correlation references no rules")
    condition = rule.condition
    expression: str | None = None
    predicate: RulePredicate | None = None
    if isinstance(condition, SigmaExtendedCorrelationCondition):
        if kind != "temporal":
            raise UnsupportedCorrelation(f"extended (boolean) condition with {kind}")
        expression = condition.expression
        predicate = _compile_expression(condition.parsed, slots)
        threshold, at_close = Threshold("gte", 1), _has_not(condition.parsed)
    else:
        threshold = Threshold(condition.op.name.lower(), float(condition.count))
        at_close = threshold.at_close
    fieldref = _fieldref(condition)
    plan = CorrelationPlan(
        rule=rule, id=rule_id(rule), kind=kind, slots=slots,
        group_by=tuple(rule.group_by or ()), aliases=_aliases(rule, slots), fieldref=fieldref,
        threshold=threshold, make_metric=_metric_factory(kind, condition, fieldref, slots, predicate),
        at_close=at_close, timespan=float(rule.timespan.seconds), expression=expression,
    )
    for index, slot in enumerate(slots):
        for key in slot.routing_keys():
            plan.slot_index[key] = (*plan.slot_index.get(key, ()), index)
    return plan


def rule_id(rule: Any) -> str:
    """A rule's identity as the catalog spells it: id, else name, else title."""
    return str(rule.id) if rule.id else str(rule.name or rule.title)


def hit_keys(rule_id: str, rule_name: str | None) -> tuple[str, ...]:
    return (f"id:{rule_id}", f"name:{rule_name}") if rule_name else (f"id:{rule_id}",)


def lookup(fields: Mapping[str, Any], name: str) -> Any:
    """``fields[name]``, else the first field whose name matches ignoring case."""
    if name in fields:
        return fields[name]
    lowered = name.lower()
    for key, value in fields.items():
        if key.lower() == lowered:
            return value
    return None


def as_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, list | tuple):
        return ",".join(str(part) for part in value) or None
    return str(value)


def as_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _references(rule: SigmaCorrelationRule) -> list[SigmaRuleReference]:
    references = rule.referenced_rules or rule.rules or []
    unresolved = [ref.reference for ref in references if not hasattr(ref, "rule")]
    if unresolved:
        raise UnsupportedCorrelation(f"unresolved rule references: {', '.join(unresolved)}")
    return list(references)


def _slot(reference: SigmaRuleReference) -> Slot:
    target = reference.rule
    chained = target if isinstance(target, SigmaCorrelationRule) else None
    return Slot(reference.reference, rule_id(target), target.name, chained)


def _fieldref(condition: Any) -> tuple[str, ...]:
    if not isinstance(condition, SigmaCorrelationCondition) or condition.fieldref is None:
        return ()
    if isinstance(condition.fieldref, str):
        return (condition.fieldref,)
    return tuple(str(name) for name in condition.fieldref)


def _aliases(rule: SigmaCorrelationRule, slots: tuple[Slot, ...]) -> dict[str, dict[int, str]]:
    aliases: dict[str, dict[int, str]] = {}
    for alias in rule.aliases:
        mapping: dict[int, str] = {}
        for reference, field_name in alias.mapping.items():
            index = _slot_named(reference.reference, slots)
            if index is None:
                raise UnsupportedCorrelation(
                    f"alias {alias.alias!r} names {reference.reference!r}, "
                    "which the correlation does not reference")
            mapping[index] = str(field_name)
        aliases[alias.alias] = mapping
    return aliases


def _slot_named(name: str, slots: tuple[Slot, ...]) -> int | None:
    for index, slot in enumerate(slots):
        if name in (slot.reference, slot.rule_id, slot.rule_name):
            return index
    return None


def _metric_factory(
    kind: str, condition: Any, fieldref: tuple[str, ...], slots: tuple[Slot, ...],
    predicate: RulePredicate | None,
) -> Callable[[], Metric]:
    if kind in NUMERIC_KINDS | {"value_count"} and not fieldref:
        raise UnsupportedCorrelation(f"{kind} without condition field")
    if kind in NUMERIC_KINDS and len(fieldref) != 1:
        raise UnsupportedCorrelation(f"{kind} over several fields {list(fieldref)}")
    simple: dict[str, Callable[[], Metric]] = {
        "event_count": EventCount, "value_count": DistinctCount,
        "value_sum": Sum, "value_avg": Average, "value_median": lambda: Percentile(50.0),
        "temporal": lambda: DistinctRules(predicate),
        "temporal_ordered": lambda: OrderedRules(len(slots)),
    }
    if kind in simple:
        return simple[kind]
    if kind == "value_percentile":
        percent = getattr(condition, "percentile", None)
        if percent is None or not 0 <= percent <= 100:
            raise UnsupportedCorrelation(
                f"value_percentile needs condition 'percentile' in 0..100, got {percent!r}")
        return lambda: Percentile(float(percent))
    raise UnsupportedCorrelation(f"correlation type {kind}")


def _compile_expression(node: Any, slots: tuple[Slot, ...]) -> RulePredicate:
    """An extended temporal condition (``a and not b``) as a test on the set of rules seen."""
    if isinstance(node, SigmaRuleReference):
        index = _slot_named(node.reference, slots)
        if index is None:
            raise UnsupportedCorrelation(f"condition names unknown rule {node.reference!r}")
        return lambda seen: index in seen
    if not isinstance(node, CorrelationConditionItem):
        raise UnsupportedCorrelation(f"condition element {type(node).__name__}")
    parts = [_compile_expression(arg, slots) for arg in node.args]
    if isinstance(node, CorrelationConditionNOT):
        return lambda seen: not parts[0](seen)
    if isinstance(node, CorrelationConditionAND):
        return lambda seen: all(part(seen) for part in parts)
    if isinstance(node, CorrelationConditionOR):
        return lambda seen: any(part(seen) for part in parts)
    raise UnsupportedCorrelation(f"condition operator {type(node).__name__}")


def _has_not(node: Any) -> bool:
    if isinstance(node, CorrelationConditionNOT):
        return True
    return isinstance(node, CorrelationConditionItem) and any(_has_not(a) for a in node.args)
